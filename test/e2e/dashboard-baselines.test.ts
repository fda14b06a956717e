import { describe, expect, it } from 'vitest';
import { dashboardInChromium } from '../helpers/dashboard-e2e';
import { loadDemoFast } from '../helpers/fast-demo';
import { FakeClock, startVigil, TEST_ADMIN_KEY } from '../helpers/local-runtime';

/**
 * The Baselines view and the overview's "outside its band" markers end to end.
 *
 * The demo data's anomalies all lie days in the past, and by now the baseline has absorbed the one that
 * lasts (support-bot's slower deploy), so whether a metric is outside its band *now* depends on the
 * hour the test runs. The test therefore makes one: the data directory is prepared with the real runtime
 * in this process (as dashboard-incidents.test.ts does) — a month of demo traffic ending now (the
 * demo's 3000 sessions), the baseline job, then a burst of 30 support-bot sessions in the last 15
 * minutes that all fail. The runtime is closed and `local/bin/vigil.ts` serves the same directory to headless Chromium in a
 * loopback-only namespace (test/helpers/browser.ts).
 *
 * Why the burst is judged whatever the minute: the status check reads the current hour, widened to the
 * previous one while it covers less than 20 minutes, so sessions of the last 15 minutes before the
 * preparation are inside its window for at least 5 minutes after it (the browser asks within seconds).
 */

const KEY = TEST_ADMIN_KEY;
const AGENT = 'support-bot';
const MINUTE = 60_000;
const DAY = 86_400_000;
const BURST = 30;

let preparedAt = 0;

/** Sessions that each fail an LLM call, started in the last 15 minutes before `now` and finished. */
function failingBurst(now: number) {
  const sessions = [];
  const events = [];
  for (let i = 0; i < BURST; i++) {
    const start = now - 15 * MINUTE + i * 25_000;
    const sid = `burst-${now}-${i}`;
    sessions.push({
      session_id: sid,
      production_monitoring: true,
      tags: ['tier:free'],
      started_at: new Date(start).toISOString(),
      ended_at: new Date(start + 4_000).toISOString(),
      is_successful: false,
    });
    events.push(
      {
        event_id: `${sid}-ok`,
        session_id: sid,
        type: 'llm',
        started_at: new Date(start + 100).toISOString(),
        duration_ms: 900,
        model: 'gpt-4o-mini',
        provider: 'openai',
        usage: { input_tokens: 1200, output_tokens: 150 },
      },
      {
        event_id: `${sid}-fail`,
        session_id: sid,
        type: 'llm',
        started_at: new Date(start + 1_200).toISOString(),
        duration_ms: 300,
        model: 'gpt-4o-mini',
        provider: 'openai',
        error: { message: 'Service unavailable', type: 'APIError', status_code: 503 },
      },
    );
  }
  return { agent_id: AGENT, sessions, events };
}

/** A month of demo traffic ending now, today's baselines, and the failing burst. */
async function prepare(dir: string): Promise<void> {
  const now = Date.now();
  const clock = new FakeClock(now);
  const v = await startVigil({ clock, dataDir: dir });
  try {
    // The demo's full 3000 sessions, so the busiest tags get baselines of their own, sent as in
    // demo-incidents.test.ts without the per-request commit (one at the end).
    const sent = await loadDemoFast(v, { now, progress: false });
    expect(sent.rejected).toBe(0);
    // A baseline for each of the last 8 days, as the daily job would have left them, so the bands of
    // the 7-day chart come from the baseline in force each day; then today's at `now`.
    for (let day = Math.floor(now / DAY) - 8; day < Math.floor(now / DAY); day++) {
      clock.t = (day + 1) * DAY + 5 * MINUTE;
      await v.rt.baselineJob();
    }
    clock.t = now;
    const baselines = await v.rt.baselineJob();
    expect(baselines.baselines).toBeGreaterThan(0);
    const burst = await v.call('POST', '/api/v1/batch', failingBurst(now));
    expect(burst.status, JSON.stringify(burst.body)).toBeLessThan(300);
    const status = await v.call('GET', `/api/agents/${AGENT}/baselines/status`);
    const errorRate = status.body.metrics.find((m: { metric: string }) => m.metric === 'error_rate');
    expect(status.body.baseline?.status).toBe('ready');
    expect(errorRate?.state, JSON.stringify(errorRate)).toBe('outside');
  } finally {
    await v.stop();
  }
  preparedAt = now;
}

const ui = dashboardInChromium({ key: KEY, name: 'baselines', timeoutMs: 240_000, prepare });
const { problems, shot, params } = ui;

describe('Baselines in Chromium', () => {
  it('draws every metric against its band, with the status table', async () => {
    // The judgement window argument above holds for 5 minutes after the preparation.
    expect(Date.now() - preparedAt).toBeLessThan(5 * MINUTE);
    await ui.signIn();
    await ui.go(`?agent=${AGENT}&view=baselines`);
    await ui.page.waitForSelector('[data-chart="band-error_rate"][data-has-data="true"]');
    await ui.page.waitForSelector('[data-chart="band-cost_per_session"][data-has-data="true"]');
    // The demo month gives a band for the whole week shown.
    await expect(
      ui.page.locator('[data-chart="band-cost_per_session"] .band-area path').count(),
    ).resolves.toBeGreaterThan(0);
    // The burst's hour is outside the error-rate band.
    await expect(
      ui.page.locator('[data-chart="band-error_rate"] circle[data-outside="above"]').count(),
    ).resolves.toBeGreaterThan(0);
    const row = ui.page.locator('table[aria-label="Current status per metric"] tr[data-metric="error_rate"]');
    await expect(row.getAttribute('data-state')).resolves.toBe('outside');
    await expect(row.textContent()).resolves.toMatch(/Above usual range/);
    await shot('baselines');
  });

  it('lists the slices that have a baseline and reads the chosen one', async () => {
    const slice = ui.page.getByLabel('Baseline slice');
    await ui.page.waitForSelector('select[aria-label="Baseline slice"] option[value^="tag:"]', {
      state: 'attached',
    });
    const values = await slice
      .locator('option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(values[0]).toBe('all');
    const other = values.find((v) => v.startsWith('tag:'));
    expect(other, `slices offered: ${values.join(', ')}`).toBeDefined();
    const asked = ui.page.waitForRequest(
      (r) => r.url().includes('/baselines/series') && r.url().includes('slice=tag'),
    );
    await slice.selectOption(other!);
    await asked;
    expect(params().get('slice')).toBe(other);
    await ui.page.waitForSelector('[data-chart="band-error_rate"][data-has-data="true"]');
  });

  it('marks the overview card of the metric outside its band and links to its chart', async () => {
    await ui.go(`?agent=${AGENT}`);
    const marker = ui.page.locator('[data-stat="Error rate"] .baseline-marker');
    await marker.waitFor();
    await expect(marker.textContent()).resolves.toMatch(/above usual range/);
    await expect(marker.getAttribute('title')).resolves.toMatch(/usual range .* – /);
    await shot('overview-baseline-marker');
    await marker.click();
    await ui.page.waitForFunction(() => new URLSearchParams(location.search).get('view') === 'baselines');
    expect(params().get('metric')).toBe('error_rate');
    await ui.page.waitForSelector('[data-chart="band-error_rate"][data-has-data="true"]');
    await expect(ui.page.locator('[data-chart]').count()).resolves.toBe(1);
  });

  it('had no script errors', () => {
    expect(problems).toEqual([]);
  });
});
