import { emptyTotals, epochHour, type Session, type SettledSnapshot } from './model';
import type { SessionUpsert, TotalsDelta } from './ports';

/** The upsert rules of SessionStore, as a pure function (stores that read-modify-write use it). */
export function mergeSessionUpsert(existing: Session | null, c: SessionUpsert): Session {
  if (!existing) {
    const startedAt = c.startedAt ?? c.at;
    return {
      agentId: c.agentId,
      sessionId: c.sessionId,
      name: c.name ?? null,
      task: c.task ?? null,
      tags: c.tags ?? [],
      experimentId: c.experimentId ?? null,
      datasetItemId: c.datasetItemId ?? null,
      rubrics: c.rubrics ?? [],
      production: c.production ?? false,
      sampleRate: c.sampleRate ?? 1,
      stub: c.stub,
      status: c.finished ? 'finished' : 'running',
      startedAt,
      endedAt: c.endedAt ?? null,
      outcome: {
        isSuccessful: c.outcome?.isSuccessful ?? null,
        isSuccessfulReason: c.outcome?.isSuccessfulReason ?? null,
        sessionEval: c.outcome?.sessionEval ?? null,
        sessionEvalReason: c.outcome?.sessionEvalReason ?? null,
      },
      evals: [],
      totals: emptyTotals(),
      source: c.source,
      createdAt: c.at,
      updatedAt: c.at,
      rollupHour: epochHour(startedAt),
      settled: null,
      settledPrev: null,
      settledAppliedVersion: 0,
    };
  }
  if (c.stub) return existing;
  const s: Session = {
    ...existing,
    outcome: { ...existing.outcome },
    stub: false,
    updatedAt: Math.max(existing.updatedAt, c.at),
  };
  if (c.name !== undefined) s.name = c.name;
  if (c.task !== undefined) s.task = c.task;
  if (c.tags !== undefined) s.tags = c.tags;
  if (c.experimentId !== undefined) s.experimentId = c.experimentId;
  if (c.datasetItemId !== undefined) s.datasetItemId = c.datasetItemId;
  if (c.rubrics !== undefined) s.rubrics = c.rubrics;
  if (c.production !== undefined) s.production = c.production;
  if (c.sampleRate !== undefined) s.sampleRate = c.sampleRate;
  if (c.startedAt !== undefined) s.startedAt = Math.min(existing.startedAt, c.startedAt);
  if (c.endedAt !== undefined) s.endedAt = c.endedAt;
  if (c.finished) s.status = 'finished';
  for (const [k, v] of Object.entries(c.outcome ?? {})) {
    if (v !== undefined) (s.outcome as unknown as Record<string, unknown>)[k] = v;
  }
  return s;
}

export function addTotals(s: Session, d: TotalsDelta, at: number): Session {
  const t = s.totals;
  return {
    ...s,
    updatedAt: Math.max(s.updatedAt, at),
    totals: {
      events: t.events + d.events,
      llmCalls: t.llmCalls + d.llmCalls,
      errors: t.errors + d.errors,
      inputTokens: t.inputTokens + d.inputTokens,
      outputTokens: t.outputTokens + d.outputTokens,
      cachedInputTokens: t.cachedInputTokens + d.cachedInputTokens,
      reasoningTokens: t.reasoningTokens + d.reasoningTokens,
      costUsd: t.costUsd + d.costUsd,
      unpricedEvents: t.unpricedEvents + d.unpricedEvents,
      firstEventAt: minOf(t.firstEventAt, d.firstEventAt),
      lastEventEndAt: maxOf(t.lastEventEndAt, d.lastEventEndAt),
    },
  };
}

const minOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/** Whether a session may still owe a settlement (see SessionStore.listUnsettled). */
export const owesSettlement = (s: Session): boolean =>
  s.settled === null || !s.settled.complete || s.settledAppliedVersion < s.settled.version;

export const lastActivity = (s: Session): number => Math.max(s.updatedAt, s.totals.lastEventEndAt ?? 0);

export type { SettledSnapshot };
