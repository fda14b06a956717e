import { randomUUID } from 'node:crypto';
import type { SettledSnapshot } from '../../../lambdas/domain/model';
import type { SessionUpsert, StoredEvent, TotalsDelta } from '../../../lambdas/domain/ports';
import type { RollupDelta, RollupKey } from '../../../lambdas/domain/rollup';

/** What a contract suite gets from an adapter: a store (fresh or shared) and how to dispose of it. */
export type MakeStore<T> = () => Promise<{ store: T; cleanup?: () => Promise<void> }>;

export const uid = (prefix: string): string => `${prefix}-${randomUUID()}`;

/** 2026-01-01T00:00:00Z, a fixed base so expectations do not depend on the clock. */
export const T0 = Date.UTC(2026, 0, 1);
export const HOUR0 = T0 / 3_600_000;

export function storedEvent(
  overrides: Partial<StoredEvent> & Pick<StoredEvent, 'agentId' | 'sessionId'>,
): StoredEvent {
  return {
    eventId: uid('ev'),
    parentEventId: null,
    type: 'llm',
    rawType: 'llm_generation',
    name: 'chat',
    startedAt: T0,
    durationMs: 1200,
    model: 'gpt-4o',
    provider: 'openai',
    usage: { inputTokens: 100, outputTokens: 20, cachedInputTokens: 10, reasoningTokens: 0 },
    cost: {
      usd: 0.00123,
      source: 'server',
      clientUsd: null,
      serverUsd: 0.00123,
      priceId: 'openai/gpt-4o',
      unpriced: false,
    },
    error: null,
    tags: ['tier:gold'],
    metadata: { region: 'eu', attempt: 2, nested: { ok: true } },
    payload: { prompt: 'hello', response: 'hi', numbers: [1, 2.5, -3] },
    payloadRef: null,
    source: 'native',
    receivedAt: T0 + 5_000,
    fold: { foldId: uid('ev'), production: true, weight: 1, sessionSlices: ['tag:tier=gold'] },
    ...overrides,
  };
}

export function sessionChange(
  overrides: Partial<SessionUpsert> & Pick<SessionUpsert, 'agentId' | 'sessionId'>,
): SessionUpsert {
  return { source: 'native', stub: false, at: T0, ...overrides };
}

export function totals(overrides: Partial<TotalsDelta> = {}): TotalsDelta {
  return {
    events: 1,
    llmCalls: 1,
    errors: 0,
    inputTokens: 100,
    outputTokens: 20,
    cachedInputTokens: 10,
    reasoningTokens: 0,
    costUsd: 0.5,
    unpricedEvents: 0,
    firstEventAt: T0,
    lastEventEndAt: T0 + 1_000,
    ...overrides,
  };
}

export function snapshot(overrides: Partial<SettledSnapshot> = {}): SettledSnapshot {
  return {
    version: 1,
    production: true,
    hour: HOUR0,
    slices: ['all'],
    weight: 1,
    counted: true,
    complete: false,
    costUsd: 0.5,
    durationMs: 1000,
    tokens: 120,
    errored: false,
    success: null,
    sessionEval: null,
    ...overrides,
  };
}

export function rollupKey(agentId: string, overrides: Partial<RollupKey> = {}): RollupKey {
  return { agentId, hour: HOUR0, production: true, slice: 'all', ...overrides };
}

export function delta(key: RollupKey, overrides: Partial<Omit<RollupDelta, 'key'>> = {}): RollupDelta {
  return {
    key,
    counters: { events: 1, costUsd: 0.25, latencySumMs: 1200, latencyCount: 1 },
    sketches: { eventLatency: { '357': 1 } },
    ...overrides,
  };
}
