/**
 * OTLP protobuf codec for traces, on the code the OpenTelemetry project generated (protobufjs
 * static-module) from the official opentelemetry-proto definitions. It ships inside
 * @opentelemetry/otlp-transformer up to 0.216, pinned for that reason: later releases serialise by hand
 * and have no decoder. OTLP's wire format is stable within v1, so newer senders decode here; fields this
 * generation does not know are skipped, as protobuf requires.
 *
 * A decoded request is turned into the OTLP/JSON shape (hex ids, decimal-string 64-bit integers,
 * base64 bytes, integer enums), so contracts/otlp.ts validates both encodings the same way.
 */
import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import { DomainError } from '../../domain/errors';

interface ConversionOptions {
  longs: StringConstructor;
  bytes: StringConstructor;
  enums: NumberConstructor;
  json: boolean;
}

interface RequestType {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: ConversionOptions): Record<string, unknown>;
}

interface ResponseType {
  create(properties: Record<string, unknown>): unknown;
  encode(message: unknown): { finish(): Uint8Array };
}

interface GeneratedRoot {
  opentelemetry: {
    proto: {
      collector: {
        trace: { v1: { ExportTraceServiceRequest: RequestType; ExportTraceServiceResponse: ResponseType } };
      };
    };
  };
}

const traceService = (generated as unknown as GeneratedRoot).opentelemetry.proto.collector.trace.v1;

const AS_JSON: ConversionOptions = { longs: String, bytes: String, enums: Number, json: true };

/**
 * Decodes an ExportTraceServiceRequest into its OTLP/JSON shape. Anything the decoder refuses
 * (truncated messages, wrong wire types, hostile nesting) is a validation error, never a crash.
 */
export function decodeTraceRequest(body: Uint8Array): unknown {
  let object: Record<string, unknown>;
  try {
    object = traceService.ExportTraceServiceRequest.toObject(
      traceService.ExportTraceServiceRequest.decode(body),
      AS_JSON,
    );
  } catch (e) {
    throw new DomainError(
      'validation',
      `body: not a valid protobuf ExportTraceServiceRequest (${e instanceof Error ? e.message : String(e)})`,
      { field: 'body', cause: e },
    );
  }
  for (const rs of arrayOf(object['resourceSpans'])) {
    for (const ss of arrayOf(rs['scopeSpans'])) {
      for (const span of arrayOf(ss['spans'])) {
        hexField(span, 'traceId');
        hexField(span, 'spanId');
        hexField(span, 'parentSpanId');
      }
    }
  }
  return object;
}

/** Encodes an ExportTraceServiceResponse; no argument means everything was accepted. */
export function encodeTraceResponse(partial?: { rejectedSpans: number; errorMessage: string }): Uint8Array {
  const message = traceService.ExportTraceServiceResponse.create(
    partial
      ? { partialSuccess: { rejectedSpans: partial.rejectedSpans, errorMessage: partial.errorMessage } }
      : {},
  );
  return traceService.ExportTraceServiceResponse.encode(message).finish();
}

const arrayOf = (v: unknown): Array<Record<string, unknown>> =>
  Array.isArray(v) ? (v as Array<Record<string, unknown>>) : [];

/** Ids are bytes on the wire (base64 after toObject) and hex in OTLP/JSON. */
function hexField(span: Record<string, unknown>, field: string): void {
  const v = span[field];
  if (typeof v === 'string') span[field] = Buffer.from(v, 'base64').toString('hex');
}
