import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { NotificationPayload } from '../../../contracts/alerts';
import type { Channel, Notifier } from '../../domain/alert-ports';
import { renderSubject } from '../../domain/alerts/notification';
import { DomainError } from '../../domain/errors';

export interface SnsNotifierOptions {
  client: SNSClient;
  /** The deployment's alert topic, used by channels without their own topic_arn. */
  defaultTopicArn: string | null;
}

/**
 * SNS topics (email subscribers get the subject and the text). The message is the plain-text rendering,
 * which email, SMS and HTTPS subscribers all read as it is; message attributes carry the event type and
 * delivery id for subscription filter policies and dedupe.
 */
export class SnsNotifier implements Notifier {
  constructor(private readonly options: SnsNotifierOptions) {}

  async send(channel: Channel, payload: NotificationPayload): Promise<void> {
    const topicArn = channel.topicArn ?? this.options.defaultTopicArn;
    if (!topicArn) {
      throw new DomainError(
        'unavailable',
        'sns: no topic_arn on the channel and VIGIL_ALERT_TOPIC_ARN is not set',
      );
    }
    try {
      await this.options.client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: snsSubject(renderSubject(payload)),
          Message: payload.text,
          MessageAttributes: {
            'vigil.event': { DataType: 'String', StringValue: payload.type },
            'vigil.delivery': { DataType: 'String', StringValue: payload.delivery_id },
          },
        }),
      );
    } catch (e) {
      const name = (e as { name?: string }).name ?? 'Error';
      throw new DomainError('unavailable', `sns: publish failed (${name})`, { cause: e });
    }
  }
}

/** SNS subjects: ASCII, no line breaks, at most 100 characters. */
export function snsSubject(s: string): string {
  return (
    s
      .normalize('NFKD')
      .replace(/[^\x20-\x7e]/g, '')
      .trim()
      .slice(0, 100) || 'Vigil alert'
  );
}
