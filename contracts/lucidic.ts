import * as z from 'zod/mini';
import { costUsd, id, isoTime, LIMITS, tags, tokenCount } from './common';

/**
 * The Lucidic SDK wire protocol (TS 2.2 and Python 3.x), tolerant of both SDKs' spellings and of
 * unknown extra keys (see shared/reference/lucidic-protocol.md §8).
 */

const optStr = z.nullish(z.string({ error: 'must be a string' }).check(z.maxLength(LIMITS.maxStringField)));
const names = z.nullish(z.array(z.string().check(z.maxLength(256))).check(z.maxLength(100)));
const bool = z.nullish(z.boolean({ error: 'must be a boolean' }));

export const initSessionBody = z.looseObject({
  agent_id: z.optional(id),
  session_id: z.nullish(id),
  session_name: optStr,
  task: optStr,
  tags: z.nullish(tags),
  experiment_id: z.nullish(id),
  dataset_item_id: z.nullish(id),
  datasetitem_id: z.nullish(id),
  rubrics: names,
  evaluators: names,
  production_monitoring: bool,
  current_time: z.nullish(isoTime),
});
export type InitSessionBody = z.infer<typeof initSessionBody>;

export const updateSessionBody = z.looseObject({
  session_id: id,
  is_finished: bool,
  task: optStr,
  tags: z.nullish(tags),
  is_successful: bool,
  is_successful_reason: optStr,
  session_eval: z.nullish(z.number({ error: 'must be a number' })),
  session_eval_reason: optStr,
  current_time: z.nullish(isoTime),
});
export type UpdateSessionBody = z.infer<typeof updateSessionBody>;

const usage = z.looseObject({
  input_tokens: z.nullish(tokenCount),
  output_tokens: z.nullish(tokenCount),
  prompt_tokens: z.nullish(tokenCount),
  completion_tokens: z.nullish(tokenCount),
  cached_tokens: z.nullish(tokenCount),
  cache_read_input_tokens: z.nullish(tokenCount),
  reasoning_tokens: z.nullish(tokenCount),
  cost: z.nullish(costUsd),
  cache: z.optional(z.unknown()),
});

export const eventPayload = z.looseObject({
  request: z.nullish(
    z.looseObject({
      provider: z.nullish(z.string().check(z.maxLength(256))),
      model: z.nullish(z.string().check(z.maxLength(256))),
    }),
  ),
  usage: z.nullish(usage),
  function_name: z.nullish(z.string().check(z.maxLength(1024))),
  error: z.optional(z.unknown()),
  traceback: z.optional(z.unknown()),
  status: z.optional(z.unknown()),
  misc: z.nullish(z.record(z.string(), z.unknown())),
});

export const eventBody = z.looseObject({
  client_event_id: id,
  client_parent_event_id: z.nullish(id),
  session_id: id,
  type: z.nullish(z.string({ error: 'must be a string' }).check(z.minLength(1), z.maxLength(128))),
  occurred_at: z.nullish(isoTime),
  duration: z.nullish(
    z
      .number({ error: 'must be a number of seconds' })
      .check(
        z.gte(0, { error: 'must not be negative' }),
        z.lte(LIMITS.maxDurationMs / 1000, { error: 'must be at most 7 days' }),
      ),
  ),
  tags: z.nullish(tags),
  metadata: z.nullish(z.record(z.string(), z.unknown())),
  payload: z.nullish(eventPayload),
  needs_blob: bool,
  current_time: z.nullish(isoTime),
});
export type EventBody = z.infer<typeof eventBody>;

/** Python SDK `client.evals.emit()`: one rubric/evaluation result on a session. */
export const evalBody = z.looseObject({
  session_id: id,
  name: z.nullish(z.string().check(z.maxLength(256))),
  description: optStr,
  result: z.union([z.boolean(), z.number(), z.string().check(z.maxLength(10_000))], {
    error: 'must be a boolean, number or string',
  }),
  result_type: z.nullish(
    z.enum(['boolean', 'number', 'string'], { error: 'must be boolean, number or string' }),
  ),
  current_time: z.nullish(isoTime),
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
  blob_url: z.optional(z.string()),
});
