import type { Session } from '../domain/model';
import type { ApiKeyRecord, StoredEvent } from '../domain/ports';

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

export function eventView(e: StoredEvent, payload: unknown, payloadPending: boolean) {
  return {
    event_id: e.eventId,
    parent_event_id: e.parentEventId,
    session_id: e.sessionId,
    type: e.type,
    raw_type: e.rawType,
    name: e.name,
    started_at: iso(e.startedAt),
    duration_ms: e.durationMs,
    model: e.model,
    provider: e.provider,
    usage: e.usage && {
      input_tokens: e.usage.inputTokens,
      output_tokens: e.usage.outputTokens,
      cached_input_tokens: e.usage.cachedInputTokens,
      reasoning_tokens: e.usage.reasoningTokens,
    },
    cost: e.cost && {
      usd: e.cost.usd,
      source: e.cost.source,
      client_usd: e.cost.clientUsd,
      server_usd: e.cost.serverUsd,
      price_id: e.cost.priceId,
      unpriced: e.cost.unpriced,
    },
    error: e.error && {
      category: e.error.category,
      type: e.error.type,
      message: e.error.message,
      stack: e.error.stack,
      origin: e.error.origin,
      recoverable: e.error.recoverable,
      fingerprint: e.error.fingerprint,
    },
    tags: e.tags,
    metadata: e.metadata,
    payload,
    payload_ref: e.payloadRef,
    payload_pending: payloadPending,
    source: e.source,
  };
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
