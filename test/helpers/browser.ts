import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/**
 * Browser tests and the dashboard benchmark: the real local runtime and Debian's Chromium, both inside
 * one loopback-only network namespace.
 *
 * Chromium looks up an update host on start even with every --disable-* flag, so it must not see a
 * network. A new network namespace has only its own loopback, so the server has to live in the same
 * namespace as the browser: the server is started under `unshare -n` (it is the namespace's first
 * process), and the demo generator and Chromium join it with `nsenter -t <server pid> -n`. Playwright
 * talks to Chromium over pipes (--remote-debugging-pipe), not TCP, so the test process itself stays in
 * the host namespace. This needs root (CI runs as root); elsewhere the helpers fall back to the host's
 * loopback and say so.
 */

const ROOT = resolve(import.meta.dirname, '../..');
export const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let netnsSupport: boolean | null = null;

/** True when this process may create a network namespace (root, util-linux, iproute2). */
export function canIsolateNetwork(): boolean {
  if (netnsSupport !== null) return netnsSupport;
  if (process.env.VIGIL_E2E_NO_NETNS === '1') {
    netnsSupport = false;
    return false;
  }
  const r = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && command -v nsenter >/dev/null'], {
    stdio: 'ignore',
    timeout: 5000,
  });
  netnsSupport = r.status === 0;
  return netnsSupport;
}

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** Builds frontend/dist when it is missing or stale (the same check `npm start` runs). */
export function ensureFrontendBuilt(): void {
  const r = spawnSync(process.execPath, ['scripts/ensure-frontend.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('building the dashboard failed');
}

export interface IsolatedVigil {
  url: string;
  key: string;
  /** The server's pid, which is also the handle of the network namespace (null without one). */
  netnsPid: number | null;
  child: ChildProcess;
  output: () => string;
  /** Runs a command in the server's namespace and resolves with its output (throws on exit ≠ 0). */
  run(args: string[], timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `local/bin/vigil.ts` (real runtime, DuckDB in dataDir) in a fresh loopback-only namespace. */
export async function startIsolatedVigil(dataDir: string, apiKey: string): Promise<IsolatedVigil> {
  const isolated = canIsolateNetwork();
  const node = [process.execPath, '--import', 'tsx', 'local/bin/vigil.ts'];
  const [cmd, ...args] = isolated
    ? ['unshare', '-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', ...node]
    : node;
  const child = spawn(cmd!, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      VIGIL_DATA_DIR: dataDir,
      VIGIL_API_KEY: apiKey,
      VIGIL_LOG_LEVEL: 'ERROR',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`vigil did not start:\n${out}`)), 30_000);
    const check = () => {
      const m = /running at (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`vigil exited (${code}):\n${out}`));
    });
  });
  const netnsPid = isolated ? child.pid! : null;
  const run = (argv: string[], timeoutMs = 120_000) =>
    new Promise<string>((ok, fail) => {
      const full = netnsPid ? ['nsenter', '-t', String(netnsPid), '-n', '--', ...argv] : argv;
      const p = spawn(full[0]!, full.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      p.stdout!.on('data', (d) => {
        text += d;
      });
      p.stderr!.on('data', (d) => {
        text += d;
      });
      const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
      p.once('exit', (code) => {
        clearTimeout(timer);
        if (code === 0) ok(text);
        else fail(new Error(`${argv.join(' ')} exited ${code}:\n${text.slice(-2000)}`));
      });
    });
  return {
    url,
    key: apiKey,
    netnsPid,
    child,
    output: () => out,
    run,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((ok) => setTimeout(ok, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Fills the runtime with the demo generator's traffic (scripts/demo.ts), run inside the namespace. */
export async function loadDemoData(
  v: IsolatedVigil,
  options: { sessions: number; days?: number; seed?: number },
): Promise<string> {
  return v.run([
    process.execPath,
    '--import',
    'tsx',
    'scripts/demo.ts',
    '--url',
    v.url,
    '--key',
    v.key,
    '--sessions',
    String(options.sessions),
    '--days',
    String(options.days ?? 30),
    '--seed',
    String(options.seed ?? 42),
  ]);
}

export interface IsolatedBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium (TOOLING.md flags, fresh profile) in the server's namespace through a
 * tiny wrapper script used as the executable.
 */
export async function launchIsolatedBrowser(
  v: Pick<IsolatedVigil, 'netnsPid'>,
  options: { downloads?: boolean } = {},
): Promise<IsolatedBrowser> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-browser-'));
  let executablePath = CHROMIUM;
  if (v.netnsPid) {
    executablePath = join(dir, 'chromium-netns.sh');
    writeFileSync(executablePath, `#!/bin/sh\nexec nsenter -t ${v.netnsPid} -n -- ${CHROMIUM} "$@"\n`);
    chmodSync(executablePath, 0o755);
  }
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
    acceptDownloads: options.downloads ?? true,
    timeout: 30_000,
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
