import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM,
  canIsolateNetwork,
  chromiumAvailable,
  ensureFrontendBuilt,
  type IsolatedBrowser,
  type IsolatedVigil,
  launchIsolatedBrowser,
  loadDemoData,
  startIsolatedVigil,
} from '../helpers/browser';

/**
 * The dashboard end to end: the real local runtime (`local/bin/vigil.ts`, DuckDB) filled by the demo
 * generator (scripts/demo.ts), the built dashboard it serves, and Debian's headless Chromium — server,
 * generator and browser in one loopback-only network namespace (see test/helpers/browser.ts). Walks every
 * screen, applies a range and a filter, opens a session, steps its replay, exports it, and saves
 * screenshots to test/e2e/screenshots/.
 */

const KEY = 'vgl_e2e_dashboard_key_0123456789ab';
const SHOTS = resolve(import.meta.dirname, 'screenshots');
const DEMO_SESSIONS = 450;

let vigil: IsolatedVigil;
let browser: IsolatedBrowser;
let page: Page;
let dataDir: string;
const problems: string[] = [];
const offHost: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Waits until a chart with real data is drawn. */
async function chartWithData(id: string): Promise<void> {
  await page.waitForSelector(`[data-chart="${id}"][data-has-data="true"]`, { timeout: 15_000 });
}

async function go(search: string): Promise<void> {
  await page.goto(`${vigil.url}/${search}`);
}

const params = () => new URL(page.url()).searchParams;

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  mkdirSync(SHOTS, { recursive: true });
  ensureFrontendBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-e2e-dashboard-'));
  vigil = await startIsolatedVigil(dataDir, KEY);
  await loadDemoData(vigil, { sessions: DEMO_SESSIONS, days: 30 });
  browser = await launchIsolatedBrowser(vigil);
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(vigil.url) && !u.startsWith('data:') && !u.startsWith('blob:')) offHost.push(u);
  });
}, 100_000);

afterAll(async () => {
  await browser?.close();
  await vigil?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('dashboard in Chromium', () => {
  it('runs server and browser in a namespace whose only network is loopback', async () => {
    if (!canIsolateNetwork()) {
      console.warn('e2e: no network namespace (needs root); Chromium runs on the host loopback');
      return;
    }
    expect(vigil.netnsPid).not.toBeNull();
    const links = (await vigil.run(['ip', '-o', 'link'])).trim().split('\n');
    expect(links.map((l) => l.split(':')[1]!.trim())).toEqual(['lo']);
    expect((await vigil.run(['ip', 'route'])).trim()).toBe('');
  });

  it('asks for the key, then lists the demo agents', async () => {
    await go('');
    await page.fill('input[name="api-key"]', KEY);
    await page.click('button[type="submit"]');
    const table = page.locator('table[aria-label="Agents"]');
    await table.waitFor();
    for (const agent of ['support-bot', 'research-agent', 'triage-bot']) {
      await expect(table.locator(`tr[data-agent="${agent}"]`).count()).resolves.toBe(1);
    }
    await shot('agents');
    await table.locator('tr[data-agent="support-bot"] a.strong').click();
    await page.waitForSelector('[data-view="overview"]');
    expect(params().get('agent')).toBe('support-bot');
  });

  it('shows the overview, then applies a range and a tag filter through the URL', async () => {
    await chartWithData('cost-trend');
    await chartWithData('projection');
    await expect(page.locator('[data-stat="Total cost"] .stat-value').textContent()).resolves.toMatch(
      /^\$\d/,
    );
    await page.getByRole('button', { name: 'Last 30d' }).click();
    await page.waitForFunction(() => new URLSearchParams(location.search).get('range') === '30d');
    const filter = page.getByLabel('Tag or model filter');
    await page.waitForSelector('select[aria-label="Tag or model filter"] option[value="tag|tier:pro"]', {
      state: 'attached',
    });
    await filter.selectOption('tag|tier:pro');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('tag') === 'tier:pro');
    await chartWithData('cost-trend');
    await expect(page.locator('p.muted.small').first().textContent()).resolves.toContain('tier:pro');
    await shot('overview');
    await page.getByLabel('Theme').selectOption('dark');
    await chartWithData('cost-trend');
    await shot('overview-dark');
    await page.getByLabel('Theme').selectOption('system');
    // The same URL opened fresh shows the same view (shareable).
    await page.reload();
    await chartWithData('cost-trend');
    await expect(page.getByLabel('Tag or model filter').inputValue()).resolves.toBe('tag|tier:pro');
    await filter.selectOption('');
  });

  it('shows cost by bucket, outliers and a cheaper-model what-if', async () => {
    await go('?agent=support-bot&view=cost&range=30d');
    await chartWithData('cost-buckets');
    await page.getByRole('button', { name: 'Week', exact: true }).click();
    await page.waitForFunction(() => new URLSearchParams(location.search).get('bucket') === '1w');
    await chartWithData('cost-buckets');
    await page.locator('table[aria-label="Expensive sessions"] tbody tr').first().waitFor();
    await page.waitForSelector('select[aria-label="Cheaper model"] option[value="gpt-4o-mini"]', {
      state: 'attached',
    });
    await page.getByLabel('Cheaper model').selectOption('gpt-4o-mini');
    await expect(page.locator('[data-fact="what-if"]').textContent()).resolves.toMatch(
      /gpt-4o-mini would cost \$/,
    );
    await shot('cost');
  });

  it('shows errors by category and a group with its stack and sessions', async () => {
    await go('?agent=support-bot&view=errors&range=30d');
    await chartWithData('errors-by-category');
    const group = page.locator('table[aria-label="Error groups"] tbody.group').first();
    await group.locator('button.link-button').click();
    await group.getByRole('link', { name: 'All affected sessions →' }).waitFor();
    await shot('errors');
  });

  it('shows the latency distribution with percentiles', async () => {
    await go('?agent=support-bot&view=latency&range=30d');
    await chartWithData('duration-histogram');
    await chartWithData('latency-trend');
    await expect(page.locator('[data-chart="duration-histogram"] .chart-marker').count()).resolves.toBe(3);
    await shot('latency');
  });

  it('shows quality with rubric results', async () => {
    await go('?agent=support-bot&view=quality&range=30d');
    await chartWithData('quality-trend');
    await page.locator('[data-rubric]').first().waitFor();
    await shot('quality');
  });

  it('compares two tiers side by side', async () => {
    await go('?agent=support-bot&view=compare&range=30d&mode=tag&tag_key=tier&a=free&b=pro');
    await page.locator('table[aria-label="Comparison"]').waitFor();
    await chartWithData('compare-cost-a');
    await chartWithData('compare-cost-b');
    await expect(page.locator('[data-stat="Total cost"]').textContent()).resolves.toMatch(/A\s*\$.*B\s*\$/);
    await shot('compare');
  });

  it('lists sessions with errors', async () => {
    await go('?agent=support-bot&view=sessions&range=30d&has_error=true');
    const rows = page.locator('table[aria-label="Sessions"] tbody tr');
    await rows.first().waitFor();
    await shot('sessions');
  });

  it('opens a session, steps the replay and exports it as JSON and CSV', async () => {
    await go('?agent=support-bot&view=cost&range=30d');
    await page.locator('table[aria-label="Expensive sessions"] tbody tr a').first().click();
    await page.waitForSelector('[data-session-detail]');
    const sessionId = params().get('session')!;
    await expect(page.locator('.replay-position').textContent()).resolves.toMatch(/^Step 1 of \d+/);
    await page.getByRole('button', { name: 'Next step' }).click();
    await page.getByRole('button', { name: 'Next step' }).click();
    await expect(page.locator('.replay-position').textContent()).resolves.toMatch(/^Step 3 of \d+/);
    expect(params().get('step')).toBe('2');
    await expect(page.locator('[data-event-row].current').count()).resolves.toBe(1);
    await page.locator('[data-event-item] summary').first().click();
    await shot('session');

    const exportAs = async (label: string) => {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: label }).first().click(),
      ]);
      const file = join(dataDir, download.suggestedFilename());
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
