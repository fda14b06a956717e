import type { EventDetail, SessionDetailResponse, SessionSummary } from '../../../contracts/query-api';
import { type Session, sessionDurationMs } from '../model';
import type { StoredEvent } from '../ports';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const money = (v: number): number => Math.round(v * 1e9) / 1e9;

/** A session as the lists show it. */
export function sessionSummary(s: Session): SessionSummary {
  return {
    session_id: s.sessionId,
    name: s.name,
    started_at: iso(s.startedAt)!,
    ended_at: iso(s.endedAt),
    status: s.status,
    production: s.production,
    tags: s.tags,
    experiment_id: s.experimentId,
    duration_ms: sessionDurationMs(s),
    cost_usd: money(s.totals.costUsd),
    events: s.totals.events,
    llm_calls: s.totals.llmCalls,
    errors: s.totals.errors,
    tokens: s.totals.inputTokens + s.totals.outputTokens,
    is_successful: s.outcome.isSuccessful,
    session_eval: s.outcome.sessionEval,
  };
}

export function sessionHeader(s: Session): SessionDetailResponse['session'] {
  return {
    ...sessionSummary(s),
    agent_id: s.agentId,
    task: s.task,
    dataset_item_id: s.datasetItemId,
    rubrics: s.rubrics,
    sample_rate: s.sampleRate,
    stub: s.stub,
    is_successful_reason: s.outcome.isSuccessfulReason,
    session_eval_reason: s.outcome.sessionEvalReason,
    evals: s.evals.map((e) => ({
      name: e.name,
      result_type: e.resultType,
      result: e.result,
      description: e.description,
      at: iso(e.at)!,
    })),
    input_tokens: s.totals.inputTokens,
    output_tokens: s.totals.outputTokens,
    cached_input_tokens: s.totals.cachedInputTokens,
    reasoning_tokens: s.totals.reasoningTokens,
    unpriced_events: s.totals.unpricedEvents,
    source: s.source,
  };
}

export function eventDetail(
  e: StoredEvent,
  payload: unknown,
  payloadPending: boolean,
  depth: number,
  childCount: number,
): EventDetail {
  return {
    event_id: e.eventId,
    parent_event_id: e.parentEventId,
    depth,
    child_count: childCount,
    session_id: e.sessionId,
    type: e.type,
    raw_type: e.rawType,
    name: e.name,
    started_at: iso(e.startedAt)!,
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

/**
 * Orders events depth-first along parent links (children after their parent, siblings by start time);
 * an event whose parent is not in the session is a root.
 */
export function nestEvents(
  events: StoredEvent[],
): Array<{ event: StoredEvent; depth: number; children: number }> {
  const ids = new Set(events.map((e) => e.eventId));
  const children = new Map<string | null, StoredEvent[]>();
  for (const e of events) {
    const parent =
      e.parentEventId && ids.has(e.parentEventId) && e.parentEventId !== e.eventId ? e.parentEventId : null;
    const list = children.get(parent) ?? [];
    list.push(e);
    children.set(parent, list);
  }
  const out: Array<{ event: StoredEvent; depth: number; children: number }> = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, depth: number) => {
    for (const e of children.get(parent) ?? []) {
      if (seen.has(e.eventId)) continue;
      seen.add(e.eventId);
      out.push({ event: e, depth, children: children.get(e.eventId)?.length ?? 0 });
      walk(e.eventId, depth + 1);
    }
  };
  walk(null, 0);
  // Parent cycles (a → b → a) leave events unreached: list them as roots.
  for (const e of events) {
    if (!seen.has(e.eventId)) {
      seen.add(e.eventId);
      out.push({ event: e, depth: 0, children: children.get(e.eventId)?.length ?? 0 });
      walk(e.eventId, 1);
    }
  }
  return out;
}
