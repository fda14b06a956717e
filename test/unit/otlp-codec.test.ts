import { context, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { otlpTraceRequest } from '../../contracts/otlp';
import {
  decodeTraceRequest,
  encodeTraceResponse,
  MAX_DECODED_VALUE_DEPTH,
} from '../../lambdas/adapters/otlp/protobuf';
import { DomainError } from '../../lambdas/domain/errors';
import { fromOtlpTraces } from '../../lambdas/domain/translate/otlp';

// ---------------------------------------------------------------------------------------------------
// The reference: protobufjs code generated from opentelemetry-proto, shipped inside
// @opentelemetry/otlp-transformer 0.216. It encodes the test requests, and its decoder is what the
// hand-written codec replaced.

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
const RequestCodec = v1['ExportTraceServiceRequest']!;
const ResponseCodec = v1['ExportTraceServiceResponse']!;

type Obj = Record<string, unknown>;

const encodeReference = (request: unknown): Buffer =>
  Buffer.from(RequestCodec.encode(RequestCodec.fromObject(request)).finish());

const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
function base64ToHex(o: Obj, key: string): void {
  if (typeof o[key] === 'string') o[key] = Buffer.from(o[key] as string, 'base64').toString('hex');
}

/**
 * What lambdas/adapters/otlp/protobuf.ts returned before the hand-written codec: the generated decoder,
 * toObject in OTLP/JSON form, span ids turned from base64 into hex. Link ids are turned into hex as well:
 * the old code left them base64 (nothing downstream reads links), the new codec writes hex as OTLP/JSON
 * does — the one intended difference.
 */
function decodeReference(bytes: Uint8Array): Obj {
  const object = RequestCodec.toObject(RequestCodec.decode(Buffer.from(bytes)), {
    longs: String,
    bytes: String,
    enums: Number,
    json: true,
  });
  for (const rs of list(object['resourceSpans'])) {
    for (const ss of list(rs['scopeSpans'])) {
      for (const span of list(ss['spans'])) {
        for (const key of ['traceId', 'spanId', 'parentSpanId']) base64ToHex(span, key);
        for (const link of list(span['links']))
          for (const key of ['traceId', 'spanId']) base64ToHex(link, key);
      }
    }
  }
  return object;
}

/** Mulberry32: a small seeded PRNG, so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------------
// Random requests in protobufjs object form (Buffers for bytes, decimal strings for 64-bit integers).
// Fields are set or left out at random; set ones often hold their default value (0, '', empty bytes),
// which the generated encoder still writes, so "present but default" is exercised too.

const STRINGS = [
  '',
  'a',
  'chat gpt-4o',
  'héllo wörld',
  '日本語のテキスト',
  'emoji 🙂🚀',
  'x'.repeat(300),
  '\u0000nul',
  '\ud800 lone',
];
const INT64 = [
  '0',
  '1',
  '-1',
  '127',
  '128',
  '2147483648',
  '4294967296',
  '9007199254740991',
  '9007199254740993',
  '-9007199254740993',
  '9223372036854775807',
  '-9223372036854775808',
  '-4294967296',
];
const UINT64 = [
  '0',
  '1',
  '4294967295',
  '4294967296',
  '9007199254740993',
  '18446744073709551615',
  '1733300000123456789',
];
const DOUBLES = [
  0,
  -0,
  1.5,
  -2.25,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1e308,
  5e-324,
  2 ** 53 + 2,
];
const UINT32 = [0, 1, 127, 128, 16384, 2 ** 31, 2 ** 32 - 1];

class Gen {
  /** plain: ASCII strings and small integers only, so bodies hold no long runs of bytes ≥ 0x80. */
  constructor(
    readonly random: () => number,
    readonly plain = false,
  ) {}
  chance = (p: number) => this.random() < p;
  int = (n: number) => Math.floor(this.random() * n);
  pick = <T>(xs: readonly T[]): T => xs[this.int(xs.length)]!;
  bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => this.int(this.plain ? 128 : 256)));
  string = () =>
    this.plain
      ? this.pick(['', 'a', 'chat gpt-4o', 'x'.repeat(40)])
      : this.chance(0.7)
        ? this.pick(STRINGS)
        : String.fromCodePoint(...Array.from({ length: this.int(12) }, () => this.int(0x2ffff))).replace(
            /[\ud800-\udfff]/g,
            'x',
          );
  int64 = () => {
    if (this.plain) return String(this.int(1000));
    if (this.chance(0.6)) return this.pick(INT64);
    const big = (BigInt(this.int(2 ** 32)) << 32n) | BigInt(this.int(2 ** 32));
    return BigInt.asIntN(64, big).toString();
  };
  uint64 = () => (this.chance(0.7) ? this.pick(UINT64) : String(BigInt(this.int(2 ** 32)) * 1_000_000_007n));
  double = () => (this.chance(0.6) ? this.pick(DOUBLES) : (this.random() - 0.5) * 10 ** this.int(20));
  uint32 = () => (this.plain ? this.int(100) : this.chance(0.7) ? this.pick(UINT32) : this.int(2 ** 32));
  id = (n: number) => (this.chance(0.9) ? this.bytes(n) : this.bytes(this.pick([0, 1, n - 1, n + 3])));

  /** Sets each of `fields` with probability p. */
  some(p: number, fields: Record<string, () => unknown>): Obj {
    const o: Obj = {};
    for (const [k, make] of Object.entries(fields)) if (this.chance(p)) o[k] = make();
    return o;
  }
  many<T>(max: number, make: () => T): T[] {
    return Array.from({ length: this.int(max + 1) }, make);
  }

  anyValue(depth: number): Obj {
    const kinds = [
      'string',
      'bool',
      'int',
      'double',
      'bytes',
      'empty',
      ...(depth < 4 ? ['array', 'kvlist'] : []),
    ];
    const one = (kind: string): Obj => {
      switch (kind) {
        case 'string':
          return { stringValue: this.string() };
        case 'bool':
          return { boolValue: this.chance(0.5) };
        case 'int':
          return { intValue: this.int64() };
        case 'double':
          return { doubleValue: this.double() };
        case 'bytes':
          return { bytesValue: this.bytes(this.int(3) === 0 ? 0 : this.int(40)) };
        case 'array':
          return {
            arrayValue: this.chance(0.1) ? {} : { values: this.many(4, () => this.anyValue(depth + 1)) },
          };
        case 'kvlist':
          return {
            kvlistValue: this.chance(0.1) ? {} : { values: this.many(4, () => this.keyValue(depth + 1)) },
          };
        default:
          return {};
      }
    };
    // Rarely two members of the oneof at once: both decoders keep every member that appears.
    return this.chance(0.03) ? { ...one(this.pick(kinds)), ...one(this.pick(kinds)) } : one(this.pick(kinds));
  }
  keyValue(depth = 0): Obj {
    return this.some(0.9, { key: () => this.string(), value: () => this.anyValue(depth) });
  }
  attributes = () => this.many(5, () => this.keyValue());

  span(): Obj {
    return this.some(0.75, {
      traceId: () => this.id(16),
      spanId: () => this.id(8),
      traceState: () => this.pick(['', 'vendor=abc,other=1']),
      parentSpanId: () => this.id(8),
      flags: () => this.pick([0, 1, 0x100, 0xffffffff]),
      name: () => this.string(),
      kind: () => this.pick([0, 1, 2, 3, 4, 5, -1, 2 ** 31 - 1]),
      startTimeUnixNano: () => this.uint64(),
      endTimeUnixNano: () => this.uint64(),
      attributes: this.attributes,
      droppedAttributesCount: this.uint32,
      events: () =>
        this.many(3, () =>
          this.some(0.7, {
            timeUnixNano: () => this.uint64(),
            name: () => this.string(),
            attributes: this.attributes,
            droppedAttributesCount: this.uint32,
          }),
        ),
      droppedEventsCount: this.uint32,
      links: () =>
        this.many(2, () =>
          this.some(0.7, {
            traceId: () => this.id(16),
            spanId: () => this.id(8),
            traceState: () => this.string(),
            attributes: this.attributes,
            droppedAttributesCount: this.uint32,
            flags: () => this.pick([0, 1, 0x301, 0xffffffff]),
          }),
        ),
      droppedLinksCount: this.uint32,
      status: () => this.some(0.6, { message: () => this.string(), code: () => this.pick([0, 1, 2, 7, -3]) }),
    });
  }

  request(): Obj {
    return {
      resourceSpans: this.many(3, () =>
        this.some(0.8, {
          resource: () =>
            this.some(0.7, {
              attributes: this.attributes,
              droppedAttributesCount: this.uint32,
              entityRefs: () =>
                this.many(2, () =>
                  this.some(0.7, {
                    schemaUrl: () => this.string(),
                    type: () => this.string(),
                    idKeys: () => this.many(3, () => this.string()),
                    descriptionKeys: () => this.many(2, () => this.string()),
                  }),
                ),
            }),
          scopeSpans: () =>
            this.many(3, () =>
              this.some(0.8, {
                scope: () =>
                  this.some(0.7, {
                    name: () => this.string(),
                    version: () => this.string(),
                    attributes: this.attributes,
                    droppedAttributesCount: this.uint32,
                  }),
                spans: () => this.many(4, () => this.span()),
                schemaUrl: () => this.string(),
              }),
            ),
          schemaUrl: () => this.string(),
        }),
      ),
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// A wire-level rewriter, independent of the codec under test: it parses any message generically,
// knowing only which length-delimited fields are sub-messages, and writes it back with its fields
// reordered, unknown fields of every wire type inserted, scalar fields duplicated and varints padded.

const SUB_MESSAGES: Record<string, Record<number, string>> = {
  Request: { 1: 'ResourceSpans' },
  ResourceSpans: { 1: 'Resource', 2: 'ScopeSpans' },
  Resource: { 1: 'KeyValue', 3: 'EntityRef' },
  EntityRef: {},
  ScopeSpans: { 1: 'Scope', 2: 'Span' },
  Scope: { 3: 'KeyValue' },
  Span: { 9: 'KeyValue', 11: 'Event', 13: 'Link', 15: 'Status' },
  Event: { 3: 'KeyValue' },
  Link: { 4: 'KeyValue' },
  Status: {},
  KeyValue: { 2: 'AnyValue' },
  AnyValue: { 5: 'ArrayValue', 6: 'KeyValueList' },
  ArrayValue: { 1: 'AnyValue' },
  KeyValueList: { 1: 'KeyValue' },
};
/** Field numbers each message knows (anything else is unknown to both decoders). */
const KNOWN_FIELDS: Record<string, number[]> = {
  Request: [1],
  ResourceSpans: [1, 2, 3],
  Resource: [1, 2, 3],
  EntityRef: [1, 2, 3, 4],
  ScopeSpans: [1, 2, 3],
  Scope: [1, 2, 3, 4],
  Span: Array.from({ length: 16 }, (_, i) => i + 1),
  Event: [1, 2, 3, 4],
  Link: [1, 2, 3, 4, 5, 6],
  Status: [2, 3],
  KeyValue: [1, 2],
  AnyValue: [1, 2, 3, 4, 5, 6, 7],
  ArrayValue: [1],
  KeyValueList: [1],
};

interface WireField {
  no: number;
  wireType: number;
  /** The value's bytes: the varint itself, the 8 or 4 fixed bytes, or the delimited payload. */
  value: Buffer;
  /** Where the field ends in the message it was parsed from. */
  end?: number;
}

function readVarint(buf: Buffer, start: number): [bigint, number] {
  let value = 0n;
  let pos = start;
  for (let shift = 0n; ; shift += 7n) {
    const b = buf[pos++];
    if (b === undefined) throw new Error('test rewriter: truncated varint');
    value |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return [value, pos];
  }
}

/** A varint, optionally padded with redundant continuation bytes (still valid protobuf). */
function varint(value: bigint | number, padTo = 0): Buffer {
  let v = BigInt(value);
  const out: number[] = [];
  do {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  } while (v > 0n);
  while (out.length < padTo) out.push(0x80);
  out[out.length - 1]! &= 0x7f;
  return Buffer.from(out);
}

function parseFields(buf: Buffer): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, afterTag] = readVarint(buf, pos);
    const no = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    let end: number;
    let start = afterTag;
    if (wireType === 0) end = readVarint(buf, afterTag)[1];
    else if (wireType === 1) end = afterTag + 8;
    else if (wireType === 5) end = afterTag + 4;
    else if (wireType === 2) {
      const [length, afterLength] = readVarint(buf, afterTag);
      start = afterLength;
      end = afterLength + Number(length);
    } else throw new Error(`test rewriter: wire type ${wireType}`);
    fields.push({ no, wireType, value: buf.subarray(start, end), end });
    pos = end;
  }
  return fields;
}

function writeField(f: WireField, pad: number): Buffer {
  const tag = varint(f.no * 8 + f.wireType, pad);
  return f.wireType === 2
    ? Buffer.concat([tag, varint(f.value.length, pad), f.value])
    : Buffer.concat([tag, f.value]);
}

function unknownField(g: Gen, type: string): WireField {
  let no: number;
  do no = g.pick([1, 2, 3, 4, 5, 16, 17, 100, 1000, 2 ** 29 - 1]);
  while (KNOWN_FIELDS[type]!.includes(no));
  const wireType = g.pick([0, 1, 2, 5]);
  const value =
    wireType === 0
      ? varint(g.pick([0n, 1n, 300n, 2n ** 63n, 2n ** 64n - 1n]))
      : wireType === 1
        ? g.bytes(8)
        : wireType === 5
          ? g.bytes(4)
          : g.chance(0.5)
            ? g.bytes(g.int(20))
            : encodeReference({ resourceSpans: [{ schemaUrl: 'an unknown sub-message' }] });
  return { no, wireType, value };
}

function rewrite(buf: Buffer, type: string, g: Gen): Buffer {
  const fields = parseFields(buf).map((f) => {
    const child = SUB_MESSAGES[type]![f.no];
    return child && f.wireType === 2 ? { ...f, value: rewrite(f.value, child, g) } : f;
  });
  if (g.chance(0.4)) {
    for (let i = fields.length - 1; i > 0; i--) {
      const j = g.int(i + 1);
      [fields[i], fields[j]] = [fields[j]!, fields[i]!];
    }
  }
  const scalar = fields.filter((f) => !(f.wireType === 2 && SUB_MESSAGES[type]![f.no]));
  if (scalar.length > 0 && g.chance(0.15)) fields.splice(g.int(fields.length + 1), 0, g.pick(scalar));
  for (let n = g.chance(0.3) ? 1 + g.int(3) : 0; n > 0; n--)
    fields.splice(g.int(fields.length + 1), 0, unknownField(g, type));
  // The generated reader skips padded varints correctly only up to 5 bytes; so pad to at most 5.
  return Buffer.concat(fields.map((f) => writeField(f, g.chance(0.1) ? 2 + g.int(4) : 0)));
}

// ---------------------------------------------------------------------------------------------------
// Hand-built bodies for hostile cases.

const len = (no: number, ...payload: Buffer[]) =>
  writeField({ no, wireType: 2, value: Buffer.concat(payload) }, 0);
const raw = (...bytes: number[]) => Buffer.from(bytes);
/** A request with one span whose body is `spanBody`, in resource_spans[0].scope_spans[0].spans[0]. */
const requestWithSpan = (...spanBody: Buffer[]) => len(1, len(2, len(2, ...spanBody)));
const goodIds = [len(1, Buffer.alloc(16, 1)), len(2, Buffer.alloc(8, 2))];

function refusal(body: Uint8Array): DomainError {
  try {
    decodeTraceRequest(body);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error(`decoded ${Buffer.from(body).toString('hex')} without complaint`);
}

/** Keeps only what the decoder keeps: values at depth ≥ the limit lose their array/kvlist member. */
function truncateDepth(value: Obj, depth = 0): Obj {
  const out: Obj = { ...value };
  const arrayValue = value['arrayValue'] as { values?: Obj[] } | undefined;
  const kvlistValue = value['kvlistValue'] as { values?: Obj[] } | undefined;
  if (depth >= MAX_DECODED_VALUE_DEPTH) {
    delete out['arrayValue'];
    delete out['kvlistValue'];
    return out;
  }
  if (arrayValue?.values)
    out['arrayValue'] = { values: arrayValue.values.map((v) => truncateDepth(v, depth + 1)) };
  if (kvlistValue?.values) {
    out['kvlistValue'] = {
      values: kvlistValue.values.map((kv) =>
        kv['value'] ? { ...kv, value: truncateDepth(kv['value'] as Obj, depth + 1) } : kv,
      ),
    };
  }
  return out;
}

/** AnyValue{array_value{values[AnyValue{…}]}} nested `levels` deep around a string, built in O(levels). */
function nestedArrays(levels: number): Buffer {
  const innermost = len(1, Buffer.from('bottom'));
  const prefixes: Buffer[] = [];
  let inner = innermost.length;
  for (let i = 0; i < levels; i++) {
    const arrayValueLength = varint(inner).length + 1 + inner; // values: tag, length, AnyValue
    prefixes.push(Buffer.concat([raw(0x2a), varint(arrayValueLength), raw(0x0a), varint(inner)]));
    inner = 1 + varint(arrayValueLength).length + arrayValueLength;
  }
  return Buffer.concat([...prefixes.reverse(), innermost]);
}

function spanWithAttribute(value: Buffer): Buffer {
  const nanos = Buffer.alloc(8);
  nanos.writeBigUInt64LE(BigInt(Date.now()) * 1_000_000n);
  return requestWithSpan(
    ...goodIds,
    len(5, Buffer.from('deep')),
    raw(0x39),
    nanos,
    len(9, len(1, Buffer.from('deep')), len(2, value)),
  );
}

const spansOf = (decoded: unknown) =>
  (((decoded as Obj)['resourceSpans'] as Obj[])[0]!['scopeSpans'] as Obj[])[0]!['spans'] as Obj[];

// ---------------------------------------------------------------------------------------------------

describe('hand-written OTLP protobuf decoder against the generated one', () => {
  it('decodes 500 random requests to the same objects', () => {
    const g = new Gen(prng(1));
    for (let round = 0; round < 500; round++) {
      const body = encodeReference(g.request());
      expect(decodeTraceRequest(body), `round ${round}`).toEqual(decodeReference(body));
    }
  });

  it('decodes the same after fields are reordered, duplicated, padded and unknown fields of every wire type inserted', () => {
    const g = new Gen(prng(2));
    const wireTypesSeen = new Set<number>();
    for (let round = 0; round < 500; round++) {
      const body = rewrite(encodeReference(g.request()), 'Request', g);
      for (const f of parseFields(body)) wireTypesSeen.add(f.wireType);
      expect(decodeTraceRequest(body), `round ${round}: ${body.toString('hex')}`).toEqual(
        decodeReference(body),
      );
    }
    expect([...wireTypesSeen].sort()).toEqual([0, 1, 2, 5]);
  });

  it('keeps 64-bit integers exact, non-finite and negative-zero doubles, empty bytes, explicit defaults and unicode', () => {
    // Prepare
    const request = {
      resourceSpans: [
        {
          resource: { attributes: [], droppedAttributesCount: 0 },
          scopeSpans: [
            {
              scope: { name: '', version: '' },
              spans: [
                {
                  traceId: Buffer.alloc(16, 0xab),
                  spanId: Buffer.alloc(8, 0xcd),
                  parentSpanId: Buffer.alloc(0),
                  name: 'naïve 日本 🙂',
                  kind: 0,
                  flags: 0xffffffff,
                  startTimeUnixNano: '18446744073709551615',
                  endTimeUnixNano: '9007199254740993',
                  droppedEventsCount: 4294967295,
                  status: { code: 0, message: '' },
                  attributes: [
                    { key: 'max', value: { intValue: '9223372036854775807' } },
                    { key: 'min', value: { intValue: '-9223372036854775808' } },
                    { key: 'neg', value: { intValue: '-1' } },
                    { key: 'above 2^53', value: { intValue: '9007199254740993' } },
                    { key: 'nan', value: { doubleValue: Number.NaN } },
                    { key: 'inf', value: { doubleValue: Number.POSITIVE_INFINITY } },
                    { key: '-inf', value: { doubleValue: Number.NEGATIVE_INFINITY } },
                    { key: '-0', value: { doubleValue: -0 } },
                    { key: 'empty bytes', value: { bytesValue: Buffer.alloc(0) } },
                    { key: 'empty', value: {} },
                    { key: 'no value' },
                    { key: 'false', value: { boolValue: false } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const body = encodeReference(request);

    // Act
    const decoded = decodeTraceRequest(body);

    // Assess
    expect(decoded).toEqual(decodeReference(body));
    const span = spansOf(decoded)[0]!;
    expect(span).toMatchObject({
      traceId: 'ab'.repeat(16),
      spanId: 'cd'.repeat(8),
      parentSpanId: '',
      name: 'naïve 日本 🙂',
      kind: 0,
      flags: 4294967295,
      startTimeUnixNano: '18446744073709551615',
      endTimeUnixNano: '9007199254740993',
      droppedEventsCount: 4294967295,
      status: { code: 0, message: '' },
    });
    const attributes = Object.fromEntries(
      (span['attributes'] as Obj[]).map((kv) => [kv['key'], kv['value']]),
    );
    expect(attributes).toEqual({
      max: { intValue: '9223372036854775807' },
      min: { intValue: '-9223372036854775808' },
      neg: { intValue: '-1' },
      'above 2^53': { intValue: '9007199254740993' },
      nan: { doubleValue: 'NaN' },
      inf: { doubleValue: 'Infinity' },
      '-inf': { doubleValue: '-Infinity' },
      '-0': { doubleValue: -0 },
      'empty bytes': { bytesValue: '' },
      empty: {},
      'no value': undefined,
      false: { boolValue: false },
    });
    expect(decodeTraceRequest(new Uint8Array(0))).toEqual({});
  });

  it('reads a bool as true for any non-zero varint, as protobuf says (the generated code kept only the low 32 bits)', () => {
    const boolOf = (value: bigint) => {
      const decoded = decodeTraceRequest(spanWithAttribute(Buffer.concat([raw(0x10), varint(value)])));
      return ((spansOf(decoded)[0]!['attributes'] as Obj[])[0]!['value'] as Obj)['boolValue'];
    };
    expect([0n, 1n, 2n, 255n, 2n ** 32n, 2n ** 63n].map(boolOf)).toEqual([
      false,
      true,
      true,
      true,
      true,
      true,
    ]);
    const body = spanWithAttribute(Buffer.concat([raw(0x10), varint(2)]));
    expect(decodeTraceRequest(body)).toEqual(decodeReference(body));
  });

  it('turns invalid UTF-8 in strings into U+FFFD, as the generated decoder on a Buffer did', () => {
    const invalid = [
      raw(0xff),
      raw(0xc3),
      raw(0xc0, 0xaf),
      raw(0xed, 0xa0, 0x80),
      raw(0xf0, 0x9f, 0x99),
      raw(0x61, 0x80, 0x62),
    ];
    for (const bytes of invalid) {
      const body = requestWithSpan(...goodIds, len(5, bytes));
      const decoded = decodeTraceRequest(body);
      expect(decoded).toEqual(decodeReference(body));
      expect(spansOf(decoded)[0]!['name']).toContain('\ufffd');
    }
  });

  it('decodes what the OpenTelemetry JS SDK serializes to the same objects', () => {
    // Prepare: spans recorded by the SDK with every attribute type, events, links and statuses.
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'codec', 'host.cores': 8, ratio: 0.5, on: true }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    const tracer = provider.getTracer('codec-test', '1.2.3');
    const root = tracer.startSpan('root', { attributes: { tags: ['a', 'b'], counts: [1, 2], big: 2 ** 40 } });
    const ctx = trace.setSpan(context.active(), root);
    const child = tracer.startSpan(
      'child',
      {
        links: [{ context: root.spanContext(), attributes: { why: 'follows' } }],
        attributes: { π: 2.5 },
      },
      ctx,
    );
    child.addEvent('gen_ai.user.message', { content: 'héllo' });
    child.recordException(new Error('boom'));
    child.setStatus({ code: 2, message: 'boom' });
    child.end();
    root.setStatus({ code: 1 });
    root.end();
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(memory.getFinishedSpans())!);

    // Act
    const decoded = decodeTraceRequest(body);

    // Assess
    expect(decoded).toEqual(decodeReference(body));
    const spans = spansOf(decoded);
    expect(spans.map((s) => s['name']).sort()).toEqual(['child', 'root']);
    expect(otlpTraceRequest.safeParse(decoded).success).toBe(true);
  });

  it('drops array and kvlist values nested deeper than the limit without reading them, and keeps the rest', () => {
    // Prepare: 2,000 levels (the generated decoder still copes) and 200,000 (1.2 MB of nesting).
    const body = spanWithAttribute(nestedArrays(2000));
    const hostile = spanWithAttribute(nestedArrays(200_000));

    // Act
    const decoded = decodeTraceRequest(body);
    const decodedHostile = decodeTraceRequest(hostile);

    // Assess
    const reference = decodeReference(body);
    const referenceSpan = spansOf(reference)[0]!;
    const attribute = (referenceSpan['attributes'] as Obj[])[0]!;
    attribute['value'] = truncateDepth(attribute['value'] as Obj);
    expect(decoded).toEqual(reference);
    let value = ((spansOf(decodedHostile)[0]!['attributes'] as Obj[])[0]!['value'] as Obj) ?? {};
    let levels = 0;
    while (value['arrayValue']) {
      value = ((value['arrayValue'] as Obj)['values'] as Obj[])[0]!;
      levels++;
    }
    expect(levels).toBe(MAX_DECODED_VALUE_DEPTH);
    expect(value).toEqual({});
    const batch = fromOtlpTraces(otlpTraceRequest.parse(decodedHostile), {
      fallbackAgent: 'f',
      now: Date.now(),
    });
    expect(batch.drafts).toHaveLength(1);
  });
});

describe('hand-written OTLP protobuf decoder on hostile bodies', () => {
  it('refuses every truncation of a request except at its top-level field boundaries', () => {
    // Prepare
    const g = new Gen(prng(3));
    const requests = Array.from({ length: 4 }, () => g.request());
    const body = rewrite(
      encodeReference({ resourceSpans: requests.flatMap((r) => list(r['resourceSpans'])) }),
      'Request',
      g,
    );
    const boundaries = new Set<number>([0, ...parseFields(body).map((f) => f.end!)]);
    expect(boundaries.size).toBeGreaterThan(4);
    expect(body.length).toBeGreaterThan(1000);

    // Act + Assess
    for (let n = 0; n < body.length; n++) {
      const cut = body.subarray(0, n);
      if (boundaries.has(n)) expect(decodeTraceRequest(cut), `cut at ${n}`).toEqual(decodeReference(cut));
      else expect(refusal(cut).kind, `cut at ${n}`).toBe('validation');
    }
  });

  it.each([
    ['a tag without its length', raw(0x0a), /truncated varint at byte 1\)$/],
    [
      'a length past the end of the body',
      raw(0x0a, 0x05, 0x00),
      /length 5 runs past the end of its message \(1 bytes left\) at byte 1\)$/,
    ],
    [
      'a length past the end of its enclosing message',
      Buffer.concat([raw(0x0a, 0x04, 0x12, 0x0a, 0x00, 0x00), len(1, Buffer.alloc(20))]),
      /length 10 runs past the end of its message \(2 bytes left\) at byte 3, in resource_spans\)$/,
    ],
    [
      'a varint longer than 10 bytes',
      Buffer.concat([varint(100 * 8), raw(...Array(10).fill(0xff), 0x01)]),
      /varint longer than 10 bytes at byte 2\)$/,
    ],
    [
      'a length over 4 GiB',
      Buffer.concat([raw(0x0a), varint(2n ** 32n + 1n)]),
      /length over 4 GiB at byte 1\)$/,
    ],
    [
      'a span id sent as a varint',
      requestWithSpan(len(1, Buffer.alloc(16, 1)), raw(0x10, 0x01)),
      /Span\.span_id \(field 2\) has wire type varint, expected length-delimited at byte 24, in resource_spans\.scope_spans\.spans\)$/,
    ],
    [
      'a start time sent as a varint',
      requestWithSpan(...goodIds, raw(0x38, 0x01)),
      /Span\.start_time_unix_nano \(field 7\) has wire type varint, expected fixed64/,
    ],
    [
      'flags sent as fixed64',
      requestWithSpan(...goodIds, raw(0x81, 0x01), Buffer.alloc(8)),
      /Span\.flags \(field 16\) has wire type fixed64, expected fixed32/,
    ],
    [
      'a kind sent length-delimited',
      requestWithSpan(...goodIds, len(6, raw(1))),
      /Span\.kind \(field 6\) has wire type length-delimited, expected varint/,
    ],
    [
      'a double sent as fixed32',
      spanWithAttribute(raw(0x25, 0, 0, 0, 0)),
      /AnyValue\.double_value \(field 4\) has wire type fixed32, expected fixed64 at byte \d+, in resource_spans\.scope_spans\.spans\.attributes\.value\)$/,
    ],
    [
      'a span list sent as a varint',
      len(1, raw(0x10, 0x01)),
      /ResourceSpans\.scope_spans \(field 2\) has wire type varint/,
    ],
    [
      'a group start (wire type 3)',
      Buffer.concat([varint(100 * 8 + 3), varint(100 * 8 + 4)]),
      /deprecated group wire type 3 \(OTLP has no groups\) at byte 0\)$/,
    ],
    ['a group end (wire type 4)', varint(100 * 8 + 4), /deprecated group wire type 4/],
    ['wire type 6', varint(100 * 8 + 6), /invalid wire type 6 at byte 0\)$/],
    [
      'wire type 7',
      requestWithSpan(varint(100 * 8 + 7)),
      /invalid wire type 7 at byte 6, in resource_spans\.scope_spans\.spans\)$/,
    ],
    ['field number 0', raw(0x02, 0x00), /field number 0 at byte 0\)$/],
    [
      'a truncated fixed64',
      requestWithSpan(...goodIds, raw(0x39, 1, 2, 3)),
      /truncated fixed64 at byte \d+, in resource_spans\.scope_spans\.spans\)$/,
    ],
    ['a truncated fixed32', requestWithSpan(...goodIds, raw(0x85, 0x01, 1)), /truncated fixed32/],
    [
      'an unknown fixed64 cut short',
      Buffer.concat([varint(100 * 8 + 1), raw(1, 2)]),
      /truncated fixed64 at byte 2\)$/,
    ],
  ])('refuses %s with a validation error on body that says what and where', (_name, body, message) => {
    const error = refusal(body);
    expect(error.kind).toBe('validation');
    expect(error.field).toBe('body');
    expect(error.message).toMatch(/^body: not a valid protobuf ExportTraceServiceRequest \(/);
    expect(error.message).toMatch(message);
  });

  it('never fails other than with a validation error on 4,000 corrupted bodies, and agrees with the generated decoder on those it accepts', () => {
    // The generated reader misreads varints of 6 to 9 bytes (after 5 bytes it skips a fixed 5 more),
    // so bodies holding such a run are not compared with it; the hand codec reads them as protobuf says.
    const generatedMisreads = (body: Buffer) => {
      let run = 0;
      for (const byte of body) {
        if (byte >= 0x80) run++;
        else if (run >= 5 && run <= 8) return true;
        else run = 0;
      }
      return false;
    };
    const g = new Gen(prng(4));
    const plain = new Gen(prng(5), true);
    const bases = [
      ...Array.from({ length: 6 }, () => rewrite(encodeReference(g.request()), 'Request', g)),
      ...Array.from({ length: 6 }, () => rewrite(encodeReference(plain.request()), 'Request', plain)),
    ].filter((b) => b.length > 0);
    let compared = 0;
    let refused = 0;
    for (let round = 0; round < 4000; round++) {
      const base = g.pick(bases);
      let body: Buffer;
      const mode = g.int(4);
      if (mode === 0) body = g.bytes(1 + g.int(64));
      else if (mode === 1) {
        const at = g.int(base.length);
        body = Buffer.concat([base.subarray(0, at), g.bytes(1 + g.int(3)), base.subarray(at + g.int(3))]);
      } else {
        body = Buffer.from(base);
        for (let f = 1 + g.int(4); f > 0; f--) body[g.int(body.length)] = g.int(256);
      }
      let decoded: unknown;
      try {
        decoded = decodeTraceRequest(body);
      } catch (e) {
        expect(e, `round ${round}`).toBeInstanceOf(DomainError);
        expect((e as DomainError).kind).toBe('validation');
        expect((e as DomainError).field).toBe('body');
        refused++;
        continue;
      }
      if (generatedMisreads(body)) continue;
      compared++;
      expect(decoded, `round ${round}: ${body.toString('hex')}`).toEqual(decodeReference(body));
    }
    expect(compared).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(1000);
  });
});

describe('hand-written ExportTraceServiceResponse encoder', () => {
  it('writes the bytes the generated encoder writes, for counts across varint sizes and any message', () => {
    const counts = [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 31, 2 ** 32 + 5, 2 ** 53 - 1];
    const messages = [
      '',
      'bad',
      '130 of 130 spans rejected: spanId: must be 16 hex characters',
      'é🙂',
      'x'.repeat(300),
    ];
    for (const rejectedSpans of counts) {
      for (const errorMessage of messages) {
        const ours = encodeTraceResponse({ rejectedSpans, errorMessage });
        const theirs = ResponseCodec.encode(
          ResponseCodec.create({ partialSuccess: { rejectedSpans, errorMessage } }),
        ).finish();
        expect(Buffer.from(ours).toString('hex'), `${rejectedSpans} ${errorMessage.length}`).toBe(
          Buffer.from(theirs).toString('hex'),
        );
        expect(ResponseCodec.toObject(ResponseCodec.decode(ours), { longs: String })).toEqual({
          partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage },
        });
      }
    }
    expect(encodeTraceResponse()).toHaveLength(0);
  });
});
