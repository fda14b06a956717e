import { spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, type LogEntry, Vigil } from '../../sdk/src/index';
import { type RunningVigil, startVigil } from '../helpers/local-runtime';
import { client, getSession, newAgent } from './support';

const HOST_APP = join(import.meta.dirname, 'fixtures', 'host-app.ts');

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createHttpServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

/** Accepts TCP connections and never answers. */
async function blackHole(): Promise<{ url: string; close(): Promise<void>; connections(): number }> {
  const sockets: Socket[] = [];
  const server: NetServer = createServer((socket) => {
    sockets.push(socket);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    connections: () => sockets.length,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

function runHostApp(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', HOST_APP], {
      cwd: join(import.meta.dirname, '..', '..'),
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

/** Wall time of a child that only loads the SDK and exits, to subtract tsx start-up from timings. */
async function baselineMs(): Promise<number> {
  const port = await closedPort();
  const r = await runHostApp({ VIGIL_BASE_URL: `http://127.0.0.1:${port}`, VIGIL_API_KEY: '' });
  return r.ms;
}

describe('SDK resilience', () => {
  let v: RunningVigil;
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  beforeAll(async () => {
    v = await startVigil();
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await v.stop();
  });

  it('does not slow or break the host when the server refuses connections', async () => {
    // Prepare
    const port = await closedPort();
    const vigil = new Vigil({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k', agentId: 'a', env: {} });

    // Act
    const t0 = performance.now();
    for (let s = 0; s < 20; s++) {
      const session = vigil.session({ tags: ['tier:free'] });
      for (let i = 0; i < 100; i++) {
        session.llm({
          model: 'gpt-4o',
          usage: { inputTokens: 100, outputTokens: 10 },
          input: 'hi',
          output: 'ho',
        });
      }
      session.end({ success: true });
    }
    const recordMs = performance.now() - t0;
    const f0 = performance.now();
    const flushed = await vigil.flush(300);
    const flushMs = performance.now() - f0;
    await vigil.shutdown(50);

    // Assess
    expect(recordMs).toBeLessThan(500);
    expect(flushed.ok).toBe(false);
    expect(flushMs).toBeLessThan(1000);
    expect(vigil.stats().retries).toBeGreaterThan(0);
    expect(unhandled).toEqual([]);
  });

  it('bounds every wait when the server accepts connections but never answers', async () => {
    // Prepare
    const hole = await blackHole();
    const vigil = new Vigil({
      baseUrl: hole.url,
      apiKey: 'k',
      env: {},
      requestTimeoutMs: 150,
      retryBaseMs: 10,
    });
    const session = vigil.session();
    session.event({ name: 'x' });
    session.end();

    // Act
    const t0 = performance.now();
    const flushed = await vigil.flush(500);
    const ms = performance.now() - t0;
    await vigil.shutdown(10);
    await hole.close();

    // Assess
    expect(flushed).toMatchObject({ ok: false });
    expect(ms).toBeLessThan(1500);
    expect(hole.connections()).toBeGreaterThanOrEqual(2);
    expect(unhandled).toEqual([]);
  });

  it('times out a request even when a custom fetch ignores the abort signal', async () => {
    // Prepare
    let calls = 0;
    const vigil = new Vigil({
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'k',
      env: {},
      requestTimeoutMs: 100,
      maxRetries: 1,
      retryBaseMs: 1,
      fetch: () => {
        calls++;
        return new Promise(() => {});
      },
    });
    vigil.session().end();

    // Act
    const t0 = performance.now();
    const flushed = await vigil.flush(2000);
    const ms = performance.now() - t0;
    await vigil.shutdown(0);

    // Assess
    expect(calls).toBe(2);
    expect(flushed).toMatchObject({ ok: false, pending: 0, dropped: 1 });
    expect(ms).toBeLessThan(1000);
    expect(unhandled).toEqual([]);
  });

  it('lets a host process exit promptly when the server is down, however it fails', async () => {
    // Prepare
    const hole = await blackHole();
    const port = await closedPort();
    const base = await baselineMs();
    const env = {
      VIGIL_API_KEY: 'k',
      VIGIL_AGENT_ID: 'a',
      EXIT_FLUSH_MS: '500',
      REQUEST_TIMEOUT_MS: '10000',
    };

    // Act
    const refused = await runHostApp({ ...env, VIGIL_BASE_URL: `http://127.0.0.1:${port}` });
    const hanging = await runHostApp({ ...env, VIGIL_BASE_URL: hole.url });
    await hole.close();

    // Assess: the exit flush gives up after EXIT_FLUSH_MS, even with a 10 s request timeout in flight
    for (const r of [refused, hanging]) {
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).recordMs).toBeLessThan(200);
      expect(r.ms - base).toBeLessThan(2500);
    }
  });

  it('ends and delivers open sessions when the host process exits on its own', async () => {
    // Prepare
    const agent = newAgent();

    // Act
    const r = await runHostApp({ VIGIL_API_KEY: v.key, VIGIL_AGENT_ID: agent, VIGIL_BASE_URL: v.url });
    const { sessionId } = JSON.parse(r.stdout);
    const res = await getSession(v, sessionId);

    // Assess
    expect(r.code, r.stderr).toBe(0);
    expect(res.body).toMatchObject({
      status: 'finished',
      production_monitoring: true,
      totals: { events: 101, llm_calls: 100 },
    });
  });

  it('never throws on hostile input and still delivers what it can', async () => {
    // Prepare
    const agent = newAgent();
    const logs: LogEntry[] = [];
    const vigil = client(v, agent, {
      logger: (e) => {
        logs.push(e);
        throw new Error('a broken logger');
      },
      maxPayloadChars: 1000,
      productionMonitoring: () => {
        throw new Error('a broken predicate');
      },
    });
    const circular: Record<string, unknown> = { big: 10n, when: new Date(0), map: new Map([['k', 1]]) };
    circular.self = circular;
    const exploding = {
      toJSON() {
        throw new Error('no');
      },
    };

    // Act
    const session = vigil.session({
      sessionName: 42 as unknown as string,
      tags: ['ok', 7 as unknown as string],
    });
    session.llm({
      name: 'first',
      model: 'gpt-4o',
      usage: { inputTokens: Number.NaN, outputTokens: -5, cachedInputTokens: 10 },
      durationMs: -3,
      costUsd: Number.POSITIVE_INFINITY,
      input: circular,
      output: exploding,
    });
    session.llm({
      name: 'second',
      model: 'gpt-4o',
      usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 50, reasoningTokens: 9 },
    });
    session.event({ name: 'huge', payload: 'x'.repeat(10_000) });
    session.event(null as unknown as { name: string });
    session.start('tool', null as unknown as undefined).end(null as unknown as undefined);
    vigil.session(null as unknown as undefined).end();
    session.error(undefined);
    session.end(null as unknown as undefined);
    await vigil.flush();
    const res = await getSession(v, session.id);

    // Assess
    expect(vigil.stats()).toMatchObject({ rejected: 0, accepted: 8 });
    expect(res.body.production_monitoring).toBe(false);
    expect(res.body.tags).toEqual(['ok']);
    const named = (n: string) => res.body.events.find((e: { name: string }) => e.name === n);
    const [first, second, huge] = [named('first'), named('second'), named('huge')];
    expect(first.payload).toMatchObject({
      input: { big: '10', self: '[Circular]', map: { k: 1 }, when: '1970-01-01T00:00:00.000Z' },
      output: '[unserialisable]',
    });
    expect(first.usage).toBeNull();
    expect(first.duration_ms).toBe(0);
    expect(second.usage).toMatchObject({
      input_tokens: 10,
      cached_input_tokens: 10,
      output_tokens: 5,
      reasoning_tokens: 5,
    });
    expect(huge.payload).toMatchObject({ truncated: true, original_chars: 10_002 });
    expect(logs.some((l) => l.message.includes('predicate threw'))).toBe(true);
    await vigil.shutdown();
  });

  it('records nothing and throws nothing without an API key', async () => {
    // Prepare
    const logs: LogEntry[] = [];

    // Act
    const session = init({ env: {}, logger: (e) => logs.push(e), sessionName: 'no key' });
    session.llm({ model: 'gpt-4o', usage: { inputTokens: 1, outputTokens: 1 } });
    const wrapped = session.tool('t', (a: number) => a + 1);
    const result = wrapped(1);
    session.end();
    const flushed = await session.flush();

    // Assess
    expect(result).toBe(2);
    expect(flushed).toEqual({ ok: true, pending: 0, dropped: 0 });
    expect(logs[0]).toMatchObject({ level: 'warn', message: expect.stringMatching(/no API key/) });
  });
});
