import * as z from 'zod';
import { costUsd, id, isoTime, LIMITS, tags, tokenCount } from './common';

/**
 * The Lucidic SDK wire protocol (TS 2.2 and Python 3.x), tolerant of both SDKs' spellings and of
 * unknown extra keys (see shared/reference/lucidic-protocol.md §8).
 */

const optStr = z.string({ error: 'must be a string' }).max(LIMITS.maxStringField).nullish();

export const initSessionBody = z.looseObject({
  agent_id: id.optional(),
  session_id: id.nullish(),
  session_name: optStr,
  task: optStr,
  tags: tags.nullish(),
  experiment_id: id.nullish(),
  dataset_item_id: id.nullish(),
  datasetitem_id: id.nullish(),
  rubrics: z.array(z.string().max(256)).max(100).nullish(),
  evaluators: z.array(z.string().max(256)).max(100).nullish(),
  production_monitoring: z.boolean({ error: 'must be a boolean' }).nullish(),
  current_time: isoTime.nullish(),
});
export type InitSessionBody = z.infer<typeof initSessionBody>;

export const updateSessionBody = z.looseObject({
  session_id: id,
  is_finished: z.boolean({ error: 'must be a boolean' }).nullish(),
  task: optStr,
  tags: tags.nullish(),
  is_successful: z.boolean({ error: 'must be a boolean' }).nullish(),
  is_successful_reason: optStr,
  session_eval: z.number({ error: 'must be a number' }).finite().nullish(),
  session_eval_reason: optStr,
  current_time: isoTime.nullish(),
});
export type UpdateSessionBody = z.infer<typeof updateSessionBody>;

const usage = z.looseObject({
  input_tokens: tokenCount.nullish(),
  output_tokens: tokenCount.nullish(),
  prompt_tokens: tokenCount.nullish(),
  completion_tokens: tokenCount.nullish(),
  cached_tokens: tokenCount.nullish(),
  cache_read_input_tokens: tokenCount.nullish(),
  reasoning_tokens: tokenCount.nullish(),
  cost: costUsd.nullish(),
  cache: z.unknown().optional(),
});

export const eventPayload = z.looseObject({
  request: z
    .looseObject({
      provider: z.string().max(256).nullish(),
      model: z.string().max(256).nullish(),
    })
    .nullish(),
  usage: usage.nullish(),
  function_name: z.string().max(1024).nullish(),
  error: z.unknown().optional(),
  traceback: z.unknown().optional(),
  status: z.unknown().optional(),
  misc: z.record(z.string(), z.unknown()).nullish(),
});

export const eventBody = z.looseObject({
  client_event_id: id,
  client_parent_event_id: id.nullish(),
  session_id: id,
  type: z.string({ error: 'must be a string' }).min(1).max(128).nullish(),
  occurred_at: isoTime.nullish(),
  duration: z
    .number({ error: 'must be a number of seconds' })
    .min(0, { error: 'must not be negative' })
    .max(LIMITS.maxDurationMs / 1000, { error: 'must be at most 7 days' })
    .nullish(),
  tags: tags.nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  payload: eventPayload.nullish(),
  needs_blob: z.boolean({ error: 'must be a boolean' }).nullish(),
  current_time: isoTime.nullish(),
});
export type EventBody = z.infer<typeof eventBody>;

/** Python SDK `client.evals.emit()`: one rubric/evaluation result on a session. */
export const evalBody = z.looseObject({
  session_id: id,
  name: z.string().max(256).nullish(),
  description: optStr,
  result: z.union([z.boolean(), z.number().finite(), z.string().max(10_000)], {
    error: 'must be a boolean, number or string',
  }),
  result_type: z
    .enum(['boolean', 'number', 'string'], { error: 'must be boolean, number or string' })
    .nullish(),
  current_time: isoTime.nullish(),
});
export type EvalBody = z.infer<typeof evalBody>;

export const initSessionResponse = z.object({
  session_id: z.string(),
  agent_id: z.string(),
  created: z.boolean(),
});
export const eventResponse = z.object({
  event_id: z.string(),
  duplicate: z.boolean(),
  blob_url: z.string().optional(),
});
