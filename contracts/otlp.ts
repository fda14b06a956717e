import * as z from 'zod';

/**
 * OTLP/HTTP traces: `POST /v1/traces`, an ExportTraceServiceRequest in OTLP/JSON (lowerCamelCase keys,
 * hex trace and span ids, 64-bit integers as decimal strings or numbers, enums as integers) or in
 * protobuf. Protobuf bodies are decoded into this same JSON shape first (lambdas/adapters/otlp), so one
 * set of schemas validates both encodings.
 *
 * The envelope (resourceSpans → scopeSpans → spans arrays) is checked for the whole request: a body that
 * is not an OTLP request at all is a 400. Resources, scopes and spans are checked one by one, so a bad
 * span is rejected alone and reported through `partialSuccess`. Unknown keys are ignored, as the OTLP
 * specification asks of receivers.
 */

export const OTLP_TRACES_PATH = '/v1/traces';
export const OTLP_JSON = 'application/json';
export const OTLP_PROTOBUF = 'application/x-protobuf';

export const OTLP_LIMITS = {
  /** Spans in one request; more is answered 413 (exporters batch 512 by default). */
  maxSpansPerRequest: 10_000,
  maxAttributes: 4096,
  maxEvents: 4096,
  /** Nesting of array / kvlist attribute values; deeper levels are dropped, never recursed into. */
  maxValueDepth: 8,
  maxArrayValues: 100_000,
} as const;

export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue | undefined;
}

/** AnyValue: at most one of the fields is set; none set means an empty (null) value. */
export interface OtlpAnyValue {
  stringValue?: string | undefined;
  boolValue?: boolean | undefined;
  intValue?: string | number | undefined;
  doubleValue?: number | string | undefined;
  bytesValue?: string | undefined;
  arrayValue?: { values?: OtlpAnyValue[] | undefined } | undefined;
  kvlistValue?: { values?: OtlpKeyValue[] | undefined } | undefined;
}

/** A 64-bit integer in OTLP/JSON: a decimal string (the canonical form) or a JSON number. */
const int64 = z.union(
  [
    z.string().regex(/^-?\d{1,20}$/, { error: 'must be a decimal integer' }),
    z.number().int({ error: 'must be an integer' }),
  ],
  { error: 'must be an integer or a decimal string' },
);

/** Unsigned nanoseconds since the epoch. */
export const otlpNanos = z.union(
  [
    z.string().regex(/^\d{1,20}$/, { error: 'must be a decimal string of nanoseconds' }),
    z.number().int({ error: 'must be an integer' }).min(0, { error: 'must not be negative' }),
  ],
  { error: 'must be nanoseconds since the epoch, as a decimal string or an integer' },
);

const double = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])], {
  error: 'must be a number',
});

const hexId = (bytes: number) =>
  z
    .string({ error: 'must be a hex string' })
    .regex(new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`), { error: `must be ${bytes * 2} hex characters` })
    .refine((s) => /[1-9a-fA-F]/.test(s), { error: 'must not be all zeros' });

const scalarFields = {
  stringValue: z.string({ error: 'must be a string' }).optional(),
  boolValue: z.boolean({ error: 'must be a boolean' }).optional(),
  intValue: int64.optional(),
  doubleValue: double.optional(),
  bytesValue: z.string({ error: 'must be a base64 string' }).optional(),
};

/** AnyValue unrolled to a fixed depth, so hostile nesting can never exhaust the stack. */
function anyValueAt(depth: number): z.ZodType<OtlpAnyValue> {
  if (depth >= OTLP_LIMITS.maxValueDepth) return z.object(scalarFields);
  const inner = anyValueAt(depth + 1);
  return z.object({
    ...scalarFields,
    arrayValue: z.object({ values: z.array(inner).max(OTLP_LIMITS.maxArrayValues).optional() }).optional(),
    kvlistValue: z
      .object({
        values: z
          .array(z.object({ key: z.string({ error: 'must be a string' }), value: inner.optional() }))
          .max(OTLP_LIMITS.maxArrayValues)
          .optional(),
      })
      .optional(),
  });
}

export const otlpAnyValue = anyValueAt(0);

export const otlpKeyValue = z.object({
  key: z.string({ error: 'must be a string' }),
  value: otlpAnyValue.optional(),
});

export const otlpAttributes = z
  .array(otlpKeyValue, { error: 'must be an array of {key, value}' })
  .max(OTLP_LIMITS.maxAttributes, { error: `must have at most ${OTLP_LIMITS.maxAttributes} items` });

export const otlpResource = z.object({
  attributes: otlpAttributes.optional(),
});
export type OtlpResource = z.infer<typeof otlpResource>;

export const otlpScope = z.object({
  name: z.string({ error: 'must be a string' }).optional(),
  version: z.string({ error: 'must be a string' }).optional(),
  attributes: otlpAttributes.optional(),
});
export type OtlpScope = z.infer<typeof otlpScope>;

export const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
const SPAN_KIND_NAMES = SPAN_KINDS.map((k) => `SPAN_KIND_${k.toUpperCase()}`) as [string, ...string[]];
export const STATUS_CODES = ['unset', 'ok', 'error'] as const;
const STATUS_CODE_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] as const;

export const otlpSpan = z.object(
  {
    traceId: hexId(16),
    spanId: hexId(8),
    parentSpanId: z.union([z.literal(''), hexId(8)]).optional(),
    name: z.string({ error: 'must be a string' }).optional(),
    kind: z
      .union([z.number().int().min(0).max(5), z.enum(SPAN_KIND_NAMES)], {
        error: 'must be a span kind (0-5)',
      })
      .optional(),
    startTimeUnixNano: otlpNanos,
    endTimeUnixNano: otlpNanos.optional(),
    attributes: otlpAttributes.optional(),
    events: z
      .array(
        z.object({
          timeUnixNano: otlpNanos.optional(),
          name: z.string({ error: 'must be a string' }).optional(),
          attributes: otlpAttributes.optional(),
        }),
      )
      .max(OTLP_LIMITS.maxEvents, { error: `must have at most ${OTLP_LIMITS.maxEvents} items` })
      .optional(),
    status: z
      .object({
        code: z
          .union([z.number().int().min(0).max(2), z.enum(STATUS_CODE_NAMES)], {
            error: 'must be a status code (0-2)',
          })
          .optional(),
        message: z.string({ error: 'must be a string' }).optional(),
      })
      .optional(),
  },
  { error: 'must be a span object' },
);
export type OtlpSpan = z.infer<typeof otlpSpan>;

/** The envelope; resources, scopes and spans inside it stay `unknown` until checked one by one. */
export const otlpTraceRequest = z.object(
  {
    resourceSpans: z
      .array(
        z.object(
          {
            resource: z.unknown().optional(),
            scopeSpans: z
              .array(
                z.object(
                  {
                    scope: z.unknown().optional(),
                    spans: z.array(z.unknown(), { error: 'must be an array' }).optional(),
                  },
                  { error: 'must be an object' },
                ),
                { error: 'must be an array' },
              )
              .optional(),
          },
          { error: 'must be an object' },
        ),
        { error: 'must be an array' },
      )
      .optional(),
  },
  { error: 'must be an OTLP ExportTraceServiceRequest object' },
);
export type OtlpTraceRequest = z.infer<typeof otlpTraceRequest>;

/** ExportTraceServiceResponse in OTLP/JSON; `partialSuccess` is set only when something was rejected. */
export interface OtlpTraceResponse {
  partialSuccess?: { rejectedSpans: string; errorMessage: string };
}
