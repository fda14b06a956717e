import { type NotificationPayload, WEBHOOK_HEADERS } from '../../../contracts/alerts';
import type { Channel, Notifier } from '../../domain/alert-ports';
import { signWebhook } from '../../domain/alerts/signing';
import { DomainError } from '../../domain/errors';
import type { Clock } from '../../domain/ports';
import { type HttpNotifierOptions, postJson } from './http';

/**
 * Generic webhooks: the notification payload as JSON, signed with HMAC-SHA256 over "<timestamp>.<body>"
 * (see contracts/alerts.ts WEBHOOK_HEADERS and domain/alerts/signing.ts for verification).
 */
export class WebhookNotifier implements Notifier {
  constructor(
    private readonly clock: Clock,
    private readonly options: HttpNotifierOptions = {},
  ) {}

  async send(channel: Channel, payload: NotificationPayload): Promise<void> {
    if (!channel.url || !channel.secret) {
      throw new DomainError('validation', `channel ${channel.channelId} has no url or secret`);
    }
    const body = JSON.stringify(payload);
    const timestamp = Math.floor(this.clock.now() / 1000);
    await postJson(
      channel.url,
      body,
      {
        [WEBHOOK_HEADERS.signature]: signWebhook(channel.secret, timestamp, body),
        [WEBHOOK_HEADERS.timestamp]: String(timestamp),
        [WEBHOOK_HEADERS.event]: payload.type,
        [WEBHOOK_HEADERS.delivery]: payload.delivery_id,
      },
      this.options,
      'webhook',
    );
  }
}
