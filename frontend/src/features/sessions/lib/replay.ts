import type { EventDetail } from '../../../../../contracts/query-api';

/** Event indexes in time order (ties keep the API's depth-first order, so a parent precedes its child). */
export function replayOrder(events: readonly EventDetail[]): number[] {
  return events
    .map((e, i) => ({ i, at: Date.parse(e.started_at) }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((x) => x.i);
}

export interface ReplayState {
  /** 0-based step; the event at this step has just started. */
  step: number;
  total: number;
  current: EventDetail | null;
  /** Ids of events started up to and including this step. */
  seen: Set<string>;
  /** Events running at this moment (started, not yet finished). */
  running: Set<string>;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  llmCalls: number;
  toolCalls: number;
  errors: number;
  /** ms from the first event to the current one. */
  elapsedMs: number;
  /** The last LLM call so far (its conversation is the agent's state). */
  lastLlm: EventDetail | null;
}

/** Clamps a step to the session. */
export function clampStep(step: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(total - 1, Math.max(0, Math.trunc(Number.isFinite(step) ? step : 0)));
}

/** What the session had done when the event at `step` (in time order) started. */
export function replayState(
  events: readonly EventDetail[],
  order: readonly number[],
  step: number,
): ReplayState {
  const total = order.length;
  const s = clampStep(step, total);
  const state: ReplayState = {
    step: s,
    total,
    current: null,
    seen: new Set(),
    running: new Set(),
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    llmCalls: 0,
    toolCalls: 0,
    errors: 0,
    elapsedMs: 0,
    lastLlm: null,
  };
  if (total === 0) return state;
  const first = Date.parse(events[order[0]!]!.started_at);
  for (let k = 0; k <= s; k++) {
    const e = events[order[k]!]!;
    state.seen.add(e.event_id);
    state.costUsd += e.cost?.usd ?? 0;
    state.inputTokens += e.usage?.input_tokens ?? 0;
    state.outputTokens += e.usage?.output_tokens ?? 0;
    if (e.type === 'llm') {
      state.llmCalls++;
      state.lastLlm = e;
    }
    if (e.type === 'tool') state.toolCalls++;
    if (e.error) state.errors++;
  }
  const current = events[order[s]!]!;
  state.current = current;
  const now = Date.parse(current.started_at);
  state.elapsedMs = now - first;
  for (let k = 0; k <= s; k++) {
    const e = events[order[k]!]!;
    const end = Date.parse(e.started_at) + (e.duration_ms ?? 0);
    if (end > now || e.event_id === current.event_id) state.running.add(e.event_id);
  }
  return state;
}
