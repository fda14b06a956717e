import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningVigil, startVigil } from '../helpers/local-runtime';

/** Throws random and mutated payloads at the ingest handler: no input may produce a 5xx. */
describe('ingest handler under random input', () => {
  let v: RunningVigil;
  beforeAll(async () => {
    v = await startVigil();
  });
  afterAll(async () => {
    await v.stop();
  });

  const invoke = async (
    method: string,
    path: string,
    body: Buffer | string | undefined,
    headers: Record<string, string>,
  ) => {
    const raw = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: path,
      rawQueryString: '',
      headers: { authorization: `Api-Key ${v.key}`, ...headers },
      requestContext: {
        http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'fuzz' },
      },
      body: raw?.toString('base64'),
      isBase64Encoded: raw !== undefined,
    } as unknown as APIGatewayProxyEventV2;
    return v.rt.ingest(event, {} as Context);
  };

  const sessionId = randomUUID();
  const validBodies: Array<{ method: string; path: string; body: Record<string, unknown> }> = [
    {
      method: 'POST',
      path: '/api/initsession',
      body: { agent_id: 'fuzz', session_id: sessionId, tags: ['a:b'], production_monitoring: true },
    },
    {
      method: 'PUT',
      path: '/api/updatesession',
      body: { session_id: sessionId, is_finished: true, session_eval: 0.5 },
    },
    {
      method: 'POST',
      path: '/api/events',
      body: {
        client_event_id: 'e1',
        session_id: sessionId,
        type: 'llm_generation',
        occurred_at: new Date().toISOString(),
        duration: 1,
        payload: {
          request: { model: 'gpt-4o', provider: 'openai' },
          usage: { input_tokens: 5, output_tokens: 5, cost: 0.1 },
        },
      },
    },
    {
      method: 'POST',
      path: '/api/v1/batch',
      body: {
        agent_id: 'fuzz',
        sessions: [{ session_id: sessionId, sample_rate: 0.5 }],
        events: [
          {
            event_id: 'b1',
            session_id: sessionId,
            type: 'llm',
            started_at: new Date().toISOString(),
            usage: { input_tokens: 1 },
          },
        ],
      },
    },
    { method: 'POST', path: '/api/sdk/evals', body: { session_id: sessionId, result: true, name: 'r' } },
  ];

  /** Replaces the value at a random path of `obj` with `value`. */
  function mutate(obj: unknown, pathPicks: number[], value: unknown): unknown {
    if (pathPicks.length === 0 || obj === null || typeof obj !== 'object') return value;
    const keys = Object.keys(obj as object);
    if (keys.length === 0) return value;
    const key = keys[pathPicks[0]! % keys.length]!;
    const copy: Record<string, unknown> = Array.isArray(obj)
      ? ([...obj] as unknown as Record<string, unknown>)
      : { ...(obj as object) };
    copy[key] = mutate(copy[key], pathPicks.slice(1), value);
    return copy;
  }

  const weird = fc.oneof(
    fc.anything(),
    fc.constantFrom(
      -1,
      1e308,
      Number.MAX_SAFE_INTEGER,
      -0,
      '',
      'x'.repeat(5000),
      '9999-99-99',
      '2999-01-01T00:00:00Z',
      '1970-01-01T00:00:00Z',
      null,
      [],
      {},
      true,
    ),
    fc.string(),
    fc.double(),
  );

  it('never answers a mutated valid body with a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(validBodies.length - 1),
        fc.array(fc.nat(50), { maxLength: 4 }),
        weird,
        fc.boolean(),
        async (which, picks, value, gzip) => {
          const base = validBodies[which]!;
          const body = JSON.stringify(mutate(base.body, picks, value)) ?? 'null';
          const res = await invoke(base.method, base.path, gzip ? gzipSync(body) : body, {
            'content-type': 'application/json',
            ...(gzip ? { 'content-encoding': 'gzip' } : {}),
          });
          expect(res.statusCode, String(res.body)).toBeLessThan(500);
          expect(() => JSON.parse(res.body ?? '')).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never answers random bytes, headers or routes with a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'PUT', 'GET', 'DELETE', 'PATCH'),
        fc.constantFrom(
          '/api/initsession',
          '/api/updatesession',
          '/api/events',
          '/api/v1/batch',
          '/api/sdk/evals',
          '/api/blobs/abc',
          '/api/nope',
        ),
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }),
          fc.string().map((s) => new TextEncoder().encode(s)),
        ),
        fc.constantFrom('application/json', 'text/plain', '', 'application/x-protobuf'),
        fc.constantFrom('', 'gzip', 'br', 'identity'),
        async (method, path, bytes, type, encoding) => {
          const headers: Record<string, string> = {};
          if (type) headers['content-type'] = type;
          if (encoding) headers['content-encoding'] = encoding;
          const res = await invoke(method, path, Buffer.from(bytes), headers);
          expect(res.statusCode, String(res.body)).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
  });
});
