import type { Session } from '../domain/model';
import type { ApiKeyRecord, StoredEvent } from '../domain/ports';
import { eventDetail } from '../domain/query/views';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The public JSON shape of a session (snake_case, ISO times). */
export function sessionView(s: Session) {
  const end = s.endedAt ?? s.totals.lastEventEndAt;
  return {
    session_id: s.sessionId,
    agent_id: s.agentId,
    name: s.name,
    task: s.task,
    tags: s.tags,
    experiment_id: s.experimentId,
    dataset_item_id: s.datasetItemId,
    rubrics: s.rubrics,
    production_monitoring: s.production,
    sample_rate: s.sampleRate,
    status: s.status,
    stub: s.stub,
    started_at: iso(s.startedAt),
    ended_at: iso(s.endedAt),
    duration_ms:
      end === null ? null : Math.max(0, end - Math.min(s.startedAt, s.totals.firstEventAt ?? s.startedAt)),
    is_successful: s.outcome.isSuccessful,
    is_successful_reason: s.outcome.isSuccessfulReason,
    session_eval: s.outcome.sessionEval,
    session_eval_reason: s.outcome.sessionEvalReason,
    evals: s.evals.map((e) => ({ ...e, at: iso(e.at) })),
    totals: {
      events: s.totals.events,
      llm_calls: s.totals.llmCalls,
      errors: s.totals.errors,
      input_tokens: s.totals.inputTokens,
      output_tokens: s.totals.outputTokens,
      cached_input_tokens: s.totals.cachedInputTokens,
      reasoning_tokens: s.totals.reasoningTokens,
      cost_usd: Math.round(s.totals.costUsd * 1e9) / 1e9,
      unpriced_events: s.totals.unpricedEvents,
    },
    source: s.source,
  };
}

/** The public JSON shape of an event (the deep-dive shape without its tree position). */
export function eventView(e: StoredEvent, payload: unknown, payloadPending: boolean) {
  const { depth: _depth, child_count: _children, ...view } = eventDetail(e, payload, payloadPending, 0, 0);
  return view;
}

export function keyView(k: ApiKeyRecord) {
  return {
    key_id: k.keyId,
    prefix: k.prefix,
    name: k.name,
    scopes: k.scopes,
    agents: k.agents,
    created_at: iso(k.createdAt)!,
    revoked_at: iso(k.revokedAt),
    last_used_at: iso(k.lastUsedAt),
  };
}
