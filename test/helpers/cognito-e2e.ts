import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import {
  CHROMIUM,
  chromiumAvailable,
  ensureFrontendBuilt,
  type IsolatedVigil,
  loadDemoData,
  startIsolatedVigil,
} from './browser';
import type { FakeUser, WorldLog } from './fake-cognito';

/**
 * The set-up of the dashboard's Cognito sign-in test in headless Chromium, in one loopback-only network
 * namespace (see browser.ts): the real runtime with a little demo traffic; the fake user pool, the
 * fake JWT API in front of the runtime and the built dashboard with a Cognito config.json
 * (fake-cognito-main.ts); and Chromium, which resolves the real AWS host names of the pool
 * (`cognito-idp.<region>.amazonaws.com`) and of the API to the fakes (--host-resolver-rules) and
 * accepts their self-signed certificate — so the dashboard runs exactly as deployed, over HTTPS,
 * cross-origin, with CORS preflights.
 */

const ROOT = resolve(import.meta.dirname, '../..');
export const SHOTS = resolve(import.meta.dirname, '../e2e/screenshots');
export const REGION = 'eu-west-1';
export const USER_POOL_ID = `${REGION}_E2eP00l1`;
export const CLIENT_ID = '5e2ecl1ent0000000000000abc';
export const COGNITO_HOST = `cognito-idp.${REGION}.amazonaws.com`;
export const API_HOST = `e2ejwtapi1.execute-api.${REGION}.amazonaws.com`;

export interface CognitoDashboard {
  readonly vigil: IsolatedVigil;
  /** The dashboard's URL (http://127.0.0.1:…/). */
  readonly url: string;
  /** A new tab (fresh sessionStorage, so signed out), with page and console errors collected. */
  newPage(): Promise<Page>;
  /** Page errors and console errors of every tab, in order. */
  readonly problems: string[];
  /** Everything the fakes received so far. */
  log(): Promise<WorldLog>;
  /** Moves the fake pool's and API's clock forward (the browser's stays). */
  advance(ms: number): Promise<void>;
  refreshTokenState(token: string): Promise<'valid' | 'revoked' | 'unknown'>;
  /** Revokes every refresh token of the user at the fake pool; resolves with how many. */
  revokeUser(username: string): Promise<number>;
  shot(page: Page, name: string): Promise<void>;
}

/** A self-signed certificate for the two AWS host names (the browser is told to accept it). */
function makeCertificate(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      `/CN=${COGNITO_HOST}`,
      '-addext',
      `subjectAltName=DNS:${COGNITO_HOST},DNS:${API_HOST}`,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl could not make a test certificate: ${r.stderr ?? r.error}`);
  return { certFile, keyFile };
}

export function cognitoDashboardInChromium(options: {
  key: string;
  users: FakeUser[];
  timeoutMs: number;
}): CognitoDashboard {
  let vigil: IsolatedVigil | undefined;
  let world: ChildProcess | undefined;
  let context: BrowserContext | undefined;
  let url = '';
  const dirs: string[] = [];
  const problems: string[] = [];
  const pending = new Map<number, (v: unknown) => void>();
  let serial = 0;

  const call = <T>(op: string, args: Record<string, unknown> = {}) =>
    new Promise<T>((ok, fail) => {
      if (!world?.stdin) {
        fail(new Error('the fake Cognito world is not running'));
        return;
      }
      serial += 1;
      pending.set(serial, ok as (v: unknown) => void);
      world.stdin.write(`${JSON.stringify({ id: serial, op, ...args })}\n`);
    });

  beforeAll(async () => {
    if (!chromiumAvailable())
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    mkdirSync(SHOTS, { recursive: true });
    ensureFrontendBuilt();
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-e2e-cognito-'));
    const work = mkdtempSync(join(tmpdir(), 'vigil-cognito-world-'));
    dirs.push(dataDir, work);
    const v = await startIsolatedVigil(dataDir, options.key);
    vigil = v;
    await loadDemoData(v, { sessions: 40, days: 1 });

    const tls = makeCertificate(work);
    const node = [process.execPath, '--import', 'tsx', 'test/helpers/fake-cognito-main.ts'];
    const argv = v.netnsPid ? ['nsenter', '-t', String(v.netnsPid), '-n', '--', ...node] : node;
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: ROOT,
      env: {
        ...process.env,
        FAKE_COGNITO_OPTIONS: JSON.stringify({
          region: REGION,
          userPoolId: USER_POOL_ID,
          clientId: CLIENT_ID,
          apiHost: API_HOST,
          users: options.users,
          vigilUrl: v.url,
          vigilKey: options.key,
          distDir: join(ROOT, 'frontend/dist'),
          ...tls,
        }),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    world = child;
    let errors = '';
    child.stderr!.on('data', (d) => {
      errors += d;
    });
    const ports = await new Promise<{ cognitoPort: number; apiPort: number; dashboardPort: number }>(
      (ok, fail) => {
        const timer = setTimeout(
          () => fail(new Error(`the fake Cognito world did not start:\n${errors}`)),
          30_000,
        );
        child.once('exit', (code) => {
          clearTimeout(timer);
          fail(new Error(`the fake Cognito world exited (${code}):\n${errors}`));
        });
        createInterface({ input: child.stdout! }).on('line', (line) => {
          if (line.startsWith('READY ')) {
            clearTimeout(timer);
            ok(JSON.parse(line.slice(6)));
            return;
          }
          const msg = JSON.parse(line) as { id: number; result: unknown };
          pending.get(msg.id)?.(msg.result);
          pending.delete(msg.id);
        });
      },
    );
    url = `http://127.0.0.1:${ports.dashboardPort}/`;

    // Chromium in the namespace (as browser.ts does), resolving the AWS host names to the fakes.
    let executablePath = CHROMIUM;
    if (v.netnsPid) {
      executablePath = join(work, 'chromium-netns.sh');
      writeFileSync(executablePath, `#!/bin/sh\nexec nsenter -t ${v.netnsPid} -n -- ${CHROMIUM} "$@"\n`);
      chmodSync(executablePath, 0o755);
    }
    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--host-resolver-rules=MAP ${COGNITO_HOST} 127.0.0.1:${ports.cognitoPort}, MAP ${API_HOST} 127.0.0.1:${ports.apiPort}`,
      ],
      ignoreHTTPSErrors: true,
      viewport: { width: 1300, height: 850 },
      timeout: 30_000,
    });
  }, options.timeoutMs);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (world && world.exitCode === null) {
      world.stdin?.end();
      await new Promise((ok) => {
        const timer = setTimeout(() => {
          world?.kill('SIGKILL');
          ok(null);
        }, 5000);
        world?.once('exit', () => {
          clearTimeout(timer);
          ok(null);
        });
      });
    }
    await vigil?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  return {
    get vigil() {
      if (!vigil) throw new Error('not started');
      return vigil;
    },
    get url() {
      return url;
    },
    problems,
    async newPage() {
      if (!context) throw new Error('not started');
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      return page;
    },
    log: () => call<WorldLog>('log'),
    advance: async (ms) => {
      await call('advance', { ms });
    },
    refreshTokenState: (token) => call('refresh-token-state', { token }),
    revokeUser: (username) => call('revoke-user', { username }),
    shot: async (page, name) => {
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    },
  };
}
