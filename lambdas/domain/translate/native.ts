import type { BatchEvent, BatchSession } from '../../../contracts/native';
import type { DraftEvent } from '../enrich';
import type { SessionUpsert } from '../ports';

/** Vigil batch API → canonical model. */

export function fromBatchSession(s: BatchSession, agentId: string, now: number): SessionUpsert {
  const outcome: SessionUpsert['outcome'] = {};
  if (s.is_successful != null) outcome.isSuccessful = s.is_successful;
  if (s.is_successful_reason != null) outcome.isSuccessfulReason = s.is_successful_reason;
  if (s.session_eval != null) outcome.sessionEval = s.session_eval;
  if (s.session_eval_reason != null) outcome.sessionEvalReason = s.session_eval_reason;
  const endedAt = s.ended_at ? Date.parse(s.ended_at) : undefined;
  return {
    agentId,
    sessionId: s.session_id,
    name: s.name ?? undefined,
    task: s.task ?? undefined,
    tags: s.tags,
    experimentId: s.experiment_id ?? undefined,
    datasetItemId: s.dataset_item_id ?? undefined,
    rubrics: s.rubrics,
    production: s.production_monitoring,
    sampleRate: s.sample_rate,
    startedAt: s.started_at ? Date.parse(s.started_at) : undefined,
    endedAt,
    finished: s.finished === true || endedAt !== undefined ? true : undefined,
    outcome,
    source: 'native',
    stub: false,
    at: now,
  };
}

export function fromBatchEvent(e: BatchEvent, agentId: string): DraftEvent {
  const u = e.usage;
  const usage = u
    ? {
        inputTokens: u.input_tokens ?? 0,
        outputTokens: u.output_tokens ?? 0,
        cachedInputTokens: u.cached_input_tokens ?? 0,
        reasoningTokens: u.reasoning_tokens ?? 0,
      }
    : null;
  return {
    agentId,
    sessionId: e.session_id,
    eventId: e.event_id,
    parentEventId: e.parent_event_id ?? null,
    type: e.type,
    rawType: e.type,
    name: e.name ?? null,
    startedAt: Date.parse(e.started_at),
    durationMs: e.duration_ms ?? null,
    model: e.model ?? null,
    provider: e.provider ?? null,
    usage: usage && usage.inputTokens + usage.outputTokens > 0 ? usage : null,
    clientCostUsd: e.cost_usd ?? null,
    errorSignal:
      e.error || e.type === 'error'
        ? {
            message: e.error?.message ?? null,
            type: e.error?.type ?? null,
            stack: e.error?.stack ?? null,
            statusCode: e.error?.status_code ?? null,
          }
        : null,
    tags: e.tags ?? [],
    metadata: e.metadata ?? null,
    payload: e.payload ?? null,
    source: 'native',
    timeField: 'started_at',
  };
}
