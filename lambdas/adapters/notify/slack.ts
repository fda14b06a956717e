import type { NotificationPayload } from '../../../contracts/alerts';
import type { Channel, Notifier } from '../../domain/alert-ports';
import { renderSlack } from '../../domain/alerts/notification';
import { DomainError } from '../../domain/errors';
import { type HttpNotifierOptions, postJson } from './http';

/** Slack incoming webhooks (and Slack-compatible ones: Mattermost, Rocket.Chat): a text + blocks message. */
export class SlackNotifier implements Notifier {
  constructor(private readonly options: HttpNotifierOptions = {}) {}

  async send(channel: Channel, payload: NotificationPayload): Promise<void> {
    if (!channel.webhookUrl)
      throw new DomainError('validation', `channel ${channel.channelId} has no webhook_url`);
    await postJson(
      channel.webhookUrl,
      JSON.stringify(renderSlack(payload)),
      {},
      this.options,
      'slack webhook',
    );
  }
}
