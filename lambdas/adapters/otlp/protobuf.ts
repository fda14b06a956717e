/**
 * OTLP protobuf codec for traces, written by hand for exactly the messages of
 * opentelemetry-proto's collector/trace/v1 (ExportTraceServiceRequest down to AnyValue) and the
 * ExportTraceServiceResponse. It replaces the protobufjs code generated inside
 * @opentelemetry/otlp-transformer, which was most of the ingest bundle; test/unit/otlp-codec.test.ts
 * checks that both decode the same requests to the same objects.
 *
 * A decoded request comes out in the OTLP/JSON shape (hex trace and span ids, decimal-string 64-bit
 * integers, base64 bytes, integer enums, "NaN"/"Infinity" for non-finite doubles), so contracts/otlp.ts
 * validates both encodings the same way. A field present on the wire is present in the object even when
 * it holds its default value; an absent one is absent. Fields this codec does not know are skipped, as
 * protobuf requires of receivers, so newer senders decode here. Where a singular field appears twice
 * the last one wins (the generated code did the same; protobuf would merge messages), and every member of
 * AnyValue's oneof that appears is kept.
 */
import { OTLP_LIMITS } from '../../../contracts/otlp';
import { DomainError } from '../../domain/errors';
import {
  int64String,
  uint64String,
  varintSize,
  WIRE_FIXED32,
  WIRE_FIXED64,
  WIRE_LEN,
  WIRE_VARINT,
  WireError,
  WireReader,
  WireWriter,
  wireName,
} from './wire';

/**
 * Array and kvlist values nested deeper than this are dropped without being read (their bytes are
 * skipped), so hostile nesting costs neither stack nor time. contracts/otlp.ts keeps fewer levels
 * still (OTLP_LIMITS.maxValueDepth), so nothing a request can use is lost here.
 */
export const MAX_DECODED_VALUE_DEPTH = 32;

type Obj = Record<string, unknown>;

/** Field number → name and wire type, for the messages of errors about a known field. */
type Fields = Readonly<Record<number, readonly [string, number]>>;

/**
 * Decodes an ExportTraceServiceRequest into its OTLP/JSON shape. Anything malformed (truncated
 * varints or lengths, lengths past their message, wrong wire types for known fields, group or
 * undefined wire types) is a validation error on `body` that says what and where, never a crash.
 */
export function decodeTraceRequest(body: Uint8Array): unknown {
  const r = new WireReader(body);
  containers = 0;
  spans = 0;
  try {
    return exportRequest(r);
  } catch (e) {
    if (e instanceof TooManyContainers) {
      throw new DomainError(
        'too-large',
        `body: more than ${OTLP_LIMITS.maxSpansPerRequest} resource spans, scope spans or spans in one request`,
      );
    }
    if (!(e instanceof WireError)) throw e;
    const where = r.path.length > 0 ? `, in ${r.path.join('.')}` : '';
    throw new DomainError(
      'validation',
      `body: not a valid protobuf ExportTraceServiceRequest (${e.message}${where})`,
      { field: 'body', cause: e },
    );
  }
}

/** Encodes an ExportTraceServiceResponse; no argument means everything was accepted (no bytes). */
export function encodeTraceResponse(partial?: { rejectedSpans: number; errorMessage: string }): Uint8Array {
  if (!partial) return new Uint8Array(0);
  // ExportTraceServiceResponse { partial_success (1) { rejected_spans (1): int64, error_message (2): string } },
  // both written even when zero or empty, as the generated encoder did.
  const rejected = Math.max(0, Math.trunc(partial.rejectedSpans));
  const messageBytes = Buffer.byteLength(partial.errorMessage, 'utf8');
  const inner = 1 + varintSize(rejected) + 1 + varintSize(messageBytes) + messageBytes;
  return new WireWriter(1 + varintSize(inner) + inner)
    .tag(1, WIRE_LEN)
    .varint(inner)
    .tag(1, WIRE_VARINT)
    .varint(rejected)
    .tag(2, WIRE_LEN)
    .varint(messageBytes)
    .utf8(partial.errorMessage)
    .finish();
}

// ---------------------------------------------------------------------------------------------------
// Messages. Each reads fields until the end of its message (r.end); `nested` narrows r.end to a
// length-delimited sub-message and restores it after.

/**
 * ResourceSpans, ScopeSpans and Spans decoded so far in this request. A span-less body can still hold
 * millions of empty containers (a few bytes each), so they count against the span limit while decoding,
 * before they cost memory.
 */
let containers = 0;
let spans = 0;
class TooManyContainers extends Error {}
function counted<T>(value: T, kind: 'container' | 'span' = 'container'): T {
  const n = kind === 'span' ? ++spans : ++containers;
  if (n > OTLP_LIMITS.maxSpansPerRequest) throw new TooManyContainers();
  return value;
}

function nested<T>(r: WireReader, field: string, decode: (r: WireReader, depth: number) => T, depth = 0): T {
  const end = r.delimited();
  const outer = r.end;
  r.end = end;
  r.path.push(field);
  const value = decode(r, depth);
  r.path.pop();
  r.end = outer;
  return value;
}

function push(o: Obj, key: string, value: unknown): void {
  const list = o[key] as unknown[] | undefined;
  if (list === undefined) o[key] = [value];
  else list.push(value);
}

/**
 * A field whose tag no `case` matched: a known field number with the wrong wire type is refused,
 * anything else is skipped.
 */
function other(r: WireReader, t: number, at: number, message: string, known: Fields) {
  const field = t >>> 3;
  const wireType = t & 7;
  if (field === 0) r.fail('field number 0', at);
  const spec = known[field];
  if (spec) {
    r.fail(
      `${message}.${spec[0]} (field ${field}) has wire type ${wireName(wireType)}, expected ${wireName(spec[1])}`,
      at,
    );
  }
  r.skip(wireType, at);
}

const REQUEST_FIELDS: Fields = { 1: ['resource_spans', WIRE_LEN] };
function exportRequest(r: WireReader): Obj {
  const o: Obj = {};
  while (r.pos < r.end) {
    const at = r.pos;
    const t = r.uint32();
    if (t === 10 /* 1, len */) push(o, 'resourceSpans', counted(nested(r, 'resource_spans', resourceSpans)));
    else other(r, t, at, 'ExportTraceServiceRequest', REQUEST_FIELDS);
  }
  return o;
}

const RESOURCE_SPANS_FIELDS: Fields = {
  1: ['resource', WIRE_LEN],
  2: ['scope_spans', WIRE_LEN],
  3: ['schema_url', WIRE_LEN],
};
function resourceSpans(r: WireReader): Obj {
  const o: Obj = {};
  while (r.pos < r.end) {
    const at = r.pos;
    const t = r.uint32();
    switch (t) {
      case 10 /* 1, len */:
        o['resource'] = nested(r, 'resource', resource);
        break;
      case 18 /* 2, len */:
        push(o, 'scopeSpans', counted(nested(r, 'scope_spans', scopeSpans)));
        break;
      case 26 /* 3, len */:
        o['schemaUrl'] = r.string();
        break;
      default:
        other(r, t, at, 'ResourceSpans', RESOURCE_SPANS_FIELDS);
    }
  }
  return o;
}

const RESOURCE_FIELDS: Fields = {
  1: ['attributes', WIRE_LEN],
  2: ['dropped_attributes_count', WIRE_VARINT],
  3: ['entity_refs', WIRE_LEN],
};
function resource(r: WireReader): Obj {
  const o: Obj = {};
  while (r.pos < r.end) {
    const at = r.pos;
    const t = r.uint32();
    switch (t) {
      case 10 /* 1, len */:
        push(o, 'attributes', nested(r, 'attributes', keyValue));
        break;
      case 16 /* 2, varint */:
        o['droppedAttributesCount'] = r.uint32();
        break;
      case 26 /* 3, len */:
        push(o, 'entityRefs', nested(r, 'entity_refs', entityRef));
        break;
      default:
        other(r, t, at, 'Resource', RESOURCE_FIELDS);
    }
  }
  return o;
}

const ENTITY_REF_FIELDS: Fields = {
  1: ['schema_url', WIRE_LEN],
  2: ['type', WIRE_LEN],
  3: ['id_keys', WIRE_LEN],
  4: ['description_keys', WIRE_LEN],
};
function entityRef(r: WireReader): Obj {
  const o: Obj = {};
  while (r.pos < r.end) {
    const at = r.pos;
    const t = r.uint32();
    switch (t) {
      case 10 /* 1, len */:
        o['schemaUrl'] = r.string();
        break;
      case 18 /* 2, len */:
        o['type'] = r.string();
        break;
      case 26 /* 3, len */:
        push(o, 'idKeys', r.string());
        break;
      case 34 /* 4, len */:
        push(o, 'descriptionKeys', r.string());
        break;
      default:
        other(r, t, at, 'EntityRef', ENTITY_REF_FIELDS);
    }
  }
  return o;
}

const SCOPE_SPANS_FIELDS: Fields = {
  1: ['scope', WIRE_LEN],
  2: ['spans', WIRE_LEN],
  3: ['schema_url', WIRE_LEN],
};
function scopeSpans(r: WireReader): Obj {
  const o: Obj = {};
  while (r.pos < r.end) {
    const at = r.pos;
    const t = r.uint32();
    switch (t) {
      case 10 /* 1, len */:
        o['scope'] = nested(r, 'scope', scope);
        break;
      case 18 /* 2, len */:
        push(o, 'spans', counted(nested(r, 'spans', span), 'span'));
        break;
      case 26 /* 3, len */:
        o['schemaUrl'] = r.string();
        break;
      default:
        other(r, t, at, 'ScopeSpans', SCOPE_SPANS_FIELDS);
    }
  }
  return o;
}

const SCOPE_FIELDS: Fields = {
  1: ['name', WIRE_LEN],
  2: ['version', WIRE_LEN],
  3: ['attributes', WIRE_LEN],
  4: ['dropped_attributes_count', WIRE_VARINT],
};
function scope(r: WireReader): Obj {
  const o: Obj = {};
  while (r.pos < r.end) {
    const at = r.pos;
    const t = r.uint32();
    switch (t) {
      case 10 /* 1, len */:
        o['name'] = r.string();
        break;
      case 18 /* 2, len */:
        o['version'] = r.string();
        break;
      case 26 /* 3, len */:
        push(o, 'attributes', nested(r, 'attributes', keyValue));
        break;
      case 32 /* 4, varint */:
        o['droppedAttributesCount'] = r.uint32();
        break;
      default:
        other(r, t, at, 'InstrumentationScope', SCOPE_FIELDS);
    }
  }
  return o;
}

const SPAN_FIELDS: Fields = {
  1: ['trace_id', WIRE_LEN],
  2: ['span_id', WIRE_LEN],
  3: ['trace_state', WIRE_LEN],
  4: ['parent_span_id', WIRE_LEN],
  5: ['name', WIRE_LEN],
  6: ['kind', WIRE_VARINT],
  7: ['start_time_unix_nano', WIRE_FIXED64],
  8: ['end_time_unix_nano', WIRE_FIXED64],
  9: ['attributes', WIRE_LEN],
  10: ['dropped_attributes_count', WIRE_VARINT],
  11: ['events', WIRE_LEN],
  12: ['dropped_events_count', WIRE_VARINT],
  13: ['links', WIRE_LEN],
  14: ['dropped_links_count', WIRE_VARINT],
  15: ['status', WIRE_LEN],
  16: ['flags', WIRE_FIXED32],
};
function span(r: WireReader): Obj {
  const o: Obj = {};
  while (r.pos < r.end) {
    const at = r.pos;
    const t = r.uint32();
    switch (t) {
      case 10 /* 1, len */:
        o['traceId'] = r.hex();
        break;
      case 18 /* 2, len */:
        o['spanId'] = r.hex();
        break;
      case 26 /* 3, len */:
        o['traceState'] = r.string();
        break;
      case 34 /* 4, len */:
        o['parentSpanId'] = r.hex();
        break;
      case 42 /* 5, len */:
        o['name'] = r.string();
        break;
      case 48 /* 6, varint */:
        o['kind'] = r.uint32() | 0;
        break;
      case 57 /* 7, fixed64 */:
        r.fixed64();
        o['startTimeUnixNano'] = uint64String(r.lo, r.hi);
        break;
      case 65 /* 8, fixed64 */:
        r.fixed64();
        o['endTimeUnixNano'] = uint64String(r.lo, r.hi);
        break;
      case 74 /* 9, len */:
        push(o, 'attributes', nested(r, 'attributes', keyValue));
        break;
      case 80 /* 10, varint */:
        o['droppedAttributesCount'] = r.uint32();
        break;
      case 90 /* 11, len */:
        push(o, 'events', nested(r, 'events', event));
        break;
      case 96 /* 12, varint */:
        o['droppedEventsCount'] = r.uint32();
        break;
      case 106 /* 13, len */:
        push(o, 'links', nested(r, 'links', link));
        break;
      case 112 /* 14, varint */:
        o['droppedLinksCount'] = r.uint32();
        break;
      case 122 /* 15, len */:
        o['status'] = nested(r, 'status', status);
        break;
      case 133 /* 16, fixed32 */:
        o['flags'] = r.fixed32();
        break;
      default:
        other(r, t, at, 'Span', SPAN_FIELDS);
    }
  }
  return o;
}

const EVENT_FIELDS: Fields = {
  1: ['time_unix_nano', WIRE_FIXED64],
  2: ['name', WIRE_LEN],
  3: ['attributes', WIRE_LEN],
  4: ['dropped_attributes_count', WIRE_VARINT],
};
function event(r: WireReader): Obj {
  const o: Obj = {};
  while (r.pos < r.end) {
    const at = r.pos;
    const t = r.uint32();
    switch (t) {
      case 9 /* 1, fixed64 */:
        r.fixed64();
        o['timeUnixNano'] = uint64String(r.lo, r.hi);
        break;
      case 18 /* 2, len */:
        o['name'] = r.string();
        break;
      case 26 /* 3, len */:
        push(o, 'attributes', nested(r, 'attributes', keyValue));
        break;
      case 32 /* 4, varint */:
        o['droppedAttributesCount'] = r.uint32();
        break;
      default:
        other(r, t, at, 'Span.Event', EVENT_FIELDS);
    }
  }
  return o;
}

const LINK_FIELDS: Fields = {
  1: ['trace_id', WIRE_LEN],
  2: ['span_id', WIRE_LEN],
  3: ['trace_state', WIRE_LEN],
  4: ['attributes', WIRE_LEN],
  5: ['dropped_attributes_count', WIRE_VARINT],
  6: ['flags', WIRE_FIXED32],
};
function link(r: WireReader): Obj {
  const o: Obj = {};
  while (r.pos < r.end) {
    const at = r.pos;
    const t = r.uint32();
    switch (t) {
      case 10 /* 1, len */:
        o['traceId'] = r.hex();
        break;
      case 18 /* 2, len */:
        o['spanId'] = r.hex();
        break;
      case 26 /* 3, len */:
        o['traceState'] = r.string();
        break;
      case 34 /* 4, len */:
        push(o, 'attributes', nested(r, 'attributes', keyValue));
        break;
      case 40 /* 5, varint */:
        o['droppedAttributesCount'] = r.uint32();
        break;
      case 53 /* 6, fixed32 */:
        o['flags'] = r.fixed32();
        break;
      default:
        other(r, t, at, 'Span.Link', LINK_FIELDS);
    }
  }
  return o;
}

const STATUS_FIELDS: Fields = { 2: ['message', WIRE_LEN], 3: ['code', WIRE_VARINT] };
function status(r: WireReader): Obj {
  const o: Obj = {};
  while (r.pos < r.end) {
    const at = r.pos;
    const t = r.uint32();
    switch (t) {
      case 18 /* 2, len */:
        o['message'] = r.string();
        break;
      case 24 /* 3, varint */:
        o['code'] = r.uint32() | 0;
        break;
      default:
        other(r, t, at, 'Status', STATUS_FIELDS);
    }
  }
  return o;
}

const KEY_VALUE_FIELDS: Fields = { 1: ['key', WIRE_LEN], 2: ['value', WIRE_LEN] };
function keyValue(r: WireReader, depth: number): Obj {
  const o: Obj = {};
  while (r.pos < r.end) {
    const at = r.pos;
    const t = r.uint32();
    switch (t) {
      case 10 /* 1, len */:
        o['key'] = r.string();
        break;
      case 18 /* 2, len */:
        o['value'] = nested(r, 'value', anyValue, depth);
        break;
      default:
        other(r, t, at, 'KeyValue', KEY_VALUE_FIELDS);
    }
  }
  return o;
}

const ANY_VALUE_FIELDS: Fields = {
  1: ['string_value', WIRE_LEN],
  2: ['bool_value', WIRE_VARINT],
  3: ['int_value', WIRE_VARINT],
  4: ['double_value', WIRE_FIXED64],
  5: ['array_value', WIRE_LEN],
  6: ['kvlist_value', WIRE_LEN],
  7: ['bytes_value', WIRE_LEN],
};
function anyValue(r: WireReader, depth: number): Obj {
  const o: Obj = {};
  while (r.pos < r.end) {
    const at = r.pos;
    const t = r.uint32();
    switch (t) {
      case 10 /* 1, len */:
        o['stringValue'] = r.string();
        break;
      case 16 /* 2, varint */:
        o['boolValue'] = r.bool();
        break;
      case 24 /* 3, varint */:
        r.varint64();
        o['intValue'] = int64String(r.lo, r.hi);
        break;
      case 33 /* 4, fixed64 */:
        {
          const d = r.double();
          o['doubleValue'] = Number.isFinite(d) ? d : String(d);
          break;
        }
      case 42 /* 5, len */:
        if (depth >= MAX_DECODED_VALUE_DEPTH) r.pos = r.delimited();
        else o['arrayValue'] = nested(r, 'array_value', arrayValue, depth + 1);
        break;
      case 50 /* 6, len */:
        if (depth >= MAX_DECODED_VALUE_DEPTH) r.pos = r.delimited();
        else o['kvlistValue'] = nested(r, 'kvlist_value', keyValueList, depth + 1);
        break;
      case 58 /* 7, len */:
        o['bytesValue'] = r.base64();
        break;
      default:
        other(r, t, at, 'AnyValue', ANY_VALUE_FIELDS);
    }
  }
  return o;
}

const VALUES_FIELDS: Fields = { 1: ['values', WIRE_LEN] };
function arrayValue(r: WireReader, depth: number): Obj {
  const o: Obj = {};
  while (r.pos < r.end) {
    const at = r.pos;
    const t = r.uint32();
    if (t === 10 /* 1, len */) push(o, 'values', nested(r, 'values', anyValue, depth));
    else other(r, t, at, 'ArrayValue', VALUES_FIELDS);
  }
  return o;
}

function keyValueList(r: WireReader, depth: number): Obj {
  const o: Obj = {};
  while (r.pos < r.end) {
    const at = r.pos;
    const t = r.uint32();
    if (t === 10 /* 1, len */) push(o, 'values', nested(r, 'values', keyValue, depth));
    else other(r, t, at, 'KeyValueList', VALUES_FIELDS);
  }
  return o;
}
