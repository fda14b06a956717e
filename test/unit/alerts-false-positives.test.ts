import { describe, expect, it } from 'vitest';
import type { Baseline } from '../../lambdas/domain/alert-ports';
import { DEFAULT_DETECT_SETTINGS, judge } from '../../lambdas/domain/alerts/detect';
import { computeBaseline, DEFAULT_BASELINE_SETTINGS } from '../../lambdas/domain/baselines/compute';
import { specOf } from '../../lambdas/domain/baselines/metrics';
import type { RollupRecord } from '../../lambdas/domain/rollup';
import { history, hourRecord, seeded, sessionsAt } from '../helpers/rollups';

/**
 * False positives the demo month (scripts/demo.ts) used to raise, reproduced on synthetic rollups: each
 * a statistical weakness of the detector, not a feature of the traffic.
 */
const HOUR = 3_600_000;
/** Monday 2026-11-16 00:00 UTC: baselines are computed from the 14 days before. */
const AS_OF = Date.parse('2026-11-16T00:00:00Z');
const H0 = AS_OF / HOUR;

function baselineOf(hourly: Map<number, RollupRecord>): Baseline {
  return computeBaseline({
    agentId: 'agent',
    slice: 'all',
    production: true,
    asOf: AS_OF,
    computedAt: AS_OF,
    hourly,
    excluded: new Map(),
    settings: DEFAULT_BASELINE_SETTINGS,
  });
}

describe('event error rate in a quiet window', () => {
  // A quiet agent (a session or two an hour at night), 2 % of sessions with one failed step each.
  const base = baselineOf(
    history('agent', H0, 14, (h) => ({ sessions: sessionsAt(h, 6), eventsPerSession: 15 })),
  );
  /** Tuesday 04:00: the night's only session started at 03:07 and ran 45 steps, 6 of them failed. */
  const now = AS_OF + (24 + 4) * HOUR;
  const night = (failed: { errors: number; erroredSessions: number; sessions: number; settled: number }) => {
    const h = now / HOUR - 1;
    // 45 events in all, however many sessions they belong to
    const shape = { sessions: failed.sessions, eventsPerSession: 45 / failed.sessions, errorShare: 0 };
    const r = hourRecord('agent', h, shape, seeded(3));
    r.counters.errors = failed.errors;
    r.counters.erroredSessions = failed.erroredSessions;
    r.counters.settledSessions = failed.settled;
    r.counters.sessionDurationCount = failed.settled;
    return new Map([[h, r]]);
  };
  const run = (hourly: Map<number, RollupRecord>) =>
    judge(specOf('event_error_rate'), base, hourly, 'all', now, DEFAULT_DETECT_SETTINGS);

  it('does not call one runaway session failing step after step an event error-rate rise', () => {
    // Act: six failed events, all in the one settled session of the window
    const v = run(night({ errors: 6, erroredSessions: 1, sessions: 1, settled: 1 }));
    // Assess
    expect(v.state).toBe('ok');
    expect(v.severity).toBeNull();
    expect(v.normal).toBe(true);
    expect(v.value!).toBeGreaterThan(0.1);
  });

  it('still flags the same failures spread over several sessions', () => {
    // Act: the same six failures, in three of three sessions
    const v = run(night({ errors: 6, erroredSessions: 3, sessions: 3, settled: 3 }));
    // Assess
    expect(v.severity).not.toBeNull();
    expect(v.z!).toBeGreaterThan(DEFAULT_DETECT_SETTINGS.zWarning);
  });

  it('counts sessions that have not settled yet as possible sources (a live outage is not held back)', () => {
    // Act: one session settled with failures, two more still running (their failures not settled yet)
    const v = run(night({ errors: 6, erroredSessions: 1, sessions: 3, settled: 1 }));
    // Assess
    expect(v.severity).not.toBeNull();
  });
});
