import { emptyRecord, type RollupRecord } from '../../lambdas/domain/rollup';
import { Sketch } from '../../lambdas/domain/sketch';

/**
 * Synthetic hourly rollup records for unit tests of baselines and detection: what ingest would fold for
 * `sessions` finished sessions of `eventsPerSession` events each, with figures drawn around given medians.
 */
export interface HourShape {
  sessions: number;
  costUsd?: number;
  durationMs?: number;
  latencyMs?: number;
  /** Share of sessions with one failed event. */
  errorShare?: number;
  eventsPerSession?: number;
  tokens?: number;
}

/** A tiny deterministic generator (mulberry32). */
export function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hourRecord(
  agentId: string,
  hour: number,
  shape: HourShape,
  rand: () => number,
  slice = 'all',
): RollupRecord {
  const r = emptyRecord({ agentId, hour, production: true, slice });
  const c = r.counters;
  const cost = new Sketch();
  const duration = new Sketch();
  const latency = new Sketch();
  const perSession = shape.eventsPerSession ?? 4;
  const jitter = () => 0.8 + 0.4 * rand();
  let errored = Math.round(shape.sessions * (shape.errorShare ?? 0.02));
  for (let i = 0; i < shape.sessions; i++) {
    const sc = (shape.costUsd ?? 0.01) * jitter();
    const sd = (shape.durationMs ?? 4000) * jitter();
    c.sessions++;
    c.settledSessions++;
    c.sessionCostSum += sc;
    c.sessionDurationSum += sd;
    c.sessionDurationCount++;
    cost.add(sc);
    duration.add(sd);
    if (errored > 0) {
      errored--;
      c.erroredSessions++;
      c.errors++;
    }
    for (let e = 0; e < perSession; e++) {
      const l = (shape.latencyMs ?? 800) * jitter();
      c.events++;
      c.llmCalls++;
      c.latencySumMs += l;
      c.latencyCount++;
      latency.add(l);
      c.inputTokens += ((shape.tokens ?? 2000) / perSession) * jitter();
      c.costUsd += sc / perSession;
    }
  }
  r.sketches.sessionCost = cost.bins;
  r.sketches.sessionDuration = duration.bins;
  r.sketches.eventLatency = latency.bins;
  return r;
}

/** A weekly rhythm: busy weekday afternoons, quiet nights, quieter weekends. */
export function sessionsAt(hour: number, peak: number): number {
  const d = new Date(hour * 3_600_000);
  const hod = d.getUTCHours();
  const shape = 0.15 + 0.85 * Math.max(0, Math.sin((Math.PI * (hod - 6)) / 16));
  const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 0.4 : 1;
  return Math.max(0, Math.round(peak * shape * weekend));
}

/** History of `days` ending before `toHour`, shaped by `shapeAt`. */
export function history(
  agentId: string,
  toHour: number,
  days: number,
  shapeAt: (hour: number) => HourShape,
  seed = 1,
): Map<number, RollupRecord> {
  const rand = seeded(seed);
  const out = new Map<number, RollupRecord>();
  for (let h = toHour - days * 24; h < toHour; h++) {
    const shape = shapeAt(h);
    if (shape.sessions > 0) out.set(h, hourRecord(agentId, h, shape, rand));
  }
  return out;
}
