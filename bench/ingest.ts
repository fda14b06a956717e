import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { DuckDBInstance } from '@duckdb/node-api';

/**
 * Ingest throughput of the local runtime over HTTP on loopback: batched (Vigil batch API, 100 events a
 * request) and unbatched (Lucidic one-event requests), with the raw DuckDB append rate for the same
 * events as the baseline of what storage alone can do.
 */

export interface IngestResult {
  name: string;
  events: number;
  seconds: number;
  eventsPerSec: number;
}

function post(
  agent: Agent,
  url: string,
  path: string,
  key: string,
  body: string,
  method = 'POST',
): Promise<number> {
  return new Promise((ok, fail) => {
    const u = new URL(path, url);
    const req = request(
      {
        agent,
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method,
        headers: {
          authorization: `Api-Key ${key}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => ok(res.statusCode ?? 0));
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

const llmEvent = (sessionId: string, i: number, t: number) => ({
  event_id: randomUUID(),
  session_id: sessionId,
  type: i % 10 === 9 ? 'tool' : 'llm',
  started_at: new Date(t - i * 50).toISOString(),
  duration_ms: 200 + (i % 17) * 40,
  model: i % 3 === 0 ? 'gpt-4o-mini' : 'claude-sonnet-4-5',
  provider: i % 3 === 0 ? 'openai' : 'anthropic',
  usage: { input_tokens: 800 + i, output_tokens: 120 },
  ...(i % 50 === 49 ? { error: { message: 'Request timed out', type: 'APITimeoutError' } } : {}),
});

async function runPool(tasks: Array<() => Promise<number>>, concurrency: number): Promise<number> {
  let next = 0;
  let failures = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tasks.length) {
        const status = await tasks[next++]!();
        if (status >= 300) failures++;
      }
    }),
  );
  return failures;
}

export async function benchBatched(
  url: string,
  key: string,
  requests = 400,
  concurrency = 16,
): Promise<IngestResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const t = Date.now() - 3_600_000;
  const bodies = Array.from({ length: requests }, (_, r) => {
    const sid = randomUUID();
    return JSON.stringify({
      agent_id: 'bench-batched',
      sessions: [
        {
          session_id: sid,
          production_monitoring: true,
          tags: [`tier:${r % 3}`],
          started_at: new Date(t).toISOString(),
        },
      ],
      events: Array.from({ length: 100 }, (_, i) => llmEvent(sid, i, t)),
    });
  });
  const start = performance.now();
  const failures = await runPool(
    bodies.map((b) => () => post(agent, url, '/api/v1/batch', key, b)),
    concurrency,
  );
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  if (failures) throw new Error(`${failures} batch requests failed`);
  return {
    name: 'batch API, 100 events/request',
    events: requests * 100,
    seconds,
    eventsPerSec: (requests * 100) / seconds,
  };
}

export async function benchUnbatched(
  url: string,
  key: string,
  events = 4000,
  concurrency = 64,
): Promise<IngestResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const sessions = Array.from({ length: 30 }, () => randomUUID());
  for (const sid of sessions) {
    await post(
      agent,
      url,
      '/api/initsession',
      key,
      JSON.stringify({ agent_id: 'bench-lucidic', session_id: sid, production_monitoring: true }),
    );
  }
  const now = new Date().toISOString();
  const bodies = Array.from({ length: events }, (_, i) =>
    JSON.stringify({
      client_event_id: randomUUID(),
      session_id: sessions[i % sessions.length],
      type: 'llm_generation',
      occurred_at: now,
      duration: 0.4,
      payload: {
        request: { model: 'gpt-4o-mini', provider: 'openai' },
        usage: { input_tokens: 500, output_tokens: 50 },
      },
    }),
  );
  const start = performance.now();
  const failures = await runPool(
    bodies.map((b) => () => post(agent, url, '/api/events', key, b)),
    concurrency,
  );
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  if (failures) throw new Error(`${failures} event requests failed`);
  return { name: 'Lucidic /api/events, 1 event/request', events, seconds, eventsPerSec: events / seconds };
}

/** The same event rows appended straight into a DuckDB table (no HTTP, validation, rollups). */
export async function benchRawDuckDb(dir: string, events = 30_000): Promise<IngestResult> {
  const instance = await DuckDBInstance.create(`${dir}/raw.duckdb`);
  const conn = await instance.connect();
  await conn.run(`CREATE TABLE events (agent_id VARCHAR, session_id VARCHAR, event_id VARCHAR, type VARCHAR,
    started_at BIGINT, duration_ms DOUBLE, model VARCHAR, provider VARCHAR, input_tokens BIGINT, output_tokens BIGINT, doc VARCHAR)`);
  const t = Date.now();
  const rows = Array.from({ length: events }, (_, i) => llmEvent(`s${Math.floor(i / 100)}`, i % 100, t));
  const start = performance.now();
  const appender = await conn.createAppender('events');
  for (const e of rows) {
    appender.appendVarchar('bench');
    appender.appendVarchar(e.session_id);
    appender.appendVarchar(e.event_id);
    appender.appendVarchar(e.type);
    appender.appendBigInt(BigInt(Date.parse(e.started_at)));
    appender.appendDouble(e.duration_ms);
    appender.appendVarchar(e.model);
    appender.appendVarchar(e.provider);
    appender.appendBigInt(BigInt(e.usage.input_tokens));
    appender.appendBigInt(BigInt(e.usage.output_tokens));
    appender.appendVarchar(JSON.stringify(e));
    appender.endRow();
  }
  appender.closeSync();
  const seconds = (performance.now() - start) / 1000;
  conn.closeSync();
  instance.closeSync();
  return { name: 'raw DuckDB appender (baseline)', events, seconds, eventsPerSec: events / seconds };
}
