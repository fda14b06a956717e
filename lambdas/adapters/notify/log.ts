import type { NotificationPayload } from '../../../contracts/alerts';
import type { Channel, Notifier } from '../../domain/alert-ports';

/**
 * The `log` channel: one line per notification to a sink (the terminal locally, the structured logger on
 * AWS). Useful without any account: `npm start` prints alerts where Vigil runs.
 */
export class LogNotifier implements Notifier {
  constructor(private readonly sink: (line: string, payload: NotificationPayload) => void) {}

  async send(channel: Channel, payload: NotificationPayload): Promise<void> {
    const text = payload.text.split('\n').join(' · ');
    this.sink(`[vigil alert → ${channel.name}] ${text}`, payload);
  }
}
