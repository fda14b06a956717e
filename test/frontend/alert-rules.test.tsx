// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import {
  type AlertRuleView,
  alertRuleView,
  type ChannelView,
  channelView,
  RULE_AGGREGATIONS,
  rulePreviewResponse,
} from '../../contracts/alerts';
import { json, type Route, recordingApi } from './fake-api';
import { openApp, resetAppAroundEachTest } from './render-app';

/**
 * The Alert rules view (rules, their editor and preview, channels) against a fake API that records the
 * method and JSON body of every change. Fixtures are parsed with the contract's response schemas.
 */

const AGENT = 'support-bot';
const SECRET = 'whsec_0123456789abcdefXYZ';
const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/sekrit9Qz';

const T = '2026-11-20T09:00:00.000Z';
function rule(id: string, over: Partial<AlertRuleView> = {}): AlertRuleView {
  return alertRuleView.parse({
    rule_id: id,
    name: `rule ${id}`,
    agent_id: AGENT,
    metric: 'cost',
    aggregation: 'p95',
    window_minutes: 60,
    comparator: '>',
    warning: 0.5,
    critical: 1,
    filters: { production: true },
    min_volume: 1,
    no_data: 'ok',
    channel_ids: ['ch-log'],
    enabled: true,
    created_at: T,
    updated_at: T,
    ...over,
  });
}
function channel(id: string, over: Partial<ChannelView> & Pick<ChannelView, 'type'>): ChannelView {
  return channelView.parse({
    channel_id: id,
    name: `channel ${id}`,
    notify_anomalies: true,
    min_severity: 'warning',
    agents: '*',
    enabled: true,
    created_at: T,
    updated_at: T,
    last_delivery: null,
    ...over,
  });
}

const RULES = [
  rule('r1', { name: 'Spend p95' }),
  rule('r2', {
    name: 'Every agent errors',
    agent_id: '*',
    metric: 'errors',
    aggregation: 'count',
    warning: 5,
    critical: null,
  }),
  rule('r3', { name: 'Other agent rule', agent_id: 'research-agent' }),
];
const CHANNELS = [
  channel('ch-log', { type: 'log', name: 'terminal' }),
  channel('ch-slack', { type: 'slack', name: 'ops slack', webhook_url: 'https://hooks.slack.com/…x9Qz' }),
  channel('ch-hook', {
    type: 'webhook',
    name: 'pager hook',
    url: 'https://pager.example/…ook1',
    has_secret: true,
  }),
];

function fake(overrides: Record<string, Route> = {}) {
  return recordingApi({
    'GET /api/alert-rules': () => ({ rules: RULES }),
    'GET /api/channels': () => ({ channels: CHANNELS }),
    ...overrides,
  });
}

const open = (api = fake()) => openApp(`?agent=${AGENT}&view=alerts`, api);

const form = () => screen.findByRole('form', { name: /rule/i });
const optionValues = (select: HTMLElement) => [...select.querySelectorAll('option')].map((o) => o.value);
const errorFor = (name: string) => document.querySelector(`[data-error-for="${name}"]`)?.textContent ?? null;

async function newRule() {
  fireEvent.click(await screen.findByRole('button', { name: 'New rule' }));
  return form();
}

function fillValid(f: HTMLElement) {
  fireEvent.change(within(f).getByLabelText('Name'), { target: { value: ' Slow sessions ' } });
  fireEvent.change(within(f).getByLabelText('Metric'), { target: { value: 'session_duration' } });
  fireEvent.change(within(f).getByLabelText('Aggregation'), { target: { value: 'p95' } });
  fireEvent.change(within(f).getByLabelText('Window (minutes)'), { target: { value: '120' } });
  fireEvent.change(within(f).getByLabelText('Warning level'), { target: { value: '30000' } });
  fireEvent.change(within(f).getByLabelText('Critical level'), { target: { value: '60000' } });
}

resetAppAroundEachTest();

describe('Alert rules list', () => {
  it("lists this agent's rules and the every-agent ones, not other agents', with channel names", async () => {
    open();
    const table = await screen.findByRole('table', { name: 'Alert rules' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-rule'))).toEqual(['r1', 'r2']);
    expect(rows[0]!.textContent).toContain('cost p95 > 0.5 warning, 1 critical over 1 h');
    await waitFor(() => expect(rows[0]!.textContent).toContain('terminal'));
    expect(rows[1]!.textContent).toContain('every agent');
  });

  it('deletes a rule after a confirmation', async () => {
    let rules = RULES;
    const api = open(
      fake({
        'GET /api/alert-rules': () => ({ rules }),
        'DELETE /api/alert-rules/r1': () => {
          rules = RULES.slice(1);
          return { rule_id: 'r1', deleted: true };
        },
      }),
    );
    const table = await screen.findByRole('table', { name: 'Alert rules' });
    const row = table.querySelector('[data-rule="r1"]') as HTMLElement;
    fireEvent.click(within(row).getByRole('button', { name: 'Delete' }));
    expect(api.changes()).toHaveLength(0);
    fireEvent.click(within(row).getByRole('button', { name: 'Confirm delete' }));
    await waitFor(() => expect(table.querySelector('[data-rule="r1"]')).toBeNull());
    expect(api.changes().map((r) => `${r.method} ${r.url.pathname}`)).toEqual(['DELETE /api/alert-rules/r1']);
    expect(api.changes()[0]!.body).toBeUndefined();
  });

  it('says clearly that a read-only key cannot delete', async () => {
    open(
      fake({
        'DELETE /api/alert-rules/r1': () =>
          json({ error: 'forbidden', detail: 'the key lacks the admin scope' }, 403),
      }),
    );
    const table = await screen.findByRole('table', { name: 'Alert rules' });
    const row = table.querySelector('[data-rule="r1"]') as HTMLElement;
    fireEvent.click(within(row).getByRole('button', { name: 'Delete' }));
    fireEvent.click(within(row).getByRole('button', { name: 'Confirm delete' }));
    const alert = await screen.findByText(/cannot change alert settings: it needs the admin scope \(403/);
    expect(alert.getAttribute('role')).toBe('alert');
    expect(table.querySelector('[data-rule="r1"]')).toBeTruthy();
  });
});

describe('Rule editor', () => {
  it('offers only the aggregations the chosen metric takes', async () => {
    open();
    const f = await newRule();
    const metric = within(f).getByLabelText('Metric');
    const aggregation = within(f).getByLabelText('Aggregation') as HTMLSelectElement;
    expect(optionValues(aggregation)).toEqual([...RULE_AGGREGATIONS.cost]);
    fireEvent.change(aggregation, { target: { value: 'p99' } });
    fireEvent.change(metric, { target: { value: 'errors' } });
    expect(optionValues(aggregation)).toEqual(['count']);
    expect(aggregation.value).toBe('count');
    fireEvent.change(metric, { target: { value: 'error_rate' } });
    expect(optionValues(aggregation)).toEqual(['rate']);
    fireEvent.change(metric, { target: { value: 'event_latency' } });
    expect(optionValues(aggregation)).toEqual(['avg', 'p50', 'p90', 'p95', 'p99']);
    expect(aggregation.value).toBe('avg');
  });

  it('checks the form like the contract before sending anything', async () => {
    const api = open();
    const f = await newRule();
    fireEvent.click(within(f).getByRole('button', { name: 'Create rule' }));
    expect(errorFor('name')).toBe('must not be empty');
    expect(errorFor('warning')).toBe('give a warning or a critical level (or both)');
    fireEvent.change(within(f).getByLabelText('Name'), { target: { value: 'x' } });
    fireEvent.change(within(f).getByLabelText('Warning level'), { target: { value: '2' } });
    fireEvent.change(within(f).getByLabelText('Critical level'), { target: { value: '1' } });
    fireEvent.change(within(f).getByLabelText('Window (minutes)'), { target: { value: '2' } });
    fireEvent.click(within(f).getByRole('button', { name: 'Create rule' }));
    expect(errorFor('critical')).toBe('must be at or above the warning level for comparator >');
    expect(errorFor('windowMinutes')).toBe('must be at least 5');
    expect(errorFor('name')).toBeNull();
    expect(api.changes()).toHaveLength(0);
  });

  it('creates a rule with the exact JSON body and shows it in the list', async () => {
    let rules = RULES;
    const api = open(
      fake({
        'GET /api/alert-rules': () => ({ rules }),
        'POST /api/alert-rules': ({ body }) => {
          const saved = rule('r9', { ...(body as Partial<AlertRuleView>) });
          rules = [...RULES, saved];
          return json(saved, 201);
        },
      }),
    );
    const f = await newRule();
    fillValid(f);
    fireEvent.change(within(f).getByLabelText('Filter'), { target: { value: 'tag' } });
    fireEvent.change(within(f).getByLabelText('Filter value'), { target: { value: 'tier:pro' } });
    fireEvent.change(within(f).getByLabelText('When there is no data'), { target: { value: 'warning' } });
    await waitFor(() =>
      expect(within(f).getByLabelText('Channels').querySelectorAll('option')).toHaveLength(3),
    );
    const channels = within(f).getByLabelText('Channels') as HTMLSelectElement;
    channels.querySelector<HTMLOptionElement>('option[value="ch-log"]')!.selected = true;
    channels.querySelector<HTMLOptionElement>('option[value="ch-hook"]')!.selected = true;
    fireEvent.change(channels);
    fireEvent.click(within(f).getByRole('button', { name: 'Create rule' }));
    await waitFor(() => expect(document.querySelector('[data-rule="r9"]')).toBeTruthy());
    const post = api.changes();
    expect(post.map((r) => `${r.method} ${r.url.pathname}`)).toEqual(['POST /api/alert-rules']);
    expect(post[0]!.body).toEqual({
      name: 'Slow sessions',
      agent_id: AGENT,
      metric: 'session_duration',
      aggregation: 'p95',
      window_minutes: 120,
      comparator: '>',
      warning: 30000,
      critical: 60000,
      filters: { production: true, tag: 'tier:pro' },
      min_volume: 1,
      no_data: 'warning',
      channel_ids: ['ch-log', 'ch-hook'],
      enabled: true,
    });
    expect(screen.queryByRole('form', { name: /rule/i })).toBeNull();
    expect(screen.getByRole('status').textContent).toContain('Saved rule “Slow sessions”');
  });

  it('shows the server 400 next to the field it names', async () => {
    const api = open(
      fake({
        'POST /api/alert-rules': () =>
          json(
            {
              error: 'validation',
              field: 'channel_ids[0]',
              detail: 'channel_ids[0]: unknown channel "ch-gone"',
            },
            400,
          ),
        'POST /api/alert-rules/preview': () =>
          json({ error: 'validation', field: 'filters.model', detail: 'filters.model: no such model' }, 400),
      }),
    );
    const f = await newRule();
    fillValid(f);
    fireEvent.click(within(f).getByRole('button', { name: 'Create rule' }));
    await waitFor(() => expect(errorFor('channelIds')).toBe('channel_ids[0]: unknown channel "ch-gone"'));
    expect(within(f).getByLabelText('Channels').getAttribute('aria-invalid')).toBe('true');
    expect(errorFor('form')).toBeNull();
    fireEvent.click(within(f).getByRole('button', { name: 'Preview' }));
    await waitFor(() => expect(errorFor('filter')).toBe('filters.model: no such model'));
    expect(api.changes().map((r) => r.url.pathname)).toEqual([
      '/api/alert-rules',
      '/api/alert-rules/preview',
    ]);
  });

  it('edits a rule with PUT and the whole body', async () => {
    const api = open(
      fake({ 'PUT /api/alert-rules/r1': ({ body }) => rule('r1', body as Partial<AlertRuleView>) }),
    );
    const table = await screen.findByRole('table', { name: 'Alert rules' });
    fireEvent.click(
      within(table.querySelector('[data-rule="r1"]') as HTMLElement).getByRole('button', { name: 'Edit' }),
    );
    const f = await screen.findByRole('form', { name: 'Edit rule Spend p95' });
    expect((within(f).getByLabelText('Aggregation') as HTMLSelectElement).value).toBe('p95');
    fireEvent.change(within(f).getByLabelText('Critical level'), { target: { value: '' } });
    fireEvent.change(within(f).getByLabelText('Traffic'), { target: { value: 'all' } });
    fireEvent.click(within(f).getByLabelText('Enabled'));
    fireEvent.click(within(f).getByRole('button', { name: 'Save rule' }));
    await waitFor(() => expect(api.changes()).toHaveLength(1));
    expect(api.changes()[0]!.method).toBe('PUT');
    expect(api.changes()[0]!.url.pathname).toBe('/api/alert-rules/r1');
    expect(api.changes()[0]!.body).toEqual({
      name: 'Spend p95',
      agent_id: AGENT,
      metric: 'cost',
      aggregation: 'p95',
      window_minutes: 60,
      comparator: '>',
      warning: 0.5,
      critical: null,
      filters: { production: 'all' },
      min_volume: 1,
      no_data: 'ok',
      channel_ids: ['ch-log'],
      enabled: false,
    });
  });

  it('previews what the rule would say now', async () => {
    const preview = rulePreviewResponse.parse({
      rule: { ...rule('x'), rule_id: undefined },
      at: '2026-11-30T12:05:00.000Z',
      results: [
        {
          agent_id: AGENT,
          value: 41_500,
          volume: 37,
          window: { from: '2026-11-30T10:00:00.000Z', to: '2026-11-30T12:05:00.000Z' },
          severity: 'warning',
          no_data: false,
        },
      ],
    });
    const api = open(
      fake({
        'POST /api/alert-rules/preview': () => ({
          ...preview,
          rule: { ...preview.rule, metric: 'session_duration', warning: 30000, critical: 60000 },
        }),
      }),
    );
    const f = await newRule();
    fillValid(f);
    fireEvent.click(within(f).getByRole('button', { name: 'Preview' }));
    const table = await screen.findByRole('table', { name: 'Preview results' });
    const row = table.querySelector(`[data-preview="${AGENT}"]`)!;
    expect(row.textContent).toContain('41.5 s');
    expect(row.textContent).toContain('37');
    expect(row.querySelector('[data-outcome="warning"]')!.textContent).toBe('warning');
    expect(screen.getByRole('region', { name: 'Preview' }).textContent).toContain('Nov 30, 12:05');
    expect(api.changes()[0]!.url.pathname).toBe('/api/alert-rules/preview');
    expect((api.changes()[0]!.body as { metric: string }).metric).toBe('session_duration');
  });

  it('says clearly that a read-only key cannot create rules', async () => {
    open(
      fake({
        'POST /api/alert-rules': () =>
          json({ error: 'forbidden', detail: 'the key lacks the admin scope' }, 403),
      }),
    );
    const f = await newRule();
    fillValid(f);
    fireEvent.click(within(f).getByRole('button', { name: 'Create rule' }));
    await waitFor(() =>
      expect(errorFor('form')).toBe(
        'This API key cannot change alert settings: it needs the admin scope (403: the key lacks the admin scope).',
      ),
    );
  });
});

describe('Channels', () => {
  it('lists channels with masked targets only', async () => {
    open();
    const table = await screen.findByRole('table', { name: 'Channels' });
    expect(table.querySelector('[data-channel="ch-slack"] [data-target]')!.textContent).toBe(
      'https://hooks.slack.com/…x9Qz',
    );
    expect(table.querySelector('[data-channel="ch-hook"] [data-target]')!.textContent).toBe(
      'https://pager.example/…ook1 · signed',
    );
    expect(table.querySelector('[data-channel="ch-log"] [data-target]')!.textContent).toBe('the process log');
  });

  it('creates a webhook channel with its secret and never shows the secret afterwards', async () => {
    let channels = CHANNELS;
    const api = open(
      fake({
        'GET /api/channels': () => ({ channels }),
        'POST /api/channels': () => {
          const c = channel('ch-new', {
            type: 'webhook',
            name: 'new hook',
            url: 'https://recv.example/…hook',
            has_secret: true,
          });
          channels = [...CHANNELS, c];
          return json(c, 201);
        },
      }),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'New channel' }));
    const f = await screen.findByRole('form', { name: 'New channel' });
    fireEvent.change(within(f).getByLabelText('Type'), { target: { value: 'webhook' } });
    fireEvent.change(within(f).getByLabelText('Channel name'), { target: { value: 'new hook' } });
    fireEvent.change(within(f).getByLabelText('Webhook URL'), {
      target: { value: 'https://recv.example/vigil/hook' },
    });
    // Too short first: the contract's rule is shown and nothing is sent.
    fireEvent.change(within(f).getByLabelText('Signing secret'), { target: { value: 'short' } });
    fireEvent.click(within(f).getByRole('button', { name: 'Create channel' }));
    expect(errorFor('secret')).toBe('must be at least 16 characters');
    expect(api.changes()).toHaveLength(0);
    expect((within(f).getByLabelText('Signing secret') as HTMLInputElement).type).toBe('password');
    fireEvent.change(within(f).getByLabelText('Signing secret'), { target: { value: SECRET } });
    fireEvent.click(within(f).getByRole('button', { name: 'Create channel' }));
    await waitFor(() => expect(document.querySelector('[data-channel="ch-new"]')).toBeTruthy());
    expect(api.changes()[0]!.body).toEqual({
      type: 'webhook',
      name: 'new hook',
      url: 'https://recv.example/vigil/hook',
      secret: SECRET,
      notify_anomalies: true,
      min_severity: 'warning',
      agents: '*',
      enabled: true,
    });
    expect(screen.queryByRole('form', { name: 'New channel' })).toBeNull();
    expect(document.body.innerHTML).not.toContain(SECRET);
    expect(document.body.innerHTML).not.toContain('recv.example/vigil/hook');
    for (const input of document.querySelectorAll('input')) expect(input.value).not.toBe(SECRET);
  });

  it('edits a Slack channel without its URL (kept) and with a new one, never prefilling it', async () => {
    const api = open(fake({ 'PUT /api/channels/ch-slack': () => CHANNELS[1] }));
    const table = await screen.findByRole('table', { name: 'Channels' });
    const row = table.querySelector('[data-channel="ch-slack"]') as HTMLElement;
    fireEvent.click(within(row).getByRole('button', { name: 'Edit' }));
    let f = await screen.findByRole('form', { name: 'Edit channel ops slack' });
    const url = within(f).getByLabelText('Slack webhook URL') as HTMLInputElement;
    expect(url.value).toBe('');
    expect(url.placeholder).toBe('https://hooks.slack.com/…x9Qz');
    fireEvent.change(within(f).getByLabelText('Severity'), { target: { value: 'critical' } });
    fireEvent.click(within(f).getByRole('button', { name: 'Save channel' }));
    await waitFor(() => expect(api.changes()).toHaveLength(1));
    expect(api.changes()[0]!.body).toEqual({
      type: 'slack',
      name: 'ops slack',
      notify_anomalies: true,
      min_severity: 'critical',
      agents: '*',
      enabled: true,
    });
    await waitFor(() => expect(screen.queryByRole('form', { name: /Edit channel/ })).toBeNull());
    fireEvent.click(within(row).getByRole('button', { name: 'Edit' }));
    f = await screen.findByRole('form', { name: 'Edit channel ops slack' });
    fireEvent.change(within(f).getByLabelText('Slack webhook URL'), { target: { value: SLACK_URL } });
    fireEvent.click(within(f).getByRole('button', { name: 'Save channel' }));
    await waitFor(() => expect(api.changes()).toHaveLength(2));
    expect((api.changes()[1]!.body as { webhook_url: string }).webhook_url).toBe(SLACK_URL);
    await waitFor(() => expect(screen.queryByRole('form', { name: /Edit channel/ })).toBeNull());
    expect(document.body.innerHTML).not.toContain('sekrit');
  });

  it('shows the server 400 on the channel field it names', async () => {
    open(
      fake({
        'POST /api/channels': () =>
          json(
            { error: 'validation', field: 'topic_arn', detail: 'topic_arn: topic not in this account' },
            400,
          ),
      }),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'New channel' }));
    const f = await screen.findByRole('form', { name: 'New channel' });
    fireEvent.change(within(f).getByLabelText('Type'), { target: { value: 'sns' } });
    fireEvent.change(within(f).getByLabelText('Channel name'), { target: { value: 'email' } });
    fireEvent.change(within(f).getByLabelText('SNS topic ARN'), {
      target: { value: 'arn:aws:sns:us-east-1:123456789012:alerts' },
    });
    fireEvent.click(within(f).getByRole('button', { name: 'Create channel' }));
    await waitFor(() => expect(errorFor('topicArn')).toBe('topic_arn: topic not in this account'));
  });

  it('sends a test and shows the result, success or failure', async () => {
    const api = open(
      fake({
        'POST /api/channels/ch-log/test': () => ({ channel_id: 'ch-log', ok: true, error: null }),
        'POST /api/channels/ch-hook/test': () => ({
          channel_id: 'ch-hook',
          ok: false,
          error: 'HTTP 410 from receiver',
        }),
      }),
    );
    const table = await screen.findByRole('table', { name: 'Channels' });
    const log = table.querySelector('[data-channel="ch-log"]') as HTMLElement;
    const hook = table.querySelector('[data-channel="ch-hook"]') as HTMLElement;
    fireEvent.click(within(log).getByRole('button', { name: 'Send test' }));
    fireEvent.click(within(hook).getByRole('button', { name: 'Send test' }));
    await waitFor(() =>
      expect(log.querySelector('[data-test-result="ok"]')?.textContent).toBe('Test delivered'),
    );
    await waitFor(() =>
      expect(hook.querySelector('[data-test-result="failed"]')?.textContent).toBe(
        'Test failed: HTTP 410 from receiver',
      ),
    );
    expect(api.changes().map((r) => [r.method, r.url.pathname, r.body])).toEqual([
      ['POST', '/api/channels/ch-log/test', {}],
      ['POST', '/api/channels/ch-hook/test', {}],
    ]);
  });

  it('says clearly that a read-only key cannot send a test or delete', async () => {
    const forbidden = () => json({ error: 'forbidden', detail: 'the key lacks the admin scope' }, 403);
    open(fake({ 'POST /api/channels/ch-log/test': forbidden, 'DELETE /api/channels/ch-log': forbidden }));
    const table = await screen.findByRole('table', { name: 'Channels' });
    const log = table.querySelector('[data-channel="ch-log"]') as HTMLElement;
    fireEvent.click(within(log).getByRole('button', { name: 'Send test' }));
    await waitFor(() =>
      expect(log.querySelector('[data-test-result="failed"]')?.textContent).toContain(
        'needs the admin scope (403',
      ),
    );
    fireEvent.click(within(log).getByRole('button', { name: 'Delete' }));
    fireEvent.click(within(log).getByRole('button', { name: 'Confirm delete' }));
    await waitFor(() => expect(log.querySelectorAll('[role="alert"]')).toHaveLength(2));
    expect(table.querySelector('[data-channel="ch-log"]')).toBeTruthy();
  });
});
