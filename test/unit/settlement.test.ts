import { describe, expect, it } from 'vitest';
import { DEFAULT_INGEST_CONFIG, snapshotDelta, targetSnapshot } from '../../lambdas/domain/ingest';
import { emptyTotals, HOUR_MS, type Session } from '../../lambdas/domain/model';
import { mergeRecords } from '../../lambdas/domain/rollup';

const T = Date.UTC(2026, 11, 1, 10);

function session(over: Partial<Session> = {}): Session {
  return {
    agentId: 'a',
    sessionId: 's',
    name: null,
    task: null,
    tags: [],
    experimentId: null,
    datasetItemId: null,
    rubrics: [],
    production: true,
    sampleRate: 1,
    stub: false,
    status: 'running',
    startedAt: T,
    endedAt: null,
    outcome: { isSuccessful: null, isSuccessfulReason: null, sessionEval: null, sessionEvalReason: null },
    evals: [],
    totals: emptyTotals(),
    source: 'native',
    createdAt: T,
    updatedAt: T,
    rollupHour: Math.floor(T / HOUR_MS),
    settled: null,
    settledPrev: null,
    settledAppliedVersion: 0,
    ...over,
  };
}

describe('session settlement', () => {
  it('counts a running session but contributes no distribution until it finishes or idles', () => {
    const running = targetSnapshot(session(), T + 60_000, DEFAULT_INGEST_CONFIG, []);
    const idle = targetSnapshot(
      session(),
      T + DEFAULT_INGEST_CONFIG.sessionIdleMs,
      DEFAULT_INGEST_CONFIG,
      [],
    );
    expect(running).toMatchObject({ counted: true, complete: false });
    expect(idle).toMatchObject({ counted: true, complete: true });
  });

  it('does not count a stub session until it is complete', () => {
    expect(targetSnapshot(session({ stub: true }), T, DEFAULT_INGEST_CONFIG, [])).toMatchObject({
      counted: false,
    });
  });

  it('moves a session between snapshots so that the rollups equal the final state alone', () => {
    const finished = session({
      status: 'finished',
      endedAt: T + 5000,
      totals: { ...emptyTotals(), costUsd: 0.2, errors: 1 },
      outcome: { isSuccessful: false, isSuccessfulReason: null, sessionEval: 0.5, sessionEvalReason: null },
    });
    const first = targetSnapshot(finished, T + 6000, DEFAULT_INGEST_CONFIG, ['tag:tier=pro']);
    const later = targetSnapshot(
      { ...finished, totals: { ...finished.totals, costUsd: 0.9 } },
      T + 9000,
      DEFAULT_INGEST_CONFIG,
      ['tag:tier=pro'],
    );
    const key = { agentId: 'a', hour: 0, production: true, slice: 'all' };
    const viaMoves = mergeRecords(
      [...snapshotDelta('a', null, first).build(), ...snapshotDelta('a', first, later).build()]
        .filter((d) => d.key.slice === 'all')
        .map((d) => ({ ...d, counters: d.counters as never, sketches: d.sketches as never })),
      key,
    );
    const direct = mergeRecords(
      snapshotDelta('a', null, later)
        .build()
        .filter((d) => d.key.slice === 'all')
        .map((d) => ({ ...d, counters: d.counters as never, sketches: d.sketches as never })),
      key,
    );
    expect(viaMoves.counters.sessionCostSum).toBeCloseTo(0.9, 12);
    for (const [name, value] of Object.entries(direct.counters)) {
      expect(viaMoves.counters[name as keyof typeof direct.counters], name).toBeCloseTo(value, 9);
    }
    expect(viaMoves.sketches.sessionCost).toEqual(direct.sketches.sessionCost);
    expect(viaMoves.counters).toMatchObject({
      sessions: 1,
      settledSessions: 1,
      erroredSessions: 1,
      failedSessions: 1,
      evalCount: 1,
    });
  });

  it('weights a sampled session by 1 / sample rate', () => {
    const snap = targetSnapshot(
      session({ sampleRate: 0.2, status: 'finished', endedAt: T + 1000 }),
      T,
      DEFAULT_INGEST_CONFIG,
      [],
    );
    const d = snapshotDelta('a', null, snap).build()[0]!;
    expect(d.counters.sessions).toBeCloseTo(5, 12);
    expect(d.counters.sessionDurationSum).toBeCloseTo(5000, 9);
  });
});
