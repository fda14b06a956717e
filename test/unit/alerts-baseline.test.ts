import { describe, expect, it } from 'vitest';
import type { Baseline } from '../../lambdas/domain/alert-ports';
import { DEFAULT_DETECT_SETTINGS, judge } from '../../lambdas/domain/alerts/detect';
import {
  computeBaseline,
  DEFAULT_BASELINE_SETTINGS,
  typicalValue,
} from '../../lambdas/domain/baselines/compute';
import { hourOfWeek } from '../../lambdas/domain/baselines/hour-of-week';
import { specOf } from '../../lambdas/domain/baselines/metrics';
import type { RollupRecord } from '../../lambdas/domain/rollup';
import { type HourShape, history, hourRecord, seeded, sessionsAt } from '../helpers/rollups';

const HOUR = 3_600_000;
/** Monday 2026-11-16 00:00 UTC: baselines are computed from the 14 days before. */
const AS_OF = Date.parse('2026-11-16T00:00:00Z');
const H0 = AS_OF / HOUR;
const steady = (h: number): HourShape => ({ sessions: sessionsAt(h, 60) });

function baselineOf(hourly: Map<number, RollupRecord>, excluded = new Map(), asOf = AS_OF): Baseline {
  return computeBaseline({
    agentId: 'agent',
    slice: 'all',
    production: true,
    asOf,
    computedAt: asOf,
    hourly,
    excluded,
    settings: DEFAULT_BASELINE_SETTINGS,
  });
}

const metric = (b: Baseline, name: string) => b.metrics.find((m) => m.metric === name)!;

describe('computeBaseline', () => {
  const base = baselineOf(history('agent', H0, 14, steady));

  it('is ready after the warm-up and dated the day it applies to', () => {
    // Assess
    expect(base.status).toBe('ready');
    expect(base.date).toBe('2026-11-16');
    expect(base.windowFrom).toBe(AS_OF - 14 * 24 * HOUR);
    expect(base.warmupEndsAt).toBeNull();
    expect(base.metrics.map((m) => m.metric)).toContain('sessions_per_hour');
  });

  it('expects a quiet Sunday night to be quiet and a weekday afternoon to be busy', () => {
    // Prepare
    const volume = metric(base, 'sessions_per_hour');
    const sundayNight = hourOfWeek(H0 - 24 + 3); // Sunday 03:00
    const wednesdayAfternoon = hourOfWeek(H0 + 2 * 24 + 14);
    // Assess
    expect(volume.center[sundayNight]).toBeLessThanOrEqual(5);
    expect(volume.center[wednesdayAfternoon]).toBeGreaterThan(40);
    expect(volume.pools[wednesdayAfternoon]).toBe('w');
  });

  it('models per-session figures around their typical values', () => {
    // Assess: jitter is ±20 % around the shape's medians
    expect(typicalValue(metric(base, 'cost_per_session'))).toBeGreaterThan(0.009);
    expect(typicalValue(metric(base, 'cost_per_session'))).toBeLessThan(0.011);
    expect(typicalValue(metric(base, 'session_duration_p50'))).toBeCloseTo(4000, -3);
    expect(metric(base, 'cost_per_session').spreadUp).toBeGreaterThan(0);
  });

  it('warms up until the configured days of history exist', () => {
    // Prepare: three days of traffic only
    const young = baselineOf(history('agent', H0, 3, steady));
    // Assess
    expect(young.status).toBe('warming_up');
    expect(young.warmupEndsAt).toBe(young.dataFrom! + 7 * 24 * HOUR);
  });

  it('leaves periods flagged as anomalous out of the next baseline', () => {
    // Prepare: a cost spike on a Wednesday afternoon a week ago
    const spike = new Set<number>();
    for (let h = H0 - 5 * 24 + 13; h <= H0 - 5 * 24 + 15; h++) spike.add(h);
    const hourly = history('agent', H0, 14, (h) => ({ ...steady(h), costUsd: spike.has(h) ? 0.1 : 0.01 }));
    const how = hourOfWeek(H0 - 5 * 24 + 14);
    // Act
    const polluted = baselineOf(hourly);
    const clean = baselineOf(hourly, new Map([['cost', spike]]));
    // Assess
    expect(metric(polluted, 'cost_per_session').center[how]).toBeGreaterThan(0.0112);
    expect(metric(clean, 'cost_per_session').center[how]).toBeLessThan(0.011);
    expect(clean.excludedHours).toBe(3);
    // Other families keep those hours.
    expect(metric(clean, 'sessions_per_hour').hours).toBe(metric(polluted, 'sessions_per_hour').hours);
  });

  it('widens to the same hour of day, then to every hour, when history is thin', () => {
    // Prepare: about one session an hour
    const thin = baselineOf(history('agent', H0, 14, (h) => ({ sessions: sessionsAt(h, 2) })));
    // Assess
    expect(metric(thin, 'cost_per_session').pools).toMatch(/[da]/);
    expect(metric(thin, 'cost_per_session').center.every((c) => c !== null)).toBe(true);
  });
});

describe('judge', () => {
  const hist = history('agent', H0, 14, steady);
  const base = baselineOf(hist);
  const rand = seeded(7);
  /** Wednesday 14:30: the previous hour complete, the current one half done. */
  const now = AS_OF + (2 * 24 + 14.5) * HOUR;
  const h = now / HOUR;
  const recent = (current: HourShape, previous: HourShape = steady(Math.floor(h) - 1)) =>
    new Map([
      [Math.floor(h) - 1, hourRecord('agent', Math.floor(h) - 1, previous, rand)],
      [Math.floor(h), hourRecord('agent', Math.floor(h), current, rand)],
    ]);
  const half = (shape: HourShape): HourShape => ({ ...shape, sessions: Math.round(shape.sessions / 2) });
  const run = (
    name: Parameters<typeof specOf>[0],
    hourly: Map<number, RollupRecord>,
    b: Baseline | null = base,
    at = now,
  ) => judge(specOf(name), b, hourly, 'all', at, DEFAULT_DETECT_SETTINGS);

  it('finds steady traffic normal', () => {
    // Prepare
    const hourly = recent(half(steady(Math.floor(h))));
    // Act
    const verdicts = (
      ['cost_per_session', 'error_rate', 'event_latency_p95', 'sessions_per_hour'] as const
    ).map((m) => run(m, hourly));
    // Assess
    for (const v of verdicts) {
      expect(v.state, v.metric).toBe('ok');
      expect(v.normal, v.metric).toBe(true);
    }
  });

  it('judges the current hour alone once it holds enough traffic', () => {
    // Act
    const v = run('cost_per_session', recent(half(steady(Math.floor(h)))));
    // Assess
    expect(v.windowFrom).toBe(Math.floor(h) * HOUR);
    expect(v.windowTo).toBe(now);
  });

  it('calls a fourfold cost per session critical', () => {
    // Act
    const v = run('cost_per_session', recent({ ...half(steady(Math.floor(h))), costUsd: 0.04 }));
    // Assess
    expect(v.severity).toBe('critical');
    expect(v.direction).toBe('up');
    expect(v.value!).toBeGreaterThan(v.upper!);
    expect(v.z!).toBeGreaterThan(DEFAULT_DETECT_SETTINGS.zCritical);
  });

  it('calls a 40 % rise in latency a warning, not critical', () => {
    // Act
    const v = run('event_latency_p95', recent({ ...half(steady(Math.floor(h))), latencyMs: 1120 }));
    // Assess
    expect(v.severity).toBe('warning');
  });

  it('calls half the sessions failing critical', () => {
    // Act
    const v = run('error_rate', recent({ ...half(steady(Math.floor(h))), errorShare: 0.5 }));
    // Assess
    expect(v.severity).toBe('critical');
  });

  it('ignores a fall in costs, errors and latency (only rises hurt)', () => {
    // Act
    const v = run('cost_per_session', recent({ ...half(steady(Math.floor(h))), costUsd: 0.002 }));
    // Assess
    expect(v.severity).toBeNull();
    expect(v.direction).toBe('down');
  });

  it('flags traffic collapsing on a busy afternoon, in both directions for volume', () => {
    // Act
    const drop = run('sessions_per_hour', recent({ sessions: 1 }, { sessions: 2 }));
    const surge = run('sessions_per_hour', recent({ sessions: 150 }));
    // Assess
    expect(drop.severity).not.toBeNull();
    expect(drop.direction).toBe('down');
    expect(surge.severity).not.toBeNull();
    expect(surge.direction).toBe('up');
  });

  it('does not flag a quiet Sunday night', () => {
    // Prepare: Sunday 03:30 with its usual trickle
    const sunday = AS_OF + (6 * 24 + 3.5) * HOUR;
    const hs = Math.floor(sunday / HOUR);
    const hourly = new Map<number, RollupRecord>();
    for (let k = hs - 11; k <= hs; k++) hourly.set(k, hourRecord('agent', k, steady(k), rand));
    // Act
    const volume = run('sessions_per_hour', hourly, base, sunday);
    const cost = run('cost_per_session', hourly, base, sunday);
    // Assess
    expect(volume.severity).toBeNull();
    expect(cost.severity).toBeNull();
    expect(cost.windowFrom).toBeLessThan(hs * HOUR); // the window widened to find enough sessions
  });

  it('does not judge a window without enough traffic', () => {
    // Act
    const v = run('cost_per_session', recent({ sessions: 1, costUsd: 1 }, { sessions: 0 }));
    // Assess
    expect(v.state).toBe('insufficient_data');
    expect(v.severity).toBeNull();
    expect(v.normal).toBe(true);
  });

  it('judges nothing while the baseline warms up or without one', () => {
    // Prepare
    const young = baselineOf(history('agent', H0, 3, steady));
    const hourly = recent({ ...half(steady(Math.floor(h))), costUsd: 1 });
    // Act / Assess
    expect(run('cost_per_session', hourly, young).state).toBe('warming_up');
    expect(run('cost_per_session', hourly, null).state).toBe('no_baseline');
    expect(run('cost_per_session', hourly, young).severity).toBeNull();
  });

  it('never reads ahead of now at an hour boundary', () => {
    // Prepare: at 15:00 exactly, hour 15 (future traffic in a replay) must not count
    const at = AS_OF + (2 * 24 + 15) * HOUR;
    const hourly = new Map([
      [at / HOUR - 1, hourRecord('agent', at / HOUR - 1, steady(at / HOUR - 1), rand)],
      [at / HOUR, hourRecord('agent', at / HOUR, { sessions: 500, costUsd: 5 }, rand)],
    ]);
    // Act
    const cost = run('cost_per_session', hourly, base, at);
    const volume = run('sessions_per_hour', hourly, base, at);
    // Assess
    expect(cost.severity).toBeNull();
    expect(volume.severity).toBeNull();
    expect(cost.windowTo).toBe(at);
  });
});
