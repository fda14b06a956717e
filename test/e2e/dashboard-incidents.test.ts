import { describe, expect, it } from 'vitest';
import { runDemo } from '../../scripts/demo';
import { dashboardInChromium } from '../helpers/dashboard-e2e';
import { FakeClock, startVigil, TEST_ADMIN_KEY } from '../helpers/local-runtime';
import { HOUR } from '../helpers/traffic';

const MINUTE = 60_000;

/**
 * The Incidents and Alert rules views end to end. Incidents need history and checks over time, so the
 * data directory is prepared first with the real runtime in this process on a fake clock (as in
 * demo-incidents.test.ts): three days of demo traffic ending three hours ago, a `log` channel and two
 * rules, and the anomaly job run at the right moments — a 7-day rule that stays open and a 3-hour rule
 * that opens, sees its window empty and resolves. The runtime is then closed and `local/bin/vigil.ts`
 * serves the same directory to headless Chromium in a loopback-only namespace (test/helpers/browser.ts).
 */

const KEY = TEST_ADMIN_KEY;
const AGENT = 'support-bot';

const prepared: { open: string[]; resolved: string[]; channelId: string } = {
  open: [],
  resolved: [],
  channelId: '',
};

/** History, a channel, rules and incidents, made with the in-process runtime and a fake clock. */
async function prepare(dir: string): Promise<void> {
  const t0 = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
  const clock = new FakeClock(t0);
  const v = await startVigil({ clock, dataDir: dir });
  try {
    const sent = await runDemo({ url: v.url, key: v.key, now: t0, sessions: 240, days: 3, progress: false });
    expect(sent.rejected).toBe(0);
    const channel = await v.call('POST', '/api/channels', { type: 'log', name: 'terminal' });
    expect(channel.status).toBe(201);
    prepared.channelId = channel.body.channel_id;
    const base = {
      agent_id: AGENT,
      metric: 'sessions',
      aggregation: 'count',
      comparator: '>=',
      warning: 1,
      channel_ids: [prepared.channelId],
    };
    for (const r of [
      { ...base, name: 'Any session this week', window_minutes: 10_080 },
      { ...base, name: 'Any session in 3 h', window_minutes: 180 },
    ]) {
      const res = await v.call('POST', '/api/alert-rules', r);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    await v.rt.anomalyJob();
    // Three quiet hours later the 3-hour window is empty (no data → normal); after the cooldown it resolves.
    clock.t = t0 + 3 * HOUR + 5 * MINUTE;
    await v.rt.anomalyJob();
    clock.t += 20 * MINUTE;
    await v.rt.anomalyJob();
    const list = await v.call('GET', `/api/agents/${AGENT}/incidents?status=all`);
    for (const i of list.body.incidents)
      (i.status === 'open' ? prepared.open : prepared.resolved).push(i.incident_id);
  } finally {
    await v.stop();
  }
}

const ui = dashboardInChromium({ key: KEY, name: 'incidents', timeoutMs: 180_000, prepare });
const { problems, shot, params } = ui;

describe('Incidents and alert rules in Chromium', () => {
  it('prepared one open and one resolved rule incident', () => {
    expect(prepared.open).toHaveLength(1);
    expect(prepared.resolved).toHaveLength(1);
  });

  it('lists the incidents, opens one, and follows a top session to its deep dive', async () => {
    await ui.signIn();
    await ui.go(`?agent=${AGENT}&view=incidents`);
    const open = ui.page.locator('table[aria-label="Open incidents"]');
    const resolved = ui.page.locator('table[aria-label="Resolved incidents"]');
    await open.locator(`tr[data-incident="${prepared.open[0]}"]`).waitFor();
    await resolved.locator(`tr[data-incident="${prepared.resolved[0]}"]`).waitFor();
    await expect(open.locator('tbody tr').first().locator('.badge').first().textContent()).resolves.toBe(
      'warning',
    );

    await open.locator(`tr[data-incident="${prepared.open[0]}"] a`).click();
    await ui.page.waitForFunction(
      (id) => new URLSearchParams(location.search).get('incident') === id,
      prepared.open[0],
    );
    const detail = ui.page.locator(`[data-incident-detail="${prepared.open[0]}"]`);
    await detail.waitFor();
    await expect(detail.locator('[data-fact="value"]').textContent()).resolves.toMatch(/^\d/);
    await expect(detail.locator('[data-timeline="opened"]').count()).resolves.toBe(1);
    // The log channel got the opening notice. Its name comes with the channel list, which may answer
    // after the incident (the id shows until then), so wait for it rather than read the table once.
    await detail.locator('table[aria-label="Deliveries"] td', { hasText: 'terminal (log)' }).waitFor();
    const top = detail.locator('table[aria-label="Top sessions"] tbody tr a');
    await top.first().waitFor();
    const overview = new URLSearchParams(
      (await detail.getByRole('link', { name: 'Open on Overview' }).getAttribute('href'))!,
    );
    expect(overview.get('from')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(overview.get('to')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await shot('incidents');

    const sessionId = await top.first().textContent();
    await top.first().click();
    await ui.page.waitForSelector('[data-session-detail]');
    expect(params().get('session')).toBe(sessionId);
    expect(params().get('agent')).toBe(AGENT);
  });

  it('acknowledges the open incident through the API', async () => {
    await ui.go(`?agent=${AGENT}&view=incidents&incident=${prepared.open[0]}`);
    const detail = ui.page.locator(`[data-incident-detail="${prepared.open[0]}"]`);
    await detail.waitFor();
    await detail.getByLabel('Note').fill('looking into it');
    await detail.getByRole('button', { name: 'Acknowledge' }).click();
    await detail.locator('[data-acknowledged="true"]').waitFor();
    await expect(detail.locator('[data-timeline="acknowledged"]').textContent()).resolves.toContain(
      'looking into it',
    );
  });

  it('creates a rule with a log channel through the editor and lists it', async () => {
    await ui.go(`?agent=${AGENT}&view=alerts`);
    const channels = ui.page.locator('table[aria-label="Channels"]');
    await channels.locator(`tr[data-channel="${prepared.channelId}"]`).waitFor();
    await ui.page.getByRole('button', { name: 'New channel' }).click();
    const cform = ui.page.getByRole('form', { name: 'New channel' });
    await cform.getByLabel('Type').selectOption('log');
    await cform.getByLabel('Channel name').fill('e2e log');
    await cform.getByRole('button', { name: 'Create channel' }).click();
    const row = channels.locator('tr', { hasText: 'e2e log' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Send test' }).click();
    await expect(row.locator('[data-test-result]').textContent()).resolves.toBe('Test delivered');

    const rules = ui.page.locator('table[aria-label="Alert rules"]');
    await rules.locator('tbody tr').first().waitFor();
    await ui.page.getByRole('button', { name: 'New rule' }).click();
    const form = ui.page.getByRole('form', { name: 'New alert rule' });
    await form.getByLabel('Name', { exact: true }).fill('E2E expensive sessions');
    await form.getByLabel('Metric').selectOption('cost');
    await form.getByLabel('Aggregation').selectOption('p95');
    await form.getByLabel('Window (minutes)').fill('1440');
    await form.getByLabel('Warning level').fill('0.5');
    await form.getByLabel('Critical level').fill('2');
    await form.getByLabel('Channels').selectOption({ label: 'e2e log (log)' });
    await form.getByRole('button', { name: 'Preview' }).click();
    await form.locator(`table[aria-label="Preview results"] tr[data-preview="${AGENT}"]`).waitFor();
    await shot('alert-rules');
    await form.getByRole('button', { name: 'Create rule' }).click();
    const created = rules.locator('tr', { hasText: 'E2E expensive sessions' });
    await created.waitFor();
    await expect(created.textContent()).resolves.toContain('cost p95 > 0.5 warning, 2 critical over 24 h');
    await expect(created.textContent()).resolves.toContain('e2e log');
  });

  it('had no script errors', () => {
    expect(problems).toEqual([]);
  });
});
