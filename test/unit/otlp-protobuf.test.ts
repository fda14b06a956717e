import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { otlpTraceRequest } from '../../contracts/otlp';
import { decodeTraceRequest, encodeTraceResponse } from '../../lambdas/adapters/otlp/protobuf';
import { DomainError } from '../../lambdas/domain/errors';
import { fromOtlpTraces } from '../../lambdas/domain/translate/otlp';
import { type CapturedRequest, captureBoth, child } from '../fixtures/otlp/sdk';

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

const translate = (body: unknown) =>
  fromOtlpTraces(otlpTraceRequest.parse(body), { fallbackAgent: 'fallback', now: Date.now() });

/** Mulberry32: a small seeded PRNG, so a failing mutation can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('OTLP protobuf decoding', () => {
  let json: CapturedRequest;
  let protobuf: CapturedRequest;

  beforeAll(async () => {
    // Real exporter output: one agent run sent through both official exporters at once.
    const sent = await captureBoth(
      (tracer) => {
        const root = tracer.startSpan('invoke_agent bot', {
          attributes: { 'gen_ai.operation.name': 'invoke_agent' },
        });
        const chat = child(tracer, root, 'chat gpt-4o', {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 1234,
          'gen_ai.usage.output_tokens': 56,
          'gen_ai.response.finish_reasons': ['stop'],
          'llm.cost.total': 0.25,
          'tag.tags': ['beta', 'eu'],
          big: 2 ** 40,
          flag: false,
        });
        chat.addEvent('gen_ai.user.message', { content: 'hi' });
        chat.end();
        const tool = child(tracer, root, 'execute_tool lookup', { 'gen_ai.operation.name': 'execute_tool' });
        tool.recordException(new Error('boom'));
        tool.setStatus({ code: 2, message: 'boom' });
        tool.end();
        root.end();
      },
      { 'deployment.environment': 'staging', 'service.version': '3.1.0' },
    );
    json = sent.json[0]!;
    protobuf = sent.protobuf[0]!;
  });

  it('turns what the protobuf exporter sends into what the JSON exporter sends for the same spans', () => {
    // Act
    const fromProto = translate(decodeTraceRequest(protobuf.body));
    const fromJson = translate(JSON.parse(json.body.toString('utf8')));

    // Assess
    expect(protobuf.headers['content-type']).toBe('application/x-protobuf');
    expect(json.headers['content-type']).toBe('application/json');
    expect(fromProto.drafts).toHaveLength(3);
    expect(fromProto.rejected).toEqual([]);
    expect(fromProto).toEqual(fromJson);
    expect(fromProto.drafts.find((d) => d.type === 'llm')).toMatchObject({
      usage: { inputTokens: 1234, outputTokens: 56 },
      clientCostUsd: 0.25,
      tags: ['beta', 'eu'],
      payload: { input: [{ role: 'user', content: 'hi' }], attributes: { big: 2 ** 40, flag: false } },
    });
  });

  it('refuses every truncation of a real request with a validation error, or decodes a shorter request', () => {
    const bytes = protobuf.body;
    let refused = 0;
    for (let n = 0; n < bytes.length; n++) {
      try {
        translate(decodeTraceRequest(bytes.subarray(0, n)));
      } catch (e) {
        expect(e).toBeInstanceOf(DomainError);
        expect((e as DomainError).kind).toBe('validation');
        expect((e as DomainError).field).toBe('body');
        expect((e as DomainError).message).toMatch(
          /^body: not a valid protobuf ExportTraceServiceRequest \((truncated varint|length \d+ runs past the end of its message)/,
        );
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(bytes.length / 2);
  });

  it('never fails other than with a validation error on randomly corrupted bodies', () => {
    const random = prng(20261204);
    for (let round = 0; round < 2000; round++) {
      const bytes = Buffer.from(protobuf.body);
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips; f++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      try {
        const envelope = otlpTraceRequest.safeParse(decodeTraceRequest(bytes));
        if (envelope.success) fromOtlpTraces(envelope.data, { fallbackAgent: 'f', now: Date.now() });
      } catch (e) {
        expect(e, `round ${round}`).toBeInstanceOf(DomainError);
      }
    }
  });

  it('decodes hostile nesting without exhausting the stack', () => {
    let value: Record<string, unknown> = { stringValue: 'bottom' };
    for (let i = 0; i < 2000; i++) value = { arrayValue: { values: [value] } };
    const message = v1['ExportTraceServiceRequest']!.fromObject({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.alloc(16, 1),
                  spanId: Buffer.alloc(8, 2),
                  name: 'deep',
                  startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                  attributes: [{ key: 'deep', value }],
                },
              ],
            },
          ],
        },
      ],
    });
    const bytes = v1['ExportTraceServiceRequest']!.encode(message).finish();
    const batch = translate(decodeTraceRequest(bytes));
    expect(batch.drafts).toHaveLength(1);
    expect(batch.drafts[0]!.eventId).toBe('0202020202020202');
  });

  it('encodes ExportTraceServiceResponse with partial success for the official decoder', () => {
    const decoded = v1['ExportTraceServiceResponse']!.toObject(
      v1['ExportTraceServiceResponse']!.decode(
        encodeTraceResponse({ rejectedSpans: 300, errorMessage: 'bad' }),
      ),
      { longs: String },
    );
    expect(decoded).toEqual({ partialSuccess: { rejectedSpans: '300', errorMessage: 'bad' } });
    expect(encodeTraceResponse()).toHaveLength(0);
  });
});
