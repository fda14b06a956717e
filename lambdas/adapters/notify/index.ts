import type { SNSClient } from '@aws-sdk/client-sns';
import type { NotificationPayload } from '../../../contracts/alerts';
import type { Notifiers } from '../../domain/alert-ports';
import type { Clock } from '../../domain/ports';
import type { HttpNotifierOptions } from './http';
import { LogNotifier } from './log';
import { SlackNotifier } from './slack';
import { SnsNotifier } from './sns';
import { WebhookNotifier } from './webhook';

export { LogNotifier, SlackNotifier, SnsNotifier, WebhookNotifier };

/** One notifier per channel type; SNS only where a client is given (not in the local runtime). */
export function createNotifiers(o: {
  clock: Clock;
  log: (line: string, payload: NotificationPayload) => void;
  sns?: { client: SNSClient; defaultTopicArn: string | null };
  http?: HttpNotifierOptions;
}): Notifiers {
  return {
    log: new LogNotifier(o.log),
    slack: new SlackNotifier(o.http),
    webhook: new WebhookNotifier(o.clock, o.http),
    ...(o.sns ? { sns: new SnsNotifier(o.sns) } : {}),
  };
}
