import { randomUUID } from 'node:crypto';
import { type AgentEvent, emptyTotals, type Session } from '../../../lambdas/domain/model';

export const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

export function llmEvent(overrides: Partial<AgentEvent> = {}): AgentEvent {
  return {
    agentId: 'agent-1',
    sessionId: 'sess-1',
    eventId: randomUUID(),
    parentEventId: null,
    type: 'llm',
    rawType: 'llm_generation',
    name: 'chat',
    startedAt: T0,
    durationMs: 1420,
    model: 'gpt-4o-mini',
    provider: 'openai',
    usage: { inputTokens: 1200, outputTokens: 300, cachedInputTokens: 200, reasoningTokens: 50 },
    cost: {
      usd: 0.00036,
      source: 'server',
      clientUsd: null,
      serverUsd: 0.00036,
      priceId: 'openai/gpt-4o-mini',
      unpriced: false,
    },
    error: null,
    tags: [],
    metadata: null,
    payload: null,
    payloadRef: null,
    source: 'native',
    receivedAt: T0 + 2_000,
    ...overrides,
  };
}

export function toolEvent(overrides: Partial<AgentEvent> = {}): AgentEvent {
  return llmEvent({
    type: 'tool',
    rawType: 'function_call',
    name: 'lookup_order',
    model: null,
    provider: null,
    usage: null,
    cost: null,
    durationMs: null,
    ...overrides,
  });
}

export function session(overrides: Partial<Session> = {}): Session {
  return {
    agentId: 'agent-1',
    sessionId: 'sess-1',
    name: null,
    task: null,
    tags: [],
    experimentId: null,
    datasetItemId: null,
    rubrics: [],
    production: true,
    sampleRate: 1,
    stub: false,
    status: 'finished',
    startedAt: T0,
    endedAt: T0 + 60_000,
    outcome: { isSuccessful: true, isSuccessfulReason: null, sessionEval: null, sessionEvalReason: null },
    evals: [],
    totals: {
      ...emptyTotals(),
      events: 3,
      llmCalls: 2,
      errors: 1,
      inputTokens: 2400,
      outputTokens: 600,
      costUsd: 0.0012,
      firstEventAt: T0 + 1_000,
      lastEventEndAt: T0 + 50_000,
    },
    source: 'native',
    createdAt: T0 + 500,
    updatedAt: T0 + 61_000,
    rollupHour: Math.floor(T0 / 3_600_000),
    settled: null,
    settledPrev: null,
    settledAppliedVersion: 0,
    ...overrides,
  };
}
