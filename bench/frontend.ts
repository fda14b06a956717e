/**
 * `npm run bench` (after the ingest bench) or `npm run bench:dashboard`: the dashboard's weight and
 * speed. Builds it, sums the gzip size of its JavaScript, then starts the local runtime with demo data
 * and measures, in headless Chromium, the time from navigation to the first chart drawn with data
 * (median of 5 page loads of an agent's Overview). Prints a "## Dashboard" section; `--write` also puts
 * it into bench/RESULTS.md (replacing only that section).
 *
 *   VIGIL_BENCH_DEMO_SESSIONS (default 3000, the demo's own default) sets the amount of demo traffic.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchIsolatedBrowser, loadDemoData, startIsolatedVigil } from '../test/helpers/browser';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'frontend/dist');
const KEY = 'vgl_bench_dashboard_key_0123456789';
const LOADS = 5;
const BUDGET_KB = 250;

interface Sizes {
  files: Array<{ name: string; raw: number; gzip: number; initial: boolean }>;
  totalGzip: number;
  initialGzip: number;
  cssGzip: number;
}

function build(): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, ['scripts/ensure-frontend.mjs', '--force'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('vite build failed');
  return performance.now() - t;
}

function sizes(): Sizes {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const assets = join(DIST, 'assets');
  const files = readdirSync(assets)
    .filter((f) => f.endsWith('.js') || f.endsWith('.css'))
    .map((name) => {
      const body = readFileSync(join(assets, name));
      return {
        name,
        raw: body.length,
        gzip: gzipSync(body, { level: 9 }).length,
        initial: html.includes(`assets/${name}`),
      };
    });
  const js = files.filter((f) => f.name.endsWith('.js'));
  return {
    files,
    totalGzip: js.reduce((s, f) => s + f.gzip, 0),
    initialGzip: js.filter((f) => f.initial).reduce((s, f) => s + f.gzip, 0),
    cssGzip: files.filter((f) => f.name.endsWith('.css')).reduce((s, f) => s + f.gzip, 0),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function timeToFirstChart(
  demoSessions: number,
): Promise<{ loads: number[]; demo: string; isolated: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-dashboard-'));
  const vigil = await startIsolatedVigil(join(dir, 'data'), KEY);
  try {
    const demo =
      (await loadDemoData(vigil, { sessions: demoSessions, days: 30 })).trim().split('\n').at(-1) ?? '';
    const browser = await launchIsolatedBrowser(vigil, { downloads: false });
    try {
      const ctx = browser.context;
      await ctx.addInitScript((key) => localStorage.setItem('vigil.apiKey', key), KEY);
      const loads: number[] = [];
      for (let i = 0; i <= LOADS; i++) {
        const page = await ctx.newPage();
        await page.goto(`${vigil.url}/?agent=support-bot&range=30d`);
        await page.waitForFunction(() => window.__vigilFirstChartMs !== undefined, undefined, {
          timeout: 30_000,
        });
        const ms = await page.evaluate(() => window.__vigilFirstChartMs!);
        await page.close();
        // The first load warms the server (DuckDB caches, JIT) and is not counted.
        if (i > 0) loads.push(ms);
      }
      return { loads, demo, isolated: vigil.netnsPid !== null };
    } finally {
      await browser.close();
    }
  } finally {
    await vigil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function section(
  s: Sizes,
  buildMs: number,
  t: Awaited<ReturnType<typeof timeToFirstChart>>,
  demoSessions: number,
): string {
  const kb = (b: number) => (b / 1024).toFixed(1);
  const lines = [
    '## Dashboard',
    '',
    `Run ${new Date().toISOString()} — ${cpus()[0]?.model ?? 'unknown cpu'} × ${cpus().length}, node ${process.version}, Chromium headless (${t.isolated ? 'loopback-only network namespace' : 'host loopback'}).`,
    '',
    '| measure | value | target |',
    '|---|---:|---:|',
    `| JS, gzip, all chunks | ${kb(s.totalGzip)} KB | ≤ ${BUDGET_KB} KB ${s.totalGzip <= BUDGET_KB * 1024 ? '✓' : '✗'} |`,
    `| JS, gzip, loaded at start | ${kb(s.initialGzip)} KB | |`,
    `| CSS, gzip | ${kb(s.cssGzip)} KB | |`,
    `| vite build | ${(buildMs / 1000).toFixed(1)} s | |`,
    `| time to first chart with data, median of ${LOADS} loads | ${Math.round(median(t.loads))} ms | |`,
    `| … each load | ${t.loads.map((x) => Math.round(x)).join(', ')} ms | |`,
    '',
    `Time to first chart: from navigation start to the first SVG chart drawn with data (the Overview of`,
    `support-bot, last 30 days), read from \`window.__vigilFirstChartMs\`; one warm-up load not counted.`,
    `Data: \`scripts/demo.ts\` with ${demoSessions} sessions over 30 days (${t.demo.replace(/^Done: /, '')}).`,
    `The schema chunk (zod + contracts) is only loaded in dev builds to validate answers; production`,
    `loads ${s.files.filter((f) => f.initial && f.name.endsWith('.js')).length} JS file(s).`,
    '',
    '| file | raw | gzip | loaded at start |',
    '|---|---:|---:|:---:|',
    ...s.files.map(
      (f) =>
        `| ${f.name.replace(/-[\w-]{8}\./, '.')} | ${kb(f.raw)} KB | ${kb(f.gzip)} KB | ${f.initial ? 'yes' : 'no'} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

/** Replaces the "## Dashboard" section of RESULTS.md (or appends it), leaving every other section alone. */
export function upsertSection(existing: string, text: string): string {
  const start = existing.search(/^## Dashboard\s*$/m);
  if (start < 0) return `${existing.replace(/\s*$/, '')}${existing.trim() ? '\n\n' : ''}${text}`;
  const rest = existing.slice(start + 1);
  const next = rest.search(/^## /m);
  const end = next < 0 ? existing.length : start + 1 + next;
  return `${existing.slice(0, start)}${text}${next < 0 ? '' : '\n'}${existing.slice(end)}`;
}

async function main(): Promise<void> {
  const demoSessions = Number(process.env.VIGIL_BENCH_DEMO_SESSIONS ?? 3000);
  const buildMs = build();
  const s = sizes();
  const t = await timeToFirstChart(demoSessions);
  const text = section(s, buildMs, t, demoSessions);
  console.log(`\n${text}`);
  if (process.argv.includes('--write')) {
    const file = join(ROOT, 'bench/RESULTS.md');
    const existing = existsSync(file) ? readFileSync(file, 'utf8') : '# Vigil benchmark results\n';
    writeFileSync(file, upsertSection(existing, text));
    console.log('written to bench/RESULTS.md');
  }
  if (s.totalGzip > BUDGET_KB * 1024) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
