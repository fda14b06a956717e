import type { CompareFigures, Distribution, Kpi } from '../../../contracts/query-api';
import { COUNTERS, type CounterName, type RollupRecord, type SketchName } from '../rollup';
import { mergeBins, SKETCH_RELATIVE_ACCURACY, Sketch, type SketchBins, ZERO_BIN } from '../sketch';

/** Counters and the asked-for sketches of many rollup records, summed (the read side of rollups). */
export interface Merged {
  counters: Record<CounterName, number>;
  sketches: Partial<Record<SketchName, SketchBins>>;
}

export const emptyMerged = (): Merged => ({
  counters: Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<CounterName, number>,
  sketches: {},
});

/** Adds a record into `target`, merging only `sketches` (merging bins is the costly part of a read). */
export function addRecord(target: Merged, r: RollupRecord, sketches: readonly SketchName[]): Merged {
  for (const c of COUNTERS) {
    const v = r.counters[c];
    if (v) target.counters[c] += v;
  }
  for (const s of sketches) {
    const bins = r.sketches[s];
    if (bins && Object.keys(bins).length > 0) target.sketches[s] = mergeBins(target.sketches[s] ?? {}, bins);
  }
  return target;
}

export function mergeAll(records: Iterable<RollupRecord>, sketches: readonly SketchName[] = []): Merged {
  const out = emptyMerged();
  for (const r of records) addRecord(out, r, sketches);
  return out;
}

/** Sums merges (e.g. buckets into their window). */
export function mergeMerged(parts: readonly Merged[], sketches: readonly SketchName[]): Merged {
  const out = emptyMerged();
  for (const p of parts) addRecord(out, p as RollupRecord, sketches);
  return out;
}

export const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

export function round(v: number | null, digits = 6): number | null {
  if (v === null || !Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
export const round0 = (v: number, digits = 6): number => round(v, digits) ?? 0;

/** Percentiles of a sketch (1 % relative accuracy); `avg` from exact counters when given. */
export function distribution(
  bins: SketchBins | undefined,
  avg: number | null = null,
  digits = 6,
): Distribution {
  const sk = new Sketch(bins ?? {});
  const count = sk.count;
  const qs = quantiles(sk.bins, [0.5, 0.75, 0.9, 0.95, 0.99, 1]);
  const q = (p: number) => round(qs.get(p) ?? null, digits);
  let mean = avg;
  if (mean === null && count > 0) {
    let sum = 0;
    for (const [k, w] of Object.entries(sk.bins)) if (w > 0) sum += w * binMidpoint(k);
    mean = sum / count;
  }
  return {
    count: round0(count, 3),
    avg: round(mean, digits),
    p50: q(0.5),
    p75: q(0.75),
    p90: q(0.9),
    p95: q(0.95),
    p99: q(0.99),
    max: q(1),
  };
}

const GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);

/** The representative value of a bin (what Sketch.quantile returns for it; see sketch.ts). */
export function binMidpoint(key: string): number {
  if (key === ZERO_BIN) return 0;
  return (2 * GAMMA ** Number(key)) / (GAMMA + 1);
}

const EPS = 1e-9;

/** Several quantiles with one sort; the same rule as Sketch.quantile (lower interpolation on weighted ranks). */
export function quantiles(bins: SketchBins, qs: readonly number[]): Map<number, number> {
  const entries = Object.entries(bins)
    .filter(([, w]) => w > EPS)
    .map(([k, w]) => [binMidpoint(k), w] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  const out = new Map<number, number>();
  if (total <= EPS) return out;
  for (const q of qs) {
    const rank = Math.min(Math.max(q, 0), 1) * (total - 1);
    let seen = 0;
    let value = entries[entries.length - 1]![0];
    for (const [v, w] of entries) {
      seen += w;
      if (seen > rank + EPS) {
        value = v;
        break;
      }
    }
    out.set(q, value);
  }
  return out;
}

export function kpi(value: number | null, previous: number | null, digits = 6): Kpi {
  const v = round(value, digits);
  const p = round(previous, digits);
  const change = v === null || p === null ? null : round(v - p, digits);
  return { value: v, previous: p, change, change_pct: change === null || !p ? null : round(change / p, 4) };
}

export function delta(
  a: number | null,
  b: number | null,
): { change: number | null; change_pct: number | null } {
  if (a === null || b === null) return { change: null, change_pct: null };
  const change = round(b - a, 6);
  return { change, change_pct: change === null || a === 0 ? null : round(change / a, 4) };
}

/** Session-level figures are null under event-level slices (those slices hold no session counts). */
export function figures(m: Merged, sessionLevel: boolean): CompareFigures {
  const c = m.counters;
  const s = <T>(v: T): T | null => (sessionLevel ? v : null);
  const cost = new Sketch(m.sketches.sessionCost ?? {});
  const dur = new Sketch(m.sketches.sessionDuration ?? {});
  const lat = new Sketch(m.sketches.eventLatency ?? {});
  return {
    sessions: s(round0(c.sessions, 3)),
    total_cost_usd: round0(c.costUsd),
    avg_cost_usd: s(round(ratio(c.sessionCostSum, c.settledSessions))),
    p50_cost_usd: s(round(cost.quantile(0.5))),
    p90_cost_usd: s(round(cost.quantile(0.9))),
    p99_cost_usd: s(round(cost.quantile(0.99))),
    avg_duration_ms: s(round(ratio(c.sessionDurationSum, c.sessionDurationCount), 1)),
    p50_duration_ms: s(round(dur.quantile(0.5), 1)),
    p95_duration_ms: s(round(dur.quantile(0.95), 1)),
    p99_duration_ms: s(round(dur.quantile(0.99), 1)),
    p95_event_latency_ms: round(lat.quantile(0.95), 1),
    total_tokens: round0(c.inputTokens + c.outputTokens, 3),
    llm_calls: round0(c.llmCalls, 3),
    error_count: round0(c.errors, 3),
    error_rate: s(round(ratio(c.erroredSessions, c.settledSessions), 4)),
    success_rate: s(round(ratio(c.succeededSessions, c.succeededSessions + c.failedSessions), 4)),
    avg_eval: s(round(ratio(c.evalSum, c.evalCount), 4)),
  };
}
