/**
 * Vigil's canonical model. Every ingest format (Lucidic wire protocol, Vigil batch API, OTLP traces)
 * is translated into these shapes at the edge; nothing downstream knows where data came from.
 * Times are epoch milliseconds (UTC); money is USD as a float.
 */

export type EventType = 'llm' | 'tool' | 'error' | 'generic' | 'custom';
export const EVENT_TYPES: readonly EventType[] = ['llm', 'tool', 'error', 'generic', 'custom'];

export type IngestSource = 'lucidic' | 'native' | 'otlp';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the provider's prompt cache (a subset of inputTokens). */
  cachedInputTokens: number;
  /** Reasoning/thinking tokens (a subset of outputTokens, billed as output). */
  reasoningTokens: number;
}

export type CostSource = 'server' | 'client' | 'none';

export interface Cost {
  /** The figure every aggregate uses: server price when the model is priced, else the client's, else null. */
  usd: number | null;
  source: CostSource;
  /** What the client sent, kept as sent. */
  clientUsd: number | null;
  /** What Vigil's price table says. */
  serverUsd: number | null;
  /** Price table entry used, e.g. "openai/gpt-4o@2024-08-06". */
  priceId: string | null;
  /** True when the event used tokens but no price is known: counted as unpriced, never as $0. */
  unpriced: boolean;
}

export type ErrorCategory =
  | 'timeout'
  | 'rate_limit'
  | 'api'
  | 'auth'
  | 'validation'
  | 'context_length'
  | 'content_filter'
  | 'tool'
  | 'network'
  | 'unknown';

export const ERROR_CATEGORIES: readonly ErrorCategory[] = [
  'timeout',
  'rate_limit',
  'api',
  'auth',
  'validation',
  'context_length',
  'content_filter',
  'tool',
  'network',
  'unknown',
];

export interface EventError {
  category: ErrorCategory;
  /** Exception class or provider error code, when known (e.g. "RateLimitError"). */
  type: string | null;
  message: string;
  stack: string | null;
  /** Whose fault: the end user's input (user) or the system/provider (system). */
  origin: 'user' | 'system';
  recoverable: boolean;
  /** Stable group id: hash of the normalised message and the top stack frame. */
  fingerprint: string;
}

export interface AgentEvent {
  agentId: string;
  sessionId: string;
  /** Client-chosen id, unique within a session; the idempotency key. */
  eventId: string;
  parentEventId: string | null;
  type: EventType;
  /** Name of the type as sent (e.g. "llm_generation", "checkout_step", "chat"). */
  rawType: string;
  /** Human label: function name, span name, step name. */
  name: string | null;
  startedAt: number;
  durationMs: number | null;
  model: string | null;
  provider: string | null;
  usage: Usage | null;
  cost: Cost | null;
  error: EventError | null;
  tags: string[];
  metadata: Record<string, unknown> | null;
  /** Inline payload (prompt, response, arguments…), absent when stored as a blob. */
  payload: unknown;
  /** Key in the BlobStore holding the full payload (large payloads, needs_blob uploads). */
  payloadRef: string | null;
  source: IngestSource;
  /** When Vigil accepted it. */
  receivedAt: number;
}

export interface RubricResult {
  name: string;
  resultType: 'boolean' | 'number' | 'string';
  result: boolean | number | string;
  description: string | null;
  at: number;
}

export interface SessionTotals {
  events: number;
  llmCalls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  costUsd: number;
  unpricedEvents: number;
  /** Earliest event start seen (ms) or null. */
  firstEventAt: number | null;
  /** Latest event end (start + duration) seen (ms) or null. */
  lastEventEndAt: number | null;
}

export const emptyTotals = (): SessionTotals => ({
  events: 0,
  llmCalls: 0,
  errors: 0,
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  reasoningTokens: 0,
  costUsd: 0,
  unpricedEvents: 0,
  firstEventAt: null,
  lastEventEndAt: null,
});

export interface SessionOutcome {
  isSuccessful: boolean | null;
  isSuccessfulReason: string | null;
  sessionEval: number | null;
  sessionEvalReason: string | null;
}

/** What a session contributed to rollups when it was last settled (see domain/settle.ts). */
export interface SettledSnapshot {
  version: number;
  /** The rollup coordinates the session counted under when settled. */
  production: boolean;
  hour: number;
  slices: string[];
  weight: number;
  /** The session is counted in `sessions` (every non-stub session, and stubs once complete). */
  counted: boolean;
  /** Finished, or idle long enough: its per-session distributions are contributed. */
  complete: boolean;
  costUsd: number;
  durationMs: number | null;
  tokens: number;
  errored: boolean;
  success: boolean | null;
  sessionEval: number | null;
}

export interface Session {
  agentId: string;
  sessionId: string;
  name: string | null;
  task: string | null;
  tags: string[];
  experimentId: string | null;
  datasetItemId: string | null;
  rubrics: string[];
  production: boolean;
  /** Fraction of sessions the client kept (0 < rate ≤ 1); aggregates weight by 1 / rate. */
  sampleRate: number;
  /** A stub is a session first seen through an event, before (or without) its init call. */
  stub: boolean;
  status: 'running' | 'finished';
  startedAt: number;
  endedAt: number | null;
  outcome: SessionOutcome;
  evals: RubricResult[];
  totals: SessionTotals;
  source: IngestSource;
  createdAt: number;
  updatedAt: number;
  /** Rollup hour (epoch hours) the session's session-level figures count in; fixed at creation. */
  rollupHour: number;
  settled: SettledSnapshot | null;
  /** The snapshot before `settled`, kept so an interrupted settlement can be replayed. */
  settledPrev: SettledSnapshot | null;
  /** Version of `settled` whose rollup delta is known to be applied. */
  settledAppliedVersion: number;
}

export interface Agent {
  agentId: string;
  createdAt: number;
}

export const HOUR_MS = 3_600_000;
export const epochHour = (ms: number): number => Math.floor(ms / HOUR_MS);

/** A session's duration: its end (or its latest event end) minus its start. */
export function sessionDurationMs(s: Session): number | null {
  const start = Math.min(s.startedAt, s.totals.firstEventAt ?? s.startedAt);
  const end = Math.max(
    s.endedAt ?? Number.NEGATIVE_INFINITY,
    s.totals.lastEventEndAt ?? Number.NEGATIVE_INFINITY,
  );
  if (!Number.isFinite(end)) return null;
  return Math.max(0, end - start);
}
