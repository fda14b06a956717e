import {
  CHANNEL_TYPES,
  type ChannelType,
  type ChannelView,
  channelBody,
  channelUpdateBody,
  type Severity,
} from '../../../../../contracts/alerts';

/**
 * The channel editor. Secrets (Slack webhook URL, webhook signing secret) are write-only: the form
 * starts blank when editing (blank keeps the stored value) and is cleared after a save.
 */

export { CHANNEL_TYPES };

export interface ChannelForm {
  type: ChannelType;
  name: string;
  topicArn: string;
  webhookUrl: string;
  url: string;
  secret: string;
  notifyAnomalies: boolean;
  minSeverity: Severity;
  enabled: boolean;
  /** Kept as it is (the editor does not change which agents a channel hears). */
  agents: '*' | string[];
}

export type ChannelField = 'type' | 'name' | 'topicArn' | 'webhookUrl' | 'url' | 'secret' | 'form';

export const CHANNEL_TYPE_LABELS: Record<ChannelType, string> = {
  sns: 'SNS topic (email)',
  slack: 'Slack',
  webhook: 'Webhook',
  log: 'Log',
};

export function emptyChannelForm(type: ChannelType = 'log'): ChannelForm {
  return {
    type,
    name: '',
    topicArn: '',
    webhookUrl: '',
    url: '',
    secret: '',
    notifyAnomalies: true,
    minSeverity: 'warning',
    enabled: true,
    agents: '*',
  };
}

/** An existing channel in the editor: never its secrets (the API only has masked forms anyway). */
export function formFromChannel(c: ChannelView): ChannelForm {
  return {
    ...emptyChannelForm(c.type),
    name: c.name,
    topicArn: c.topic_arn ?? '',
    notifyAnomalies: c.notify_anomalies,
    minSeverity: c.min_severity,
    enabled: c.enabled,
    agents: c.agents,
  };
}

/** The JSON body; on update, blank secret fields are left out so the stored value is kept. */
export function channelRequestBody(form: ChannelForm, update: boolean): Record<string, unknown> {
  const common = {
    type: form.type,
    name: form.name.trim(),
    notify_anomalies: form.notifyAnomalies,
    min_severity: form.minSeverity,
    agents: form.agents,
    enabled: form.enabled,
  };
  const blankOut = (v: string) => (update && v.trim() === '' ? undefined : v.trim());
  switch (form.type) {
    case 'sns':
      return { ...common, ...(form.topicArn.trim() ? { topic_arn: form.topicArn.trim() } : {}) };
    case 'slack': {
      const webhook_url = blankOut(form.webhookUrl);
      return { ...common, ...(webhook_url === undefined ? {} : { webhook_url }) };
    }
    case 'webhook': {
      const url = blankOut(form.url);
      const secret = blankOut(form.secret);
      return {
        ...common,
        ...(url === undefined ? {} : { url }),
        ...(secret === undefined ? {} : { secret }),
      };
    }
    default:
      return common;
  }
}

export function channelFieldOf(path: string | null): ChannelField {
  const map: Record<string, ChannelField> = {
    type: 'type',
    name: 'name',
    topic_arn: 'topicArn',
    webhook_url: 'webhookUrl',
    url: 'url',
    secret: 'secret',
  };
  return (path && map[path]) || 'form';
}

export function checkChannelForm(form: ChannelForm, update: boolean): Partial<Record<ChannelField, string>> {
  const schema = update ? channelUpdateBody : channelBody;
  const r = schema.safeParse(channelRequestBody(form, update));
  if (r.success) return {};
  const errors: Partial<Record<ChannelField, string>> = {};
  for (const issue of r.error.issues) {
    const field = channelFieldOf(issue.path.map(String).join('.') || null);
    errors[field] ??= /received undefined/.test(issue.message) ? 'is required' : issue.message;
  }
  return errors;
}

/** Where a channel delivers, as the API shows it (masked). */
export function channelTarget(c: ChannelView): string {
  switch (c.type) {
    case 'sns':
      return c.topic_arn ?? "the deployment's alert topic";
    case 'slack':
      return c.webhook_url ?? '—';
    case 'webhook':
      return `${c.url ?? '—'}${c.has_secret ? ' · signed' : ''}`;
    default:
      return 'the process log';
  }
}
