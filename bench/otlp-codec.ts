/**
 * `npx tsx bench/otlp-codec.ts`: decode throughput of the hand-written OTLP protobuf decoder
 * (lambdas/adapters/otlp/protobuf.ts) against the protobufjs code generated inside
 * @opentelemetry/otlp-transformer 0.216 that it replaced (decode + toObject into the OTLP/JSON shape +
 * hex span ids, as the old adapter did), in the same process, on the same bodies, in alternating
 * rounds. Prints a markdown table; times are in-process, one core, no I/O.
 */

import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import { decodeTraceRequest, encodeTraceResponse } from '../lambdas/adapters/otlp/protobuf';
import { recordBatches } from './otlp';

interface Codec {
  decode(bytes: Uint8Array): unknown;
  encode(message: unknown): { finish(): Uint8Array };
  fromObject(object: unknown): unknown;
  create(properties: unknown): unknown;
  toObject(message: unknown, options: object): Record<string, unknown>;
}
const v1 = (
  generated as unknown as {
    opentelemetry: { proto: { collector: { trace: { v1: Record<string, Codec> } } } };
  }
).opentelemetry.proto.collector.trace.v1;
const Request = v1['ExportTraceServiceRequest']!;
const Response = v1['ExportTraceServiceResponse']!;
const AS_JSON = { longs: String, bytes: String, enums: Number, json: true };

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const toHex = (o: Obj, key: string) => {
  if (typeof o[key] === 'string') o[key] = Buffer.from(o[key] as string, 'base64').toString('hex');
};

/** The decoder the adapter used before: generated decode, toObject, span ids from base64 to hex. */
function decodeGenerated(body: Uint8Array, linkIdsToHex = false): Obj {
  const object = Request.toObject(Request.decode(body), AS_JSON);
  for (const rs of list(object['resourceSpans'])) {
    for (const ss of list(rs['scopeSpans'])) {
      for (const span of list(ss['spans'])) {
        toHex(span, 'traceId');
        toHex(span, 'spanId');
        toHex(span, 'parentSpanId');
        if (linkIdsToHex)
          for (const link of list(span['links'])) for (const k of ['traceId', 'spanId']) toHex(link, k);
      }
    }
  }
  return object;
}

const spansIn = (body: Uint8Array): number =>
  list(decodeGenerated(body)['resourceSpans'])
    .flatMap((rs) => list(rs['scopeSpans']))
    .reduce((n, ss) => n + list(ss['spans']).length, 0);

export interface CodecBenchRow {
  payload: string;
  bodies: number;
  bytesPerBody: number;
  spansPerBody: number;
  handMBps: number;
  generatedMBps: number;
  handSpansPerSec: number;
  generatedSpansPerSec: number;
}

/** Median over `rounds` alternating rounds of MB/s for each decoder over all `bodies`. */
function compare(payload: string, bodies: Buffer[], rounds = 7): CodecBenchRow {
  // Both decoders must agree before their speed means anything (link ids: hex in the new one).
  for (const b of bodies.slice(0, 5)) {
    if (!isDeepStrictEqual(decodeTraceRequest(b), decodeGenerated(b, true))) {
      throw new Error(`${payload}: the decoders disagree`);
    }
  }
  const bytes = bodies.reduce((n, b) => n + b.length, 0);
  const spans = bodies.reduce((n, b) => n + spansIn(b), 0);
  const timeOne = (decode: (b: Buffer) => unknown): number => {
    const start = performance.now();
    let sink = 0;
    // Enough passes for ~20 MB a round, so each round lasts long enough to time.
    const passes = Math.max(1, Math.round(20e6 / bytes));
    for (let p = 0; p < passes; p++) for (const b of bodies) sink += decode(b) ? 1 : 0;
    if (sink === 0) throw new Error('nothing decoded');
    return (performance.now() - start) / 1000 / passes;
  };
  const hand: number[] = [];
  const gen: number[] = [];
  timeOne(decodeTraceRequest); // warm-up
  timeOne(decodeGenerated);
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      hand.push(timeOne(decodeTraceRequest));
      gen.push(timeOne(decodeGenerated));
    } else {
      gen.push(timeOne(decodeGenerated));
      hand.push(timeOne(decodeTraceRequest));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const handSeconds = median(hand);
  const genSeconds = median(gen);
  return {
    payload,
    bodies: bodies.length,
    bytesPerBody: Math.round(bytes / bodies.length),
    spansPerBody: Math.round(spans / bodies.length),
    handMBps: bytes / 1e6 / handSeconds,
    generatedMBps: bytes / 1e6 / genSeconds,
    handSpansPerSec: spans / handSeconds,
    generatedSpansPerSec: spans / genSeconds,
  };
}

/** Spans with many attributes: long prompt strings, arrays, nested kvlists, ints, doubles, bytes. */
function attributeHeavy(n: number): Buffer {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId: Buffer.alloc(16, (i % 250) + 1),
    spanId: Buffer.alloc(8, (i % 250) + 2),
    parentSpanId: Buffer.alloc(8, 3),
    name: 'chat gpt-4o',
    kind: 3,
    startTimeUnixNano: String(now + BigInt(i)),
    endTimeUnixNano: String(now + BigInt(i) + 1_000_000n),
    attributes: [
      {
        key: 'gen_ai.input.messages',
        value: { stringValue: JSON.stringify([{ role: 'user', content: 'é'.repeat(2000) }]) },
      },
      { key: 'gen_ai.output.messages', value: { stringValue: 'o'.repeat(1500) } },
      { key: 'gen_ai.usage.input_tokens', value: { intValue: String(1000 + i) } },
      { key: 'gen_ai.usage.output_tokens', value: { intValue: '-42' } },
      { key: 'llm.cost', value: { doubleValue: 0.0123 } },
      {
        key: 'tags',
        value: { arrayValue: { values: ['a', 'b', 'c', 'd'].map((s) => ({ stringValue: s })) } },
      },
      {
        key: 'tool',
        value: {
          kvlistValue: {
            values: [
              { key: 'name', value: { stringValue: 'lookup' } },
              { key: 'args', value: { kvlistValue: { values: [{ key: 'id', value: { intValue: '7' } }] } } },
            ],
          },
        },
      },
      { key: 'blob', value: { bytesValue: Buffer.alloc(64, 9) } },
      ...Array.from({ length: 20 }, (_, k) => ({ key: `attr.${k}`, value: { stringValue: `value-${k}` } })),
    ],
    events: [
      {
        timeUnixNano: String(now),
        name: 'gen_ai.choice',
        attributes: [{ key: 'index', value: { intValue: '0' } }],
      },
    ],
    status: { code: i % 20 === 0 ? 2 : 0, message: i % 20 === 0 ? 'timeout' : '' },
  }));
  const request = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] },
        scopeSpans: [{ scope: { name: 'bench', version: '1' }, spans }],
      },
    ],
  };
  return Buffer.from(Request.encode(Request.fromObject(request)).finish());
}

export function benchOtlpCodec(): CodecBenchRow[] {
  const t0 = Date.now() - 3_600_000;
  const sdk100 = recordBatches('bench-codec', 50, t0).map((spans) =>
    Buffer.from(ProtobufTraceSerializer.serializeRequest(spans as never)!),
  );
  const sdk512 = Array.from({ length: 10 }, (_, i) => {
    const spans = recordBatches(`bench-codec-${i}`, 6, t0).flat().slice(0, 512);
    return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans as never)!);
  });
  return [
    compare('SDK exporter output, 100 spans/request', sdk100),
    compare('SDK exporter output, 512 spans/request', sdk512),
    compare('attribute-heavy (28 attributes, 3.5 KB of text per span), 100 spans/request', [
      attributeHeavy(100),
      attributeHeavy(100),
    ]),
  ];
}

/** encodeTraceResponse against the generated encoder, per call. */
export function benchResponseEncoding(calls = 200_000): { handNs: number; generatedNs: number } {
  const partial = {
    rejectedSpans: 300,
    errorMessage: '300 of 512 spans rejected: span 0123456789abcdef: bad',
  };
  const time = (encode: () => Uint8Array) => {
    let n = 0;
    const start = performance.now();
    for (let i = 0; i < calls; i++) n += encode().length;
    if (n === 0) throw new Error('nothing encoded');
    return ((performance.now() - start) * 1e6) / calls;
  };
  const hand = () => encodeTraceResponse(partial);
  const gen = () => Response.encode(Response.create({ partialSuccess: partial })).finish();
  time(hand);
  time(gen);
  return { handNs: time(hand), generatedNs: time(gen) };
}

export function codecTable(rows: CodecBenchRow[]): string {
  const lines = [
    '| payload | body | spans | hand codec MB/s | generated MB/s | hand spans/s | generated spans/s | hand / generated |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.payload} | ${(r.bytesPerBody / 1024).toFixed(0)} KB | ${r.spansPerBody} | ${r.handMBps.toFixed(1)} | ` +
        `${r.generatedMBps.toFixed(1)} | ${Math.round(r.handSpansPerSec)} | ${Math.round(r.generatedSpansPerSec)} | ` +
        `${(r.handMBps / r.generatedMBps).toFixed(2)}× |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(
    `## OTLP protobuf decoding — ${new Date().toISOString().slice(0, 10)} — ${cpus()[0]?.model ?? 'unknown cpu'}, node ${process.version}\n`,
  );
  console.log(codecTable(benchOtlpCodec()));
  const enc = benchResponseEncoding();
  console.log(
    `\nExportTraceServiceResponse with partial success: hand ${enc.handNs.toFixed(0)} ns/call, generated ${enc.generatedNs.toFixed(0)} ns/call.`,
  );
}
