/**
 * The wire format of Vigil's batch API (`POST /api/v1/batch`), as this SDK sends it.
 *
 * The SDK is its own package, so these types are declared here rather than imported from the server's
 * zod contracts; a test parses what the SDK sends with those contracts to keep the two in step.
 */

export type WireEventType = 'llm' | 'tool' | 'error' | 'generic' | 'custom';

export interface WireUsage {
  input_tokens?: number;
  output_tokens?: number;
  /** A subset of input_tokens. */
  cached_input_tokens?: number;
  /** A subset of output_tokens. */
  reasoning_tokens?: number;
}

export interface WireError {
  message?: string | null;
  type?: string | null;
  stack?: string | null;
  status_code?: number | null;
}

export interface WireSession {
  session_id: string;
  name?: string | null;
  task?: string | null;
  tags?: string[];
  experiment_id?: string | null;
  rubrics?: string[];
  production_monitoring?: boolean;
  /** 0 < rate ≤ 1; the server weights the session's counts and sums by 1 / rate. */
  sample_rate?: number;
  started_at?: string;
  ended_at?: string | null;
  finished?: boolean;
  is_successful?: boolean | null;
  is_successful_reason?: string | null;
  session_eval?: number | null;
  session_eval_reason?: string | null;
}

export interface WireEvent {
  event_id: string;
  session_id: string;
  parent_event_id?: string | null;
  type: WireEventType;
  name?: string | null;
  started_at: string;
  duration_ms?: number | null;
  model?: string | null;
  provider?: string | null;
  usage?: WireUsage | null;
  cost_usd?: number | null;
  error?: WireError | null;
  tags?: string[];
  metadata?: Record<string, unknown> | null;
  payload?: unknown;
}

export interface WireItemResult {
  index: number;
  id: string | null;
  status: 'accepted' | 'duplicate' | 'rejected';
  reason?: string;
}

export interface WireBatchResponse {
  accepted: number;
  duplicates: number;
  rejected: number;
  sessions: WireItemResult[];
  events: WireItemResult[];
}

/** The server's limits that the SDK must respect so that an item is never rejected for its size. */
export const WIRE_LIMITS = {
  maxBodyBytes: 10 * 1024 * 1024,
  maxBatchItems: 1000,
  maxIdLength: 256,
  maxNameLength: 1024,
  maxTags: 100,
  maxTagLength: 256,
  maxTokens: 100_000_000,
  maxCostUsd: 100_000,
  maxDurationMs: 7 * 24 * 3_600_000,
  maxStringField: 1_000_000,
} as const;
