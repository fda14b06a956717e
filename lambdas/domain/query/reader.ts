import { HOUR_MS } from '../model';
import type { RollupStore } from '../ports';
import type { RollupDelta, RollupKey, RollupRecord, SketchName } from '../rollup';
import { addRecord, emptyMerged, type Merged } from './figures';
import type { Window } from './window';

/**
 * How the query API reads rollups: merged per window (bucket), never per event. `directReader` merges
 * the hourly records in memory; `CachingRollupStore` keeps merges of whole UTC days, so a 30-day view
 * merges ~30 day records instead of 720 hourly ones once warm.
 */
export interface RollupReader {
  /** One merge per window, for one slice. */
  buckets(
    agentId: string,
    production: boolean | null,
    slice: string,
    windows: readonly Window[],
    sketches: readonly SketchName[],
  ): Promise<Merged[]>;
  /** Per slice under `prefix` (key: the slice without the prefix), one merge per window. */
  family(
    agentId: string,
    production: boolean | null,
    prefix: string,
    windows: readonly Window[],
    sketches: readonly SketchName[],
  ): Promise<Map<string, Merged[]>>;
}

const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS);
const DAY_HOURS = 24;

function hull(windows: readonly Window[]): Window | null {
  if (windows.length === 0) return null;
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const w of windows) {
    from = Math.min(from, w.from);
    to = Math.max(to, w.to);
  }
  return from < to ? { from, to } : null;
}

/** Indexes of the windows holding hour `h` (binary search when windows are sorted and disjoint). */
function locator(windows: readonly Window[]): (ms: number) => number[] {
  const sorted = windows.every((w, i) => i === 0 || windows[i - 1]!.to <= w.from);
  if (!sorted) {
    return (ms) => {
      const out: number[] = [];
      windows.forEach((w, i) => {
        if (ms >= w.from && ms < w.to) out.push(i);
      });
      return out;
    };
  }
  return (ms) => {
    let lo = 0;
    let hi = windows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const w = windows[mid]!;
      if (ms < w.from) hi = mid - 1;
      else if (ms >= w.to) lo = mid + 1;
      else return [mid];
    }
    return [];
  };
}

function distribute(
  records: Iterable<RollupRecord>,
  windows: readonly Window[],
  sketches: readonly SketchName[],
  into: Merged[],
): void {
  const find = locator(windows);
  for (const r of records) for (const i of find(r.key.hour * HOUR_MS)) addRecord(into[i]!, r, sketches);
}

/** Reads hourly records over the windows' hull and merges them per window. */
export function directReader(rollups: RollupStore): RollupReader {
  return {
    async buckets(agentId, production, slice, windows, sketches) {
      const out = windows.map(() => emptyMerged());
      const h = hull(windows);
      if (!h) return out;
      distribute(
        await rollups.query(agentId, production, slice, hourOf(h.from), Math.ceil(h.to / HOUR_MS), {
          sketches: sketches.length > 0,
        }),
        windows,
        sketches,
        out,
      );
      return out;
    },
    async family(agentId, production, prefix, windows, sketches) {
      const out = new Map<string, Merged[]>();
      const h = hull(windows);
      if (!h) return out;
      const records = await rollups.querySlices(
        agentId,
        production,
        prefix,
        hourOf(h.from),
        Math.ceil(h.to / HOUR_MS),
        { sketches: sketches.length > 0 },
      );
      const bySlice = new Map<string, RollupRecord[]>();
      for (const r of records) {
        const key = r.key.slice.slice(prefix.length);
        const list = bySlice.get(key) ?? [];
        list.push(r);
        bySlice.set(key, list);
      }
      for (const [key, list] of bySlice) {
        const merged = windows.map(() => emptyMerged());
        distribute(list, windows, sketches, merged);
        out.set(key, merged);
      }
      return out;
    },
  };
}

/** A block (a whole UTC day or one hour) merged, per slice (one entry for a slice query, several for a family). */
type DayEntry = Map<string, Merged>;

/** `hours` (24 or 1) hours from epoch hour `start`. */
interface Block {
  start: number;
  hours: number;
}

const dayOf = (b: Block): number => Math.floor(b.start / DAY_HOURS);

/** [fromH, toH) as whole days inside it plus single hours at the edges. */
function blocksOf(fromH: number, toH: number): Block[] {
  const out: Block[] = [];
  const firstDay = Math.ceil(fromH / DAY_HOURS);
  const lastDay = Math.floor(toH / DAY_HOURS);
  if (firstDay >= lastDay) {
    for (let h = fromH; h < toH; h++) out.push({ start: h, hours: 1 });
    return out;
  }
  for (let h = fromH; h < firstDay * DAY_HOURS; h++) out.push({ start: h, hours: 1 });
  for (let d = firstDay; d < lastDay; d++) out.push({ start: d * DAY_HOURS, hours: DAY_HOURS });
  for (let h = lastDay * DAY_HOURS; h < toH; h++) out.push({ start: h, hours: 1 });
  return out;
}

/** Sorted blocks grouped into runs of adjacent ones (one store read each). */
function runs(blocks: Block[]): Block[][] {
  const out: Block[][] = [];
  for (const b of blocks) {
    const run = out[out.length - 1];
    const last = run?.[run.length - 1];
    if (run && last && last.start + last.hours === b.start) run.push(b);
    else out.push([b]);
  }
  return out;
}
const ALL_SKETCHES: readonly SketchName[] = [
  'sessionCost',
  'sessionDuration',
  'eventLatency',
  'llmTokens',
  'llmCost',
];

/**
 * A RollupStore that remembers merges of whole UTC days (and of single hours at window edges). Exact
 * only where every rollup write goes through it (the local runtime: one process owns the DuckDB file):
 * `apply` drops the cached days it touches, and a read that raced a write does not store what it read.
 */
export class CachingRollupStore implements RollupStore {
  private readonly days = new Map<string, { generation: number; sketches: boolean; entry: DayEntry }>();
  /** Bumped by every write to an (agent, day); reads store their result only if it did not move. */
  private readonly generations = new Map<string, number>();
  readonly reader: RollupReader;

  /** @param maxDays cached (agent, production, slice-or-family, day) entries; least recently used go first. @default 4000 */
  constructor(
    private readonly inner: RollupStore,
    private readonly maxDays = 4000,
  ) {
    this.reader = {
      buckets: async (agentId, production, slice, windows, sketches) => {
        const got = await this.read(agentId, production, slice, false, windows, sketches.length > 0);
        return got.map((perSlice) => mergeSelected(perSlice.get(slice) ?? [], sketches));
      },
      family: async (agentId, production, prefix, windows, sketches) => {
        const got = await this.read(agentId, production, prefix, true, windows, sketches.length > 0);
        const out = new Map<string, Merged[]>();
        got.forEach((perSlice, i) => {
          for (const [slice, parts] of perSlice) {
            const key = slice.slice(prefix.length);
            let list = out.get(key);
            if (!list) {
              list = windows.map(() => emptyMerged());
              out.set(key, list);
            }
            list[i] = mergeSelected(parts, sketches);
          }
        });
        return out;
      },
    };
  }

  apply(foldId: string, deltas: RollupDelta[]): Promise<void> {
    this.invalidate(deltas.map((d) => d.key));
    return this.inner.apply(foldId, deltas).finally(() => this.invalidate(deltas.map((d) => d.key)));
  }
  release(foldId: string, keys: RollupKey[]): Promise<void> {
    return this.inner.release(foldId, keys);
  }
  query(...args: Parameters<RollupStore['query']>): Promise<RollupRecord[]> {
    return this.inner.query(...args);
  }
  querySlices(...args: Parameters<RollupStore['querySlices']>): Promise<RollupRecord[]> {
    return this.inner.querySlices(...args);
  }
  admitTagValues(...args: Parameters<RollupStore['admitTagValues']>): Promise<Set<string>> {
    return this.inner.admitTagValues(...args);
  }

  private invalidate(keys: RollupKey[]): void {
    for (const k of keys) {
      const g = `${k.agentId}\u0000${Math.floor(k.hour / DAY_HOURS)}`;
      this.generations.set(g, (this.generations.get(g) ?? 0) + 1);
    }
  }

  private generation(agentId: string, day: number): number {
    return this.generations.get(`${agentId}\u0000${day}`) ?? 0;
  }

  private fetch(
    agentId: string,
    production: boolean | null,
    target: string,
    isFamily: boolean,
    fromHour: number,
    toHour: number,
    sketches: boolean,
  ) {
    return isFamily
      ? this.inner.querySlices(agentId, production, target, fromHour, toHour, { sketches })
      : this.inner.query(agentId, production, target, fromHour, toHour, { sketches });
  }

  /**
   * For each window: per slice, the cached blocks that make it up: whole UTC days inside the window,
   * single hours at its edges. Missing blocks are read in as few store reads as contiguous runs allow.
   */
  private async read(
    agentId: string,
    production: boolean | null,
    target: string,
    isFamily: boolean,
    windows: readonly Window[],
    sketches: boolean,
  ): Promise<Array<Map<string, Merged[]>>> {
    const blockKey = (b: Block) =>
      `${agentId}\u0000${production}\u0000${isFamily ? 'F' : 'S'}${target}\u0000${b.hours}:${b.start}`;
    const plans = windows.map((w) => blocksOf(hourOf(w.from), Math.ceil(w.to / HOUR_MS)));
    const unique = new Map<string, Block>();
    for (const plan of plans) for (const b of plan) unique.set(blockKey(b), b);
    const missing = [...unique.values()]
      .filter((b) => {
        // A block read for counters only cannot answer a read that needs sketches.
        const cached = this.days.get(blockKey(b));
        return cached?.generation !== this.generation(agentId, dayOf(b)) || (sketches && !cached.sketches);
      })
      .sort((a, b) => a.start - b.start);
    const fresh = new Map<string, DayEntry>();
    for (const run of runs(missing)) {
      const gens = new Map(run.map((b) => [blockKey(b), this.generation(agentId, dayOf(b))]));
      const entries = new Map(run.map((b) => [blockKey(b), new Map() as DayEntry]));
      const first = run[0]!;
      const last = run[run.length - 1]!;
      const records = await this.fetch(
        agentId,
        production,
        target,
        isFamily,
        first.start,
        last.start + last.hours,
        sketches,
      );
      const findBlock = locator(run.map((b) => ({ from: b.start, to: b.start + b.hours })));
      for (const r of records) {
        const idx = findBlock(r.key.hour)[0];
        if (idx === undefined) continue;
        const entry = entries.get(blockKey(run[idx]!))!;
        entry.set(r.key.slice, addRecord(entry.get(r.key.slice) ?? emptyMerged(), r, ALL_SKETCHES));
      }
      for (const [key, entry] of entries) {
        fresh.set(key, entry);
        const b = unique.get(key)!;
        if (gens.get(key) === this.generation(agentId, dayOf(b))) {
          this.remember(key, gens.get(key)!, sketches, entry);
        }
      }
    }
    return plans.map((plan) => {
      const parts = new Map<string, Merged[]>();
      for (const b of plan) {
        const key = blockKey(b);
        for (const [slice, m] of fresh.get(key) ?? this.touch(key) ?? []) {
          const list = parts.get(slice) ?? [];
          list.push(m);
          parts.set(slice, list);
        }
      }
      return parts;
    });
  }

  private touch(key: string): DayEntry | undefined {
    const cached = this.days.get(key);
    if (cached) {
      this.days.delete(key);
      this.days.set(key, cached);
    }
    return cached?.entry;
  }

  private remember(key: string, generation: number, sketches: boolean, entry: DayEntry): void {
    this.days.delete(key);
    this.days.set(key, { generation, sketches, entry });
    while (this.days.size > this.maxDays) this.days.delete(this.days.keys().next().value!);
  }
}

function mergeSelected(parts: readonly Merged[], sketches: readonly SketchName[]): Merged {
  const out = emptyMerged();
  for (const p of parts) addRecord(out, p as RollupRecord, sketches);
  return out;
}

/** The reader for a store: the day cache when the store has one, else direct hourly merges. */
export function readerFor(rollups: RollupStore): RollupReader {
  return rollups instanceof CachingRollupStore ? rollups.reader : directReader(rollups);
}
