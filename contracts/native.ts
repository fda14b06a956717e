import * as z from 'zod/mini';
import { costUsd, id, isoTime, LIMITS, tags, tokenCount } from './common';

/**
 * Vigil's own batch API: `POST /api/v1/batch`. Many sessions and events in one request; each item is
 * validated on its own and answered with accepted / duplicate / rejected.
 */

export const batchSession = z.strictObject({
  session_id: id,
  agent_id: z.optional(id),
  name: z.nullish(z.string().check(z.maxLength(1024))),
  task: z.nullish(z.string().check(z.maxLength(LIMITS.maxStringField))),
  tags: z.optional(tags),
  experiment_id: z.nullish(id),
  dataset_item_id: z.nullish(id),
  rubrics: z.optional(z.array(z.string().check(z.maxLength(256))).check(z.maxLength(100))),
  production_monitoring: z.optional(z.boolean({ error: 'must be a boolean' })),
  sample_rate: z.optional(
    z
      .number({ error: 'must be a number' })
      .check(z.gt(0, { error: 'must be greater than 0' }), z.lte(1, { error: 'must be at most 1' })),
  ),
  started_at: z.optional(isoTime),
  ended_at: z.nullish(isoTime),
  finished: z.optional(z.boolean()),
  is_successful: z.nullish(z.boolean()),
  is_successful_reason: z.nullish(z.string().check(z.maxLength(10_000))),
  session_eval: z.nullish(z.number()),
  session_eval_reason: z.nullish(z.string().check(z.maxLength(10_000))),
});
export type BatchSession = z.infer<typeof batchSession>;

export const batchEventTypes = ['llm', 'tool', 'error', 'generic', 'custom'] as const;

export const batchEvent = z.strictObject({
  event_id: id,
  session_id: id,
  agent_id: z.optional(id),
  parent_event_id: z.nullish(id),
  type: z.enum(batchEventTypes, { error: `must be one of ${batchEventTypes.join(', ')}` }),
  name: z.nullish(z.string().check(z.maxLength(1024))),
  started_at: isoTime,
  duration_ms: z.nullish(
    z
      .number({ error: 'must be a number' })
      .check(
        z.gte(0, { error: 'must not be negative' }),
        z.lte(LIMITS.maxDurationMs, { error: 'must be at most 7 days' }),
      ),
  ),
  model: z.nullish(z.string().check(z.maxLength(256))),
  provider: z.nullish(z.string().check(z.maxLength(256))),
  usage: z.nullish(
    z.strictObject({
      input_tokens: z.optional(tokenCount),
      output_tokens: z.optional(tokenCount),
      cached_input_tokens: z.optional(tokenCount),
      reasoning_tokens: z.optional(tokenCount),
    }),
  ),
  cost_usd: z.nullish(costUsd),
  error: z.nullish(
    z.strictObject({
      message: z.nullish(z.string().check(z.maxLength(LIMITS.maxStringField))),
      type: z.nullish(z.string().check(z.maxLength(256))),
      stack: z.nullish(z.string().check(z.maxLength(LIMITS.maxStringField))),
      status_code: z.nullish(z.number().check(z.int(), z.gte(0), z.lte(999))),
    }),
  ),
  tags: z.optional(tags),
  metadata: z.nullish(z.record(z.string(), z.unknown())),
  payload: z.optional(z.unknown()),
});
export type BatchEvent = z.infer<typeof batchEvent>;

export const batchBody = z.strictObject({
  agent_id: z.optional(id),
  sessions: z.optional(
    z
      .array(z.unknown())
      .check(z.maxLength(LIMITS.maxBatchItems, { error: `must have at most ${LIMITS.maxBatchItems} items` })),
  ),
  events: z.optional(
    z
      .array(z.unknown())
      .check(z.maxLength(LIMITS.maxBatchItems, { error: `must have at most ${LIMITS.maxBatchItems} items` })),
  ),
});

export const itemResult = z.object({
  index: z.number(),
  id: z.nullable(z.string()),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  reason: z.optional(z.string()),
});
export type ItemResult = z.infer<typeof itemResult>;

export const batchResponse = z.object({
  accepted: z.number(),
  duplicates: z.number(),
  rejected: z.number(),
  sessions: z.array(itemResult),
  events: z.array(itemResult),
});
export type BatchResponse = z.infer<typeof batchResponse>;
