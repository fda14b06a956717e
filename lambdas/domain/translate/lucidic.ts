import type { EvalBody, EventBody, InitSessionBody, UpdateSessionBody } from '../../../contracts/lucidic';
import type { DraftEvent } from '../enrich';
import type { ErrorSignal } from '../error-classify';
import type { EventType, RubricResult, Usage } from '../model';
import type { SessionUpsert } from '../ports';

/** Lucidic wire protocol → canonical model. See shared/reference/lucidic-protocol.md. */

const TYPE_MAP: Record<string, EventType> = {
  llm_generation: 'llm',
  function_call: 'tool',
  error_traceback: 'error',
  generic: 'generic',
};

const time = (s: string | null | undefined, fallback: number): number => (s ? Date.parse(s) : fallback);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const obj = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const known = (v: string | null | undefined): string | null => (v && v !== 'unknown' ? v : null);

export function fromInitSession(
  body: InitSessionBody,
  agentId: string,
  sessionId: string,
  now: number,
): SessionUpsert {
  return {
    agentId,
    sessionId,
    name: body.session_name ?? null,
    task: body.task ?? null,
    tags: body.tags ?? undefined,
    experimentId: body.experiment_id ?? null,
    datasetItemId: body.dataset_item_id ?? body.datasetitem_id ?? null,
    rubrics: body.rubrics ?? body.evaluators ?? undefined,
    production: body.production_monitoring ?? undefined,
    startedAt: time(body.current_time, now),
    source: 'lucidic',
    stub: false,
    at: now,
  };
}

export function fromUpdateSession(body: UpdateSessionBody, agentId: string, now: number): SessionUpsert {
  const at = time(body.current_time, now);
  const outcome: SessionUpsert['outcome'] = {};
  if (body.is_successful != null) outcome.isSuccessful = body.is_successful;
  if (body.is_successful_reason != null) outcome.isSuccessfulReason = body.is_successful_reason;
  if (body.session_eval != null) outcome.sessionEval = body.session_eval;
  if (body.session_eval_reason != null) outcome.sessionEvalReason = body.session_eval_reason;
  return {
    agentId,
    sessionId: body.session_id,
    task: body.task ?? undefined,
    tags: body.tags ?? undefined,
    finished: body.is_finished === true ? true : undefined,
    endedAt: body.is_finished === true ? at : undefined,
    outcome,
    source: 'lucidic',
    stub: false,
    at: now,
  };
}

export function fromEval(body: EvalBody, now: number): RubricResult {
  const resultType =
    body.result_type ??
    (typeof body.result === 'boolean' ? 'boolean' : typeof body.result === 'number' ? 'number' : 'string');
  return {
    name: body.name ?? 'evaluation',
    resultType,
    result: body.result,
    description: body.description ?? null,
    at: time(body.current_time, now),
  };
}

function usageOf(u: Record<string, unknown> | null): Usage | null {
  if (!u) return null;
  const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
  const input = n(u['input_tokens'] ?? u['prompt_tokens']);
  const output = n(u['output_tokens'] ?? u['completion_tokens']);
  const cached = Math.min(n(u['cached_tokens'] ?? u['cache_read_input_tokens']), input);
  const reasoning = Math.min(n(u['reasoning_tokens']), output);
  if (input === 0 && output === 0) return null;
  return { inputTokens: input, outputTokens: output, cachedInputTokens: cached, reasoningTokens: reasoning };
}

function errorOf(type: EventType, body: EventBody): ErrorSignal | null {
  const p = (body.payload ?? {}) as Record<string, unknown>;
  const misc = obj(p['misc']) ?? {};
  const meta = obj(body.metadata) ?? {};
  if (type === 'error') {
    return {
      message: str(p['error']) ?? str(p['message']) ?? 'error',
      type: str(p['error_type']) ?? str(meta['error_type']),
      stack: str(p['traceback']) ?? str(p['stack']),
    };
  }
  const ret = obj(p['return_value']);
  const message =
    str(p['error']) ??
    str(ret?.['error']) ??
    str(misc['error']) ??
    (meta['error'] === true ? (str(meta['error_message']) ?? 'error') : null);
  if (message) {
    return { message, type: str(ret?.['error_type']) ?? str(meta['error_type']), stack: str(p['traceback']) };
  }
  if (type === 'llm') {
    const status = str(p['status']);
    if (status && /^(error|failed|failure)$/i.test(status))
      return { message: `status ${status}`, type: null, stack: null };
    const output = str(obj(p['response'])?.['output']);
    if (output?.startsWith('Error: ')) return { message: output.slice(7), type: null, stack: null };
  }
  return null;
}

export function fromEvent(body: EventBody, agentId: string, now: number): DraftEvent {
  const rawType = body.type ?? 'generic';
  const type = TYPE_MAP[rawType] ?? 'custom';
  const p = (body.payload ?? {}) as Record<string, unknown>;
  const misc = obj(p['misc']) ?? {};
  const request = obj(p['request']);
  const spanDuration = typeof misc['span_duration'] === 'number' ? misc['span_duration'] : null;
  const seconds = body.duration ?? spanDuration;
  const durationMs = seconds === null || seconds === undefined ? null : Math.round(seconds * 1000);
  const occurred = time(body.occurred_at ?? body.current_time, now);
  // The Python exporter stamps LLM events at span start (and marks misc.session_id); the TS SDK
  // stamps events when they end.
  const stampedAtStart = type === 'llm' && typeof misc['session_id'] === 'string';
  const startedAt = stampedAtStart || durationMs === null ? occurred : occurred - durationMs;
  const model = known(str(request?.['model']));
  const usage = usageOf(obj(p['usage']));
  const cost = obj(p['usage'])?.['cost'];
  return {
    agentId,
    sessionId: body.session_id,
    eventId: body.client_event_id,
    parentEventId: body.client_parent_event_id ?? null,
    type,
    rawType,
    name: type === 'tool' ? str(p['function_name']) : type === 'llm' ? model : str(misc['span_name']),
    startedAt,
    durationMs,
    model,
    provider: known(str(request?.['provider'])),
    usage,
    clientCostUsd: typeof cost === 'number' ? cost : null,
    errorSignal: errorOf(type, body),
    tags: body.tags ?? [],
    metadata: body.metadata ?? null,
    payload: body.payload ?? null,
    source: 'lucidic',
    timeField: 'occurred_at',
  };
}
