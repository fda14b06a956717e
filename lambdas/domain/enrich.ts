import { LIMITS } from '../../contracts/common';
import { classifyError, type ErrorSignal } from './error-classify';
import { validationError } from './errors';
import type { AgentEvent, Cost, EventType, IngestSource, Usage } from './model';
import type { PriceBook } from './pricing/pricing';

/** What a translator produces from one wire event: the canonical event before server-side enrichment. */
export interface DraftEvent {
  agentId: string;
  sessionId: string;
  eventId: string;
  parentEventId: string | null;
  type: EventType;
  rawType: string;
  name: string | null;
  startedAt: number;
  durationMs: number | null;
  model: string | null;
  provider: string | null;
  usage: Usage | null;
  clientCostUsd: number | null;
  errorSignal: ErrorSignal | null;
  tags: string[];
  metadata: Record<string, unknown> | null;
  payload: unknown;
  source: IngestSource;
  /** Blob key the full payload will be uploaded to (Lucidic `needs_blob`); `payload` is then a preview. */
  blobKey?: string | null;
  /** Name of the wire field that carried the start time, for error messages. */
  timeField: string;
}

/** Adds server-side cost and error classification, and checks the time is plausible. */
export function enrichEvent(draft: DraftEvent, prices: PriceBook, now: number): AgentEvent {
  if (draft.startedAt > now + LIMITS.maxFutureMs) {
    throw validationError(draft.timeField, 'is more than 1 hour in the future');
  }
  if (draft.startedAt < now - LIMITS.maxPastMs) {
    throw validationError(draft.timeField, 'is more than 400 days in the past');
  }
  if (draft.usage) {
    if (draft.usage.cachedInputTokens > draft.usage.inputTokens) {
      throw validationError('usage.cached_input_tokens', 'must not exceed input tokens');
    }
    if (draft.usage.reasoningTokens > draft.usage.outputTokens) {
      throw validationError('usage.reasoning_tokens', 'must not exceed output tokens');
    }
  }
  const { errorSignal, clientCostUsd, timeField: _t, blobKey, ...rest } = draft;
  return {
    ...rest,
    cost: computeCost(draft, prices),
    error: errorSignal ? classifyError({ ...errorSignal, eventType: draft.type }) : null,
    payloadRef: blobKey ?? null,
    receivedAt: now,
  };
}

function computeCost(draft: DraftEvent, prices: PriceBook): Cost | null {
  const usage = draft.usage;
  const tokens = usage ? usage.inputTokens + usage.outputTokens : 0;
  if (tokens === 0 && draft.clientCostUsd === null) return null;
  const server =
    usage && (draft.model || draft.provider)
      ? prices.price({ model: draft.model, provider: draft.provider, at: draft.startedAt, usage })
      : { usd: null, priceId: null };
  if (server.usd !== null) {
    return {
      usd: server.usd,
      source: 'server',
      clientUsd: draft.clientCostUsd,
      serverUsd: server.usd,
      priceId: server.priceId,
      unpriced: false,
    };
  }
  if (draft.clientCostUsd !== null) {
    return {
      usd: draft.clientCostUsd,
      source: 'client',
      clientUsd: draft.clientCostUsd,
      serverUsd: null,
      priceId: null,
      unpriced: false,
    };
  }
  return { usd: null, source: 'none', clientUsd: null, serverUsd: null, priceId: null, unpriced: tokens > 0 };
}
