#!/usr/bin/env node
/**
 * `npm start` runs this first (prestart): builds the dashboard when frontend/dist is missing or older
 * than its sources, so a fresh clone serves a dashboard; otherwise it is a no-op taking a few ms.
 * `--force` always builds. Exit code: vite's.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'frontend/dist/index.html');
// The dashboard bundles frontend/ and the contracts it imports.
const sources = ['frontend/src', 'frontend/index.html', 'frontend/vite.config.mts', 'contracts'].map((p) =>
  join(root, p),
);

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

const force = process.argv.includes('--force');
const stale = force || !existsSync(built) || statSync(built).mtimeMs < Math.max(...sources.map(newest));
if (!stale) process.exit(0);

const vite = join(root, 'node_modules/vite/bin/vite.js');
if (!existsSync(vite)) {
  console.error('ensure-frontend: vite is not installed (run npm install); the dashboard is not built.');
  process.exit(0); // the API still works without a dashboard
}
console.error(
  existsSync(built) ? 'Dashboard sources changed: rebuilding…' : 'Building the dashboard (first start)…',
);
const r = spawnSync(
  process.execPath,
  [vite, 'build', '--config', 'frontend/vite.config.mts', '--logLevel', 'warn'],
  {
    cwd: root,
    stdio: 'inherit',
    // Callers such as vitest set NODE_ENV=test, which would bundle React's development build.
    env: { ...process.env, NODE_ENV: 'production' },
  },
);
process.exit(r.status ?? 1);
