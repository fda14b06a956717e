import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'local/bin/vigil.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    // A port nothing listens on, so a regression that starts the server fails on exit status, not on a clash.
    env: { ...process.env, PORT: '0', VIGIL_DATA_DIR: '/nonexistent/vigil-cli-test' },
  });

describe('local/bin/vigil.ts arguments', () => {
  it('--help prints the usage and exits 0 without starting anything', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: npm start');
    expect(r.stdout).toContain('VIGIL_DATA_DIR');
    expect(r.stdout).not.toContain('Vigil is running');
  });

  it('an unknown option is refused with exit 2 and names the option', () => {
    const r = run('--demo', '--prot=9000');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown option --prot=9000');
  });
});
