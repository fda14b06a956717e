import * as z from 'zod';
import { costUsd, id, isoTime, LIMITS, tags, tokenCount } from './common';

/**
 * Vigil's own batch API: `POST /api/v1/batch`. Many sessions and events in one request; each item is
 * validated on its own and answered with accepted / duplicate / rejected.
 */

export const batchSession = z.strictObject({
  session_id: id,
  agent_id: id.optional(),
  name: z.string().max(1024).nullish(),
  task: z.string().max(LIMITS.maxStringField).nullish(),
  tags: tags.optional(),
  experiment_id: id.nullish(),
  dataset_item_id: id.nullish(),
  rubrics: z.array(z.string().max(256)).max(100).optional(),
  production_monitoring: z.boolean({ error: 'must be a boolean' }).optional(),
  sample_rate: z
    .number({ error: 'must be a number' })
    .gt(0, { error: 'must be greater than 0' })
    .max(1, { error: 'must be at most 1' })
    .optional(),
  started_at: isoTime.optional(),
  ended_at: isoTime.nullish(),
  finished: z.boolean().optional(),
  is_successful: z.boolean().nullish(),
  is_successful_reason: z.string().max(10_000).nullish(),
  session_eval: z.number().finite().nullish(),
  session_eval_reason: z.string().max(10_000).nullish(),
});
export type BatchSession = z.infer<typeof batchSession>;

export const batchEventTypes = ['llm', 'tool', 'error', 'generic', 'custom'] as const;

export const batchEvent = z.strictObject({
  event_id: id,
  session_id: id,
  agent_id: id.optional(),
  parent_event_id: id.nullish(),
  type: z.enum(batchEventTypes, { error: `must be one of ${batchEventTypes.join(', ')}` }),
  name: z.string().max(1024).nullish(),
  started_at: isoTime,
  duration_ms: z
    .number({ error: 'must be a number' })
    .min(0, { error: 'must not be negative' })
    .max(LIMITS.maxDurationMs, { error: 'must be at most 7 days' })
    .nullish(),
  model: z.string().max(256).nullish(),
  provider: z.string().max(256).nullish(),
  usage: z
    .strictObject({
      input_tokens: tokenCount.optional(),
      output_tokens: tokenCount.optional(),
      cached_input_tokens: tokenCount.optional(),
      reasoning_tokens: tokenCount.optional(),
    })
    .nullish(),
  cost_usd: costUsd.nullish(),
  error: z
    .strictObject({
      message: z.string().max(LIMITS.maxStringField).nullish(),
      type: z.string().max(256).nullish(),
      stack: z.string().max(LIMITS.maxStringField).nullish(),
      status_code: z.number().int().min(0).max(999).nullish(),
    })
    .nullish(),
  tags: tags.optional(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  payload: z.unknown().optional(),
});
export type BatchEvent = z.infer<typeof batchEvent>;

export const batchBody = z.strictObject({
  agent_id: id.optional(),
  sessions: z
    .array(z.unknown())
    .max(LIMITS.maxBatchItems, { error: `must have at most ${LIMITS.maxBatchItems} items` })
    .optional(),
  events: z
    .array(z.unknown())
    .max(LIMITS.maxBatchItems, { error: `must have at most ${LIMITS.maxBatchItems} items` })
    .optional(),
});

export const itemResult = z.object({
  index: z.number(),
  id: z.string().nullable(),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  reason: z.string().optional(),
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
