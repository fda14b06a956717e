import * as z from 'zod/mini';

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
    z.string().check(z.regex(/^-?\d{1,20}$/, { error: 'must be a decimal integer' })),
    z.number().check(z.int({ error: 'must be an integer' })),
  ],
  { error: 'must be an integer or a decimal string' },
);

/** Unsigned nanoseconds since the epoch. */
export const otlpNanos = z.union(
  [
    z.string().check(z.regex(/^\d{1,20}$/, { error: 'must be a decimal string of nanoseconds' })),
    z.number().check(z.int({ error: 'must be an integer' }), z.gte(0, { error: 'must not be negative' })),
  ],
  { error: 'must be nanoseconds since the epoch, as a decimal string or an integer' },
);

const double = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])], {
  error: 'must be a number',
});

const hexId = (bytes: number) =>
  z.string({ error: 'must be a hex string' }).check(
    z.regex(new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`), { error: `must be ${bytes * 2} hex characters` }),
    z.refine((s: string) => /[1-9a-fA-F]/.test(s), { error: 'must not be all zeros' }),
  );

const scalarFields = {
  stringValue: z.optional(z.string({ error: 'must be a string' })),
  boolValue: z.optional(z.boolean({ error: 'must be a boolean' })),
  intValue: z.optional(int64),
  doubleValue: z.optional(double),
  bytesValue: z.optional(z.string({ error: 'must be a base64 string' })),
};

/** AnyValue unrolled to a fixed depth, so hostile nesting can never exhaust the stack. */
function anyValueAt(depth: number): z.ZodMiniType<OtlpAnyValue> {
  if (depth >= OTLP_LIMITS.maxValueDepth) return z.object(scalarFields);
  const inner = anyValueAt(depth + 1);
  return z.object({
    ...scalarFields,
    arrayValue: z.optional(
      z.object({
        values: z.optional(z.array(inner).check(z.maxLength(OTLP_LIMITS.maxArrayValues))),
      }),
    ),
    kvlistValue: z.optional(
      z.object({
        values: z.optional(
          z
            .array(z.object({ key: z.string({ error: 'must be a string' }), value: z.optional(inner) }))
            .check(z.maxLength(OTLP_LIMITS.maxArrayValues)),
        ),
      }),
    ),
  });
}

export const otlpAnyValue = anyValueAt(0);

export const otlpKeyValue = z.object({
  key: z.string({ error: 'must be a string' }),
  value: z.optional(otlpAnyValue),
});

export const otlpAttributes = z
  .array(otlpKeyValue, { error: 'must be an array of {key, value}' })
  .check(
    z.maxLength(OTLP_LIMITS.maxAttributes, { error: `must have at most ${OTLP_LIMITS.maxAttributes} items` }),
  );

export const otlpResource = z.object({
  attributes: z.optional(otlpAttributes),
});
export type OtlpResource = z.infer<typeof otlpResource>;

export const otlpScope = z.object({
  name: z.optional(z.string({ error: 'must be a string' })),
  version: z.optional(z.string({ error: 'must be a string' })),
  attributes: z.optional(otlpAttributes),
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
    parentSpanId: z.optional(z.union([z.literal(''), hexId(8)])),
    name: z.optional(z.string({ error: 'must be a string' })),
    kind: z.optional(
      z.union([z.number().check(z.int(), z.gte(0), z.lte(5)), z.enum(SPAN_KIND_NAMES)], {
        error: 'must be a span kind (0-5)',
      }),
    ),
    startTimeUnixNano: otlpNanos,
    endTimeUnixNano: z.optional(otlpNanos),
    attributes: z.optional(otlpAttributes),
    events: z.optional(
      z
        .array(
          z.object({
            timeUnixNano: z.optional(otlpNanos),
            name: z.optional(z.string({ error: 'must be a string' })),
            attributes: z.optional(otlpAttributes),
          }),
        )
        .check(
          z.maxLength(OTLP_LIMITS.maxEvents, { error: `must have at most ${OTLP_LIMITS.maxEvents} items` }),
        ),
    ),
    status: z.optional(
      z.object({
        code: z.optional(
          z.union([z.number().check(z.int(), z.gte(0), z.lte(2)), z.enum(STATUS_CODE_NAMES)], {
            error: 'must be a status code (0-2)',
          }),
        ),
        message: z.optional(z.string({ error: 'must be a string' })),
      }),
    ),
  },
  { error: 'must be a span object' },
);
export type OtlpSpan = z.infer<typeof otlpSpan>;

/** The envelope; resources, scopes and spans inside it stay `unknown` until checked one by one. */
export const otlpTraceRequest = z.object(
  {
    resourceSpans: z.optional(
      z.array(
        z.object(
          {
            resource: z.optional(z.unknown()),
            scopeSpans: z.optional(
              z.array(
                z.object(
                  {
                    scope: z.optional(z.unknown()),
                    spans: z.optional(z.array(z.unknown(), { error: 'must be an array' })),
                  },
                  { error: 'must be an object' },
                ),
                { error: 'must be an array' },
              ),
            ),
          },
          { error: 'must be an object' },
        ),
        { error: 'must be an array' },
      ),
    ),
  },
  { error: 'must be an OTLP ExportTraceServiceRequest object' },
);
export type OtlpTraceRequest = z.infer<typeof otlpTraceRequest>;

/** ExportTraceServiceResponse in OTLP/JSON; `partialSuccess` is set only when something was rejected. */
export interface OtlpTraceResponse {
  partialSuccess?: { rejectedSpans: string; errorMessage: string };
}
