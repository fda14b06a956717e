import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/*
 * Contracts the ingest Lambda loads use zod/mini: the same core (same parsing, same issues) without
 * classic zod's method-carrying schemas, which keep the whole of zod in a bundle. Classic schemas
 * (query API, alerts, frontend) compose these freely: both are core schemas.
 *
 * Mini loads no locale: without English, every issue we do not word ourselves reads "Invalid input".
 * Classic sets the same locale when it is loaded, so the messages are the same wherever these run.
 */
z.config(en());

/** Limits shared by every ingest format. Chosen to reject absurd values, not unusual ones. */
export const LIMITS = {
  maxBodyBytes: 10 * 1024 * 1024,
  maxIdLength: 256,
  maxTags: 100,
  maxTagLength: 256,
  maxTokens: 100_000_000,
  maxCostUsd: 100_000,
  /** Seven days, in milliseconds. */
  maxDurationMs: 7 * 24 * 3_600_000,
  /** How far in the future a timestamp may be (client clock skew). */
  maxFutureMs: 60 * 60_000,
  /** How far in the past an event may be. */
  maxPastMs: 400 * 24 * 3_600_000,
  maxBatchItems: 1000,
  maxStringField: 1_000_000,
} as const;

export const id = z
  .string({ error: 'must be a string' })
  .check(
    z.minLength(1, { error: 'must not be empty' }),
    z.maxLength(LIMITS.maxIdLength, { error: `must be at most ${LIMITS.maxIdLength} characters` }),
  );

export const tags = z
  .array(z.string({ error: 'must be a string' }).check(z.maxLength(LIMITS.maxTagLength)), {
    error: 'must be an array of strings',
  })
  .check(z.maxLength(LIMITS.maxTags, { error: `must have at most ${LIMITS.maxTags} tags` }));

/** ISO-8601 timestamp with Z or an offset, ms or µs precision. Range checks happen in the domain. */
export const isoTime = z.string({ error: 'must be an ISO-8601 timestamp string' }).check(
  z.refine((s: string) => s.length <= 64 && !Number.isNaN(Date.parse(s)), {
    error: 'must be an ISO-8601 timestamp',
  }),
);

export const tokenCount = z
  .number({ error: 'must be a number' })
  .check(
    z.int({ error: 'must be an integer' }),
    z.gte(0, { error: 'must not be negative' }),
    z.lte(LIMITS.maxTokens, { error: `must be at most ${LIMITS.maxTokens}` }),
  );

export const costUsd = z
  .number({ error: 'must be a number' })
  .check(
    z.gte(0, { error: 'must not be negative' }),
    z.lte(LIMITS.maxCostUsd, { error: `must be at most ${LIMITS.maxCostUsd}` }),
  );

/** Formats the first zod issue as "<field path>: <rule>" so a 4xx always names the field. */
export function describeIssue(error: z.core.$ZodError, prefix = ''): { field: string; message: string } {
  const issue = error.issues[0];
  if (!issue) return { field: prefix || '(body)', message: `${prefix || '(body)'}: invalid` };
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)));
  let field = prefix;
  for (const p of path) field = p.startsWith('[') ? `${field}${p}` : field ? `${field}.${p}` : p;
  if (!field) field = '(body)';
  let rule = issue.message;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) rule = 'is required';
  return { field, message: `${field}: ${rule}` };
}
