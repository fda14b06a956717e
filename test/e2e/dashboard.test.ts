import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canIsolateNetwork, loadDemoData } from '../helpers/browser';
import { dashboardInChromium } from '../helpers/dashboard-e2e';

/**
 * The dashboard end to end: the real local runtime (`local/bin/vigil.ts`, DuckDB) filled by the demo
 * generator (scripts/demo.ts), the built dashboard it serves, and Debian's headless Chromium — server,
 * generator and browser in one loopback-only network namespace (see test/helpers/browser.ts). Walks every
 * screen, applies a range and a filter, opens a session, steps its replay, exports it, and saves
 * screenshots to test/e2e/screenshots/.
 */

const KEY = 'vgl_e2e_dashboard_key_0123456789ab';
const DEMO_SESSIONS = 450;

const ui = dashboardInChromium({
  key: KEY,
  name: 'dashboard',
  timeoutMs: 100_000,
  loaded: async (v) => {
    await loadDemoData(v, { sessions: DEMO_SESSIONS, days: 30 });
  },
});
const { problems, offHost, shot, go, params } = ui;

/** Waits until a chart with real data is drawn. */
async function chartWithData(id: string): Promise<void> {
  await ui.page.waitForSelector(`[data-chart="${id}"][data-has-data="true"]`, { timeout: 15_000 });
}

describe('dashboard in Chromium', () => {
  it('runs server and browser in a namespace whose only network is loopback', async () => {
    if (!canIsolateNetwork()) {
      console.warn('e2e: no network namespace (needs root); Chromium runs on the host loopback');
      return;
    }
    expect(ui.vigil.netnsPid).not.toBeNull();
    const links = (await ui.vigil.run(['ip', '-o', 'link'])).trim().split('\n');
    expect(links.map((l) => l.split(':')[1]!.trim())).toEqual(['lo']);
    expect((await ui.vigil.run(['ip', 'route'])).trim()).toBe('');
  });

  it('asks for the key, then lists the demo agents', async () => {
    const table = await ui.signIn();
    for (const agent of ['support-bot', 'research-agent', 'triage-bot']) {
      await expect(table.locator(`tr[data-agent="${agent}"]`).count()).resolves.toBe(1);
    }
    await shot('agents');
    await table.locator('tr[data-agent="support-bot"] a.strong').click();
    await ui.page.waitForSelector('[data-view="overview"]');
    expect(params().get('agent')).toBe('support-bot');
  });

  it('shows the overview, then applies a range and a tag filter through the URL', async () => {
    await chartWithData('cost-trend');
    await chartWithData('projection');
    await expect(ui.page.locator('[data-stat="Total cost"] .stat-value').textContent()).resolves.toMatch(
      /^\$\d/,
    );
    await ui.page.getByRole('button', { name: 'Last 30d' }).click();
    await ui.page.waitForFunction(() => new URLSearchParams(location.search).get('range') === '30d');
    const filter = ui.page.getByLabel('Tag or model filter');
    await ui.page.waitForSelector('select[aria-label="Tag or model filter"] option[value="tag|tier:pro"]', {
      state: 'attached',
    });
    await filter.selectOption('tag|tier:pro');
    await ui.page.waitForFunction(() => new URLSearchParams(location.search).get('tag') === 'tier:pro');
    await chartWithData('cost-trend');
    await expect(ui.page.locator('p.muted.small').first().textContent()).resolves.toContain('tier:pro');
    await shot('overview');
    await ui.page.getByLabel('Theme').selectOption('dark');
    await chartWithData('cost-trend');
    await shot('overview-dark');
    await ui.page.getByLabel('Theme').selectOption('system');
    // The same URL opened fresh shows the same view (shareable).
    await ui.page.reload();
    await chartWithData('cost-trend');
    await expect(ui.page.getByLabel('Tag or model filter').inputValue()).resolves.toBe('tag|tier:pro');
    await filter.selectOption('');
  });

  it('shows cost by bucket, outliers and a cheaper-model what-if', async () => {
    await go('?agent=support-bot&view=cost&range=30d');
    await chartWithData('cost-buckets');
    await ui.page.getByRole('button', { name: 'Week', exact: true }).click();
    await ui.page.waitForFunction(() => new URLSearchParams(location.search).get('bucket') === '1w');
    await chartWithData('cost-buckets');
    await ui.page.locator('table[aria-label="Expensive sessions"] tbody tr').first().waitFor();
    await ui.page.waitForSelector('select[aria-label="Cheaper model"] option[value="gpt-4o-mini"]', {
      state: 'attached',
    });
    await ui.page.getByLabel('Cheaper model').selectOption('gpt-4o-mini');
    await expect(ui.page.locator('[data-fact="what-if"]').textContent()).resolves.toMatch(
      /gpt-4o-mini would cost \$/,
    );
    await shot('cost');
  });

  it('shows errors by category and a group with its stack and sessions', async () => {
    await go('?agent=support-bot&view=errors&range=30d');
    await chartWithData('errors-by-category');
    const group = ui.page.locator('table[aria-label="Error groups"] tbody.group').first();
    await group.locator('button.link-button').click();
    await group.getByRole('link', { name: 'All affected sessions →' }).waitFor();
    await shot('errors');
  });

  it('shows the latency distribution with percentiles', async () => {
    await go('?agent=support-bot&view=latency&range=30d');
    await chartWithData('duration-histogram');
    await chartWithData('latency-trend');
    await expect(ui.page.locator('[data-chart="duration-histogram"] .chart-marker').count()).resolves.toBe(3);
    await shot('latency');
  });

  it('shows quality with rubric results', async () => {
    await go('?agent=support-bot&view=quality&range=30d');
    await chartWithData('quality-trend');
    await ui.page.locator('[data-rubric]').first().waitFor();
    await shot('quality');
  });

  it('compares two tiers side by side', async () => {
    await go('?agent=support-bot&view=compare&range=30d&mode=tag&tag_key=tier&a=free&b=pro');
    await ui.page.locator('table[aria-label="Comparison"]').waitFor();
    await chartWithData('compare-cost-a');
    await chartWithData('compare-cost-b');
    await expect(ui.page.locator('[data-stat="Total cost"]').textContent()).resolves.toMatch(
      /A\s*\$.*B\s*\$/,
    );
    await shot('compare');
  });

  it('lists sessions with errors', async () => {
    await go('?agent=support-bot&view=sessions&range=30d&has_error=true');
    const rows = ui.page.locator('table[aria-label="Sessions"] tbody tr');
    await rows.first().waitFor();
    await shot('sessions');
  });

  it('opens a session, steps the replay and exports it as JSON and CSV', async () => {
    await go('?agent=support-bot&view=cost&range=30d');
    await ui.page.locator('table[aria-label="Expensive sessions"] tbody tr a').first().click();
    await ui.page.waitForSelector('[data-session-detail]');
    const sessionId = params().get('session')!;
    await expect(ui.page.locator('.replay-position').textContent()).resolves.toMatch(/^Step 1 of \d+/);
    await ui.page.getByRole('button', { name: 'Next step' }).click();
    await ui.page.getByRole('button', { name: 'Next step' }).click();
    await expect(ui.page.locator('.replay-position').textContent()).resolves.toMatch(/^Step 3 of \d+/);
    expect(params().get('step')).toBe('2');
    await expect(ui.page.locator('[data-event-row].current').count()).resolves.toBe(1);
    await ui.page.locator('[data-event-item] summary').first().click();
    await shot('session');

    const exportAs = async (label: string) => {
      const [download] = await Promise.all([
        ui.page.waitForEvent('download'),
        ui.page.getByRole('button', { name: label }).first().click(),
      ]);
      const file = join(ui.dataDir, download.suggestedFilename());
      await download.saveAs(file);
      return { name: download.suggestedFilename(), text: readFileSync(file, 'utf8') };
    };
    const json = await exportAs('Export JSON');
    expect(json.name).toBe(`${sessionId}.json`);
    const detail = JSON.parse(json.text) as { session: { session_id: string }; events: unknown[] };
    expect(detail.session.session_id).toBe(sessionId);
    expect(detail.events.length).toBeGreaterThan(2);
    const csv = await exportAs('Export CSV');
    expect(csv.name).toBe(`${sessionId}-events.csv`);
    expect(csv.text.split('\n').length).toBeGreaterThan(detail.events.length);
  });

  it('had no script errors and asked nothing of any other host', () => {
    expect(problems).toEqual([]);
    expect(offHost).toEqual([]);
  });
});
