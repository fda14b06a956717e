import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../lambdas/domain/errors';
import type { Principal } from '../../lambdas/domain/keys';
import { createOtlpTraceRoute } from '../../lambdas/handlers/otlp';
import type { HttpRequest } from '../../lambdas/platform/http';
import type { ApiEvent } from '../fixtures/otlp/api';
import { jsonRequest, jsonSpan, spanId, traceId } from '../fixtures/otlp/json';
import { captureExport, child } from '../fixtures/otlp/sdk';
import { type RunningVigil, startVigil } from '../helpers/local-runtime';

interface Codec {
  decode(bytes: Uint8Array): unknown;
  encode(message: unknown): { finish(): Uint8Array };
  fromObject(object: unknown): unknown;
  toObject(message: unknown, options: object): Record<string, unknown>;
}
const v1 = (
  generated as unknown as {
    opentelemetry: { proto: { collector: { trace: { v1: Record<string, Codec> } } } };
  }
).opentelemetry.proto.collector.trace.v1;
const decodeResponse = (bytes: Uint8Array) =>
  v1['ExportTraceServiceResponse']!.toObject(v1['ExportTraceServiceResponse']!.decode(bytes), {
    longs: String,
  });

describe('OTLP/HTTP answers: partial success, bad bodies, keys, limits, load', () => {
  let v: RunningVigil;
  let protobufRun: Buffer;
  beforeAll(async () => {
    v = await startVigil();
    // A real protobuf request with one span whose token count is absurd and two good spans.
    const [request] = await captureExport('protobuf', (tracer) => {
      const root = tracer.startSpan('run');
      child(tracer, root, 'chat', {
        'gen_ai.operation.name': 'chat',
        'gen_ai.usage.input_tokens': 1e12,
      }).end();
      child(tracer, root, 'chat', { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 10 }).end();
      root.end();
    });
    protobufRun = request!.body;
  });
  afterAll(async () => {
    await v.stop();
  });

  const post = async (body: Buffer | string, headers: Record<string, string>, key: string | null = v.key) => {
    const res = await fetch(`${v.url}/v1/traces`, {
      method: 'POST',
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8') };
  };
  const postJson = (body: unknown, key?: string | null) =>
    post(typeof body === 'string' ? body : JSON.stringify(body), { 'content-type': 'application/json' }, key);
  const postProto = (body: Buffer, headers: Record<string, string> = {}) =>
    post(body, { 'content-type': 'application/x-protobuf', ...headers });
  const now = Date.now() - 1000;

  it('answers 200 with partialSuccess for the bad spans of a JSON request and keeps the good ones', async () => {
    // Prepare
    const t = traceId();
    const sid = `s-${randomUUID()}`;
    const good = jsonSpan({ traceId: t, start: now, attributes: { 'session.id': sid } });
    const body = jsonRequest(
      [
        good,
        jsonSpan({
          traceId: t,
          start: now,
          attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': -5 },
        }),
        { ...jsonSpan({ traceId: t, start: now }), spanId: 'nope' },
        jsonSpan({ traceId: t, start: now + 86_400_000 }),
      ],
      { 'service.name': `agt-${randomUUID()}` },
    );

    // Act
    const res = await postJson(body);

    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const answer = JSON.parse(res.text);
    expect(answer.partialSuccess.rejectedSpans).toBe('3');
    expect(answer.partialSuccess.errorMessage).toMatch(/^3 of 4 spans rejected: /);
    expect(answer.partialSuccess.errorMessage).toMatch(/spanId: must be 16 hex characters/);
    expect(answer.partialSuccess.errorMessage).toMatch(/gen_ai\.usage\.input_tokens: must be a token count/);
    const stored = await v.call('GET', `/api/sessions/${sid}`);
    expect((stored.body.events as ApiEvent[]).map((e) => e.event_id)).toEqual([good['spanId']]);
  });

  it('answers a protobuf request in protobuf, readable by the official decoder', async () => {
    const res = await postProto(protobufRun);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    const answer = decodeResponse(res.bytes);
    expect(answer['partialSuccess']).toMatchObject({ rejectedSpans: '1' });
    expect((answer['partialSuccess'] as { errorMessage: string }).errorMessage).toMatch(
      /^1 of 3 spans rejected: span [0-9a-f]{16}: .*gen_ai\.usage\.input_tokens/,
    );
    const again = await postProto(gzipSync(protobufRun), { 'content-encoding': 'gzip' });
    expect(decodeResponse(again.bytes)['partialSuccess']).toMatchObject({ rejectedSpans: '1' });
  });

  it('answers the exact rejected count in protobuf when 128 or more spans are rejected', async () => {
    const spans = Array.from({ length: 130 }, () => ({
      traceId: randomBytes(16),
      spanId: Buffer.alloc(8),
      startTimeUnixNano: String(BigInt(now) * 1_000_000n),
    }));
    const request = v1['ExportTraceServiceRequest']!.fromObject({
      resourceSpans: [{ scopeSpans: [{ spans }] }],
    });
    const res = await postProto(Buffer.from(v1['ExportTraceServiceRequest']!.encode(request).finish()));
    expect(res.status).toBe(200);
    const answer = decodeResponse(res.bytes)['partialSuccess'] as {
      errorMessage: string;
      rejectedSpans: unknown;
    };
    expect(answer.errorMessage).toMatch(/^130 of 130 spans rejected: /);
    expect(Number(answer.rejectedSpans)).toBe(130);
  });

  it('answers 400 to bodies that are not OTLP at all, and never 5xx', async () => {
    const truncated = protobufRun.subarray(0, protobufRun.length - 7);
    const cases: Array<[string, Promise<{ status: number; text: string }>]> = [
      ['malformed JSON', postJson('{"resourceSpans": [')],
      ['a JSON array', postJson([1, 2])],
      ['a JSON string', postJson('"hello"')],
      ['resourceSpans not an array', postJson({ resourceSpans: 5 })],
      ['spans not an array', postJson({ resourceSpans: [{ scopeSpans: [{ spans: {} }] }] })],
      ['a truncated protobuf request', postProto(truncated)],
      ['random bytes as protobuf', postProto(Buffer.from('ffffffffffffffffffff0a', 'hex'))],
      [
        'gzip that is not gzip',
        postProto(Buffer.from([0x1f, 0x8b, 1, 2, 3]), { 'content-encoding': 'gzip' }),
      ],
    ];
    for (const [name, pending] of cases) {
      const res = await pending;
      expect(res.status, `${name}: ${res.text}`).toBe(400);
      expect(JSON.parse(res.text).detail, name).toEqual(expect.any(String));
    }
    expect((await post('hello', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await postProto(Buffer.alloc(0))).status).toBe(200);
    expect(JSON.parse((await postJson({})).text)).toEqual({});
  });

  it('answers 400 or partial success, never 5xx, to randomly corrupted protobuf', async () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const statuses = new Set<number>();
    for (let round = 0; round < 60; round++) {
      const bytes = Buffer.from(protobufRun);
      for (let f = 0; f < 3; f++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      statuses.add((await postProto(bytes)).status);
    }
    expect([...statuses].every((s) => s === 200 || s === 400)).toBe(true);
  });

  it('answers 413 over the body size limit and over the span limit', async () => {
    const huge = await postProto(Buffer.alloc(11 * 1024 * 1024, 0x0a));
    expect(huge.status).toBe(413);
    const t = traceId();
    const spans = Array.from({ length: 10_001 }, () => ({
      traceId: t,
      spanId: spanId(),
      startTimeUnixNano: String(BigInt(now) * 1_000_000n),
    }));
    const many = await postJson({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
    expect(many.status).toBe(413);
    expect(JSON.parse(many.text).detail).toMatch(/more than 10000 spans/);
  });

  it('answers 413 to a protobuf body of empty containers before decoding them all', async () => {
    // 0x0a 0x00 is one empty ResourceSpans: 2 bytes each, so a 10 MB body would decode to 5M objects.
    const flood = Buffer.alloc(2 * 10_001);
    for (let i = 0; i < flood.length; i += 2) flood[i] = 0x0a;
    const res = await postProto(flood);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text).detail).toMatch(/more than 10000 resource spans, scope spans or spans/);
    // At the limit it is still a (span-less) valid request.
    const fine = await postProto(flood.subarray(0, 2 * 10_000));
    expect(fine.status).toBe(200);
  });

  it('authenticates Bearer keys: 401 without or with a wrong key, 403 without the ingest scope or the agent', async () => {
    // Prepare
    const agent = `agt-${randomUUID()}`;
    const keyFor = async (scopes: string[], agents: string[] | '*') =>
      (await v.call('POST', '/api/admin/keys', { name: `k-${randomUUID()}`, scopes, agents })).body
        .key as string;
    const readOnly = await keyFor(['read'], '*');
    const scoped = await keyFor(['ingest'], [agent]);
    const body = (resource: Record<string, string>) =>
      jsonRequest([jsonSpan({ traceId: traceId(), start: now })], resource);

    // Act
    const none = await postJson(body({ 'service.name': agent }), null);
    const wrong = await postJson(body({ 'service.name': agent }), 'vgl_not_a_key');
    const noScope = await postJson(body({ 'service.name': agent }), readOnly);
    const otherAgent = await postJson(body({ 'service.name': 'someone-else' }), scoped);
    const unnamed = await postJson(body({}), scoped);
    const own = await postJson(body({ 'service.name': 'x', 'vigil.agent_id': agent }), scoped);
    const agents = await v.call('GET', '/api/agents');

    // Assess
    expect([none.status, wrong.status, noScope.status, otherAgent.status]).toEqual([401, 401, 403, 403]);
    expect(JSON.parse(otherAgent.text).detail).toMatch(/may not access agent "someone-else"/);
    expect([unnamed.status, own.status]).toEqual([200, 200]);
    expect(JSON.parse(unnamed.text)).toEqual({});
    expect(agents.body.agents.map((a: { agent_id: string }) => a.agent_id)).not.toContain('someone-else');
    const m = await v.call('GET', `/api/agents/${agent}/production/metrics?metrics=sessions`);
    expect(m.body.sessions.count).toBe(2);
  });

  it('sheds load with 429 and Retry-After while too many requests are in flight', async () => {
    // Prepare: an authenticator that holds the first request until released.
    let release: () => void = () => {};
    const held = new Promise<void>((ok) => {
      release = ok;
    });
    const admin: Principal = { keyId: 'k', scopes: ['admin', 'ingest'], agents: '*' };
    const deps = {
      ...v.rt.deps,
      auth: {
        authenticate: async (credential: string | null) => {
          if (!credential) throw new DomainError('auth', 'missing');
          if (credential === 'slow') await held;
          return admin;
        },
      },
    } as unknown as typeof v.rt.deps;
    const route = createOtlpTraceRoute(deps, { maxInFlight: 1 });
    const request = (key: string): HttpRequest => ({
      method: 'POST',
      path: '/v1/traces',
      params: {},
      query: {},
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      raw: Buffer.from('{}'),
      json: {},
    });

    // Act
    const first = route.handle(request('slow'));
    const second = await route.handle(request('fast'));
    release();
    const firstDone = await first;
    const third = await route.handle(request('fast'));

    // Assess
    expect(second).toMatchObject({ status: 429, headers: { 'retry-after': '1' } });
    expect(firstDone.status).toBe(200);
    expect(third.status).toBe(200);
  });
});
