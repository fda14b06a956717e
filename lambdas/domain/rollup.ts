import { binKey, mergeBins, type SketchBins } from './sketch';

/**
 * Rollups: per agent, per hour, per production flag, per slice. Every aggregate the product shows is a
 * merge of these, so reads cost O(hours × slices) whatever the event volume.
 *
 * Slices: `all`; session-level and event-level `tag:<key>=<value>` and `exp:<id>`; event-level only
 * `model:<name>`, `type:<event type>`, `err:<category>`.
 */
export const COUNTERS = [
  // session level (counted at session creation)
  'sessions',
  // session level (counted at settlement, see settle.ts)
  'settledSessions',
  'erroredSessions',
  'succeededSessions',
  'failedSessions',
  'evalSum',
  'evalCount',
  'sessionCostSum',
  'sessionDurationSum',
  'sessionDurationCount',
  // event level
  'events',
  'llmCalls',
  'errors',
  'inputTokens',
  'outputTokens',
  'cachedInputTokens',
  'reasoningTokens',
  'costUsd',
  'unpricedEvents',
  'latencySumMs',
  'latencyCount',
] as const;
export type CounterName = (typeof COUNTERS)[number];

export const SKETCHES = ['sessionCost', 'sessionDuration', 'eventLatency', 'llmTokens', 'llmCost'] as const;
export type SketchName = (typeof SKETCHES)[number];

export interface RollupKey {
  agentId: string;
  /** Epoch hour (floor(ms / 3 600 000)). */
  hour: number;
  production: boolean;
  slice: string;
}

export interface RollupDelta {
  key: RollupKey;
  counters: Partial<Record<CounterName, number>>;
  sketches: Partial<Record<SketchName, SketchBins>>;
}

export interface RollupRecord {
  key: RollupKey;
  counters: Record<CounterName, number>;
  sketches: Record<SketchName, SketchBins>;
}

export const rollupKeyString = (k: RollupKey): string =>
  `${k.agentId}\u0000${k.hour}\u0000${k.production ? 1 : 0}\u0000${k.slice}`;

export const emptyCounters = (): Record<CounterName, number> =>
  Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<CounterName, number>;

export const emptySketches = (): Record<SketchName, SketchBins> =>
  Object.fromEntries(SKETCHES.map((s) => [s, {}])) as Record<SketchName, SketchBins>;

export const emptyRecord = (key: RollupKey): RollupRecord => ({
  key,
  counters: emptyCounters(),
  sketches: emptySketches(),
});

/** Accumulates deltas per rollup key, so one ingest batch writes each rollup item once. */
export class DeltaBuilder {
  private readonly byKey = new Map<string, RollupDelta>();

  /** The delta for a key (create on first use); callers on hot paths keep it and use `add`/`addSample`. */
  delta(key: RollupKey): RollupDelta {
    const id = rollupKeyString(key);
    let d = this.byKey.get(id);
    if (!d) {
      d = { key, counters: {}, sketches: {} };
      this.byKey.set(id, d);
    }
    return d;
  }

  count(key: RollupKey, counter: CounterName, amount: number): this {
    addCount(this.delta(key), counter, amount);
    return this;
  }

  observe(key: RollupKey, sketch: SketchName, value: number, weight: number): this {
    addSample(this.delta(key), sketch, value, weight);
    return this;
  }

  build(): RollupDelta[] {
    const out: RollupDelta[] = [];
    for (const d of this.byKey.values()) {
      for (const [name, bins] of Object.entries(d.sketches)) {
        for (const [k, w] of Object.entries(bins!)) if (Math.abs(w) < 1e-9) delete bins![k];
        if (Object.keys(bins!).length === 0) delete d.sketches[name as SketchName];
      }
      for (const [name, v] of Object.entries(d.counters)) if (v === 0) delete d.counters[name as CounterName];
      if (Object.keys(d.counters).length > 0 || Object.keys(d.sketches).length > 0) out.push(d);
    }
    return out;
  }
}

export function addCount(d: RollupDelta, counter: CounterName, amount: number): void {
  if (amount === 0 || !Number.isFinite(amount)) return;
  d.counters[counter] = (d.counters[counter] ?? 0) + amount;
}

export function addSample(d: RollupDelta, sketch: SketchName, value: number, weight: number): void {
  if (!Number.isFinite(value) || value < 0 || weight === 0) return;
  const bins = d.sketches[sketch] ?? {};
  d.sketches[sketch] = bins;
  const k = binKey(value);
  bins[k] = (bins[k] ?? 0) + weight;
}

/** Adds a delta (or a record) into a record or another delta, in place. */
export function applyDelta<T extends Pick<RollupDelta, 'counters' | 'sketches'>>(
  target: T,
  delta: Pick<RollupDelta, 'counters' | 'sketches'>,
): T {
  for (const [name, v] of Object.entries(delta.counters)) {
    const c = name as CounterName;
    target.counters[c] = (target.counters[c] ?? 0) + (v ?? 0);
  }
  for (const [name, bins] of Object.entries(delta.sketches)) {
    const s = name as SketchName;
    target.sketches[s] = mergeBins(target.sketches[s] ?? {}, bins ?? {});
  }
  return target;
}

/** Merges many records (any hours, any slices) into one. */
export function mergeRecords(records: Iterable<RollupRecord>, key: RollupKey): RollupRecord {
  const out = emptyRecord(key);
  for (const r of records) applyDelta(out, r);
  return out;
}

/** Tag slices. A tag "tier:enterprise" or "tier=enterprise" is key tier; a bare tag "beta" is key "tag". */
export function parseTag(tag: string): { key: string; value: string } {
  const m = /^([^:=]{1,64})[:=](.*)$/s.exec(tag);
  if (m && m[2] !== '') return { key: m[1]!.trim(), value: m[2]!.trim() };
  return { key: 'tag', value: tag.trim() };
}

export const tagSlice = (key: string, value: string): string => `tag:${key}=${value}`;
export const OTHER_TAG_VALUE = '__other__';
