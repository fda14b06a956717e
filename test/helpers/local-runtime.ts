import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../lambdas/domain/ports';
import { createRuntime, type Runtime } from '../../local/runtime';
import { createLocalServer } from '../../local/server';

export const TEST_ADMIN_KEY = 'vgl_test_admin_key_0123456789abcdef';

export interface RunningVigil {
  url: string;
  key: string;
  rt: Runtime;
  dataDir: string;
  server: Server;
  /** fetch with the admin key and JSON encoding. */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  ): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

/** Starts the real local runtime (DuckDB in a temp dir, HTTP on 127.0.0.1:0). */
export async function startVigil(options: { clock?: Clock; dataDir?: string } = {}): Promise<RunningVigil> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'vigil-test-'));
  const rt = await createRuntime(
    {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      apiKey: TEST_ADMIN_KEY,
      logLevel: 'SILENT',
      reconcileIntervalMs: 60_000,
    },
    options.clock,
  );
  const server = createLocalServer(rt);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  rt.setPublicUrl(url);
  const call: RunningVigil['call'] = async (method, path, body, headers = {}) => {
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Api-Key ${TEST_ADMIN_KEY}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed };
  };
  return {
    url,
    key: TEST_ADMIN_KEY,
    rt,
    dataDir,
    server,
    call,
    stop: async () => {
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
      await rt.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A clock tests move by hand. */
export class FakeClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
