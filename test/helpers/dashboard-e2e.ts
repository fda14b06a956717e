import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import {
  CHROMIUM,
  chromiumAvailable,
  ensureFrontendBuilt,
  type IsolatedBrowser,
  type IsolatedVigil,
  launchIsolatedBrowser,
  startIsolatedVigil,
} from './browser';

/**
 * The set-up the dashboard's browser tests share: the built dashboard served by `local/bin/vigil.ts`
 * from a fresh data directory, and headless Chromium on it (both in a loopback-only namespace, see
 * browser.ts), with every script error, console error and request to another host collected.
 */

export const SHOTS = resolve(import.meta.dirname, '../e2e/screenshots');

export interface DashboardInChromium {
  readonly vigil: IsolatedVigil;
  readonly page: Page;
  readonly dataDir: string;
  /** Page errors and console errors, in order. */
  readonly problems: string[];
  /** URLs the page asked of any host but the runtime's. */
  readonly offHost: string[];
  /** Saves a full-page screenshot as test/e2e/screenshots/<name>.png. */
  shot(name: string): Promise<void>;
  /** Opens the dashboard at `search` (e.g. `?agent=a&view=incidents`). */
  go(search: string): Promise<void>;
  /** Enters the API key on the first screen and waits for the agents table, which it returns. */
  signIn(): Promise<Locator>;
  /** The current URL's query. */
  params(): URLSearchParams;
}

/**
 * Registers the suite's beforeAll/afterAll: `prepare` fills the data directory before the runtime
 * serves it (the in-process runtime on a fake clock), `loaded` runs against the served runtime before
 * the browser opens (e.g. the demo generator inside the namespace).
 */
export function dashboardInChromium(options: {
  key: string;
  /** Prefix of the temporary data directory. */
  name: string;
  timeoutMs: number;
  prepare?: (dataDir: string) => Promise<void>;
  loaded?: (vigil: IsolatedVigil) => Promise<void>;
}): DashboardInChromium {
  let vigil: IsolatedVigil | undefined;
  let browser: IsolatedBrowser | undefined;
  let page: Page | undefined;
  let dataDir = '';
  const problems: string[] = [];
  const offHost: string[] = [];
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the dashboard is not started (used outside a test?)');
    return v;
  };

  beforeAll(async () => {
    if (!chromiumAvailable())
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    mkdirSync(SHOTS, { recursive: true });
    ensureFrontendBuilt();
    dataDir = mkdtempSync(join(tmpdir(), `vigil-e2e-${options.name}-`));
    await options.prepare?.(dataDir);
    const v = await startIsolatedVigil(dataDir, options.key);
    vigil = v;
    await options.loaded?.(v);
    browser = await launchIsolatedBrowser(v);
    const p = browser.context.pages()[0] ?? (await browser.context.newPage());
    page = p;
    p.setDefaultTimeout(15_000);
    p.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    p.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    p.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith(v.url) && !u.startsWith('data:') && !u.startsWith('blob:')) offHost.push(u);
    });
  }, options.timeoutMs);

  afterAll(async () => {
    await browser?.close();
    await vigil?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const self: DashboardInChromium = {
    get vigil() {
      return started(vigil);
    },
    get page() {
      return started(page);
    },
    get dataDir() {
      return dataDir;
    },
    problems,
    offHost,
    shot: async (name) => {
      await self.page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    },
    go: async (search) => {
      await self.page.goto(`${self.vigil.url}/${search}`);
    },
    signIn: async () => {
      await self.go('');
      await self.page.fill('input[name="api-key"]', options.key);
      await self.page.click('button[type="submit"]');
      const table = self.page.locator('table[aria-label="Agents"]');
      await table.waitFor();
      return table;
    },
    params: () => new URL(self.page.url()).searchParams,
  };
  return self;
}
