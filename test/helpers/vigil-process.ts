import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface VigilProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Waits for the process to exit. */
  exited: Promise<number | null>;
}

/** Starts `local/bin/vigil.ts` as its own process (so a test can kill -9 it) on a free port. */
export async function spawnVigil(dataDir: string, apiKey: string): Promise<VigilProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/bin/vigil.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
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
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
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
    child.on('exit', () => fail(new Error(`vigil exited:\n${out}`)));
  });
  return { url, child, output: () => out, exited };
}
