import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../lambdas/domain/model';
import type { RollupReadOptions, RollupStore } from '../../lambdas/domain/ports';
import { CachingRollupStore, directReader } from '../../lambdas/domain/query/reader';
import {
  applyDelta,
  DeltaBuilder,
  emptyRecord,
  type RollupDelta,
  type RollupRecord,
  rollupKeyString,
} from '../../lambdas/domain/rollup';

/** An in-memory RollupStore that counts reads. */
class MemoryRollups implements RollupStore {
  readonly records = new Map<string, RollupRecord>();
  reads = 0;
  async apply(_foldId: string, deltas: RollupDelta[]): Promise<void> {
    for (const d of deltas) {
      const id = rollupKeyString(d.key);
      this.records.set(id, applyDelta(this.records.get(id) ?? emptyRecord(d.key), d));
    }
  }
  async release(): Promise<void> {}
  private select(
    agentId: string,
    production: boolean | null,
    match: (s: string) => boolean,
    from: number,
    to: number,
    options?: RollupReadOptions,
  ) {
    this.reads++;
    return [...this.records.values()]
      .filter(
        (r) =>
          r.key.agentId === agentId &&
          match(r.key.slice) &&
          r.key.hour >= from &&
          r.key.hour < to &&
          (production === null || r.key.production === production),
      )
      .map((r) =>
        options?.sketches === false
          ? { ...structuredClone(r), sketches: emptyRecord(r.key).sketches }
          : structuredClone(r),
      );
  }
  async query(
    agentId: string,
    production: boolean | null,
    slice: string,
    from: number,
    to: number,
    o?: RollupReadOptions,
  ) {
    return this.select(agentId, production, (s) => s === slice, from, to, o);
  }
  async querySlices(
    agentId: string,
    production: boolean | null,
    prefix: string,
    from: number,
    to: number,
    o?: RollupReadOptions,
  ) {
    return this.select(agentId, production, (s) => s.startsWith(prefix), from, to, o);
  }
  async admitTagValues(_a: string, _k: string, values: string[]): Promise<Set<string>> {
    return new Set(values);
  }
}

/** Rounds every number (sums in another order differ in the last bits). */
const norm = (v: unknown): unknown =>
  JSON.parse(JSON.stringify(v instanceof Map ? Object.fromEntries(v) : v), (_k, x) =>
    typeof x === 'number' ? Math.round(x * 1e9) / 1e9 : x,
  );

const H0 = Math.floor(Date.parse('2026-11-01T00:00:00Z') / HOUR_MS);

/** Deterministic traffic: every hour of 20 days, in slices all / model:a / model:b, both production flags. */
async function seed(store: RollupStore): Promise<void> {
  const b = new DeltaBuilder();
  for (let h = 0; h < 20 * 24; h++) {
    for (const production of [true, false]) {
      for (const slice of ['all', h % 3 ? 'model:a' : 'model:b']) {
        const key = { agentId: 'a1', hour: H0 + h, production, slice };
        b.count(key, 'events', 1 + (h % 7)).count(key, 'costUsd', 0.01 * (h % 11));
        b.observe(key, 'eventLatency', 100 + ((h * 37) % 900), 1).observe(
          key,
          'sessionCost',
          0.001 * (1 + (h % 13)),
          1,
        );
      }
    }
  }
  await store.apply('seed', b.build());
}

const hourMs = (h: number) => (H0 + h) * HOUR_MS;
const WINDOWS = [
  [{ from: hourMs(5), to: hourMs(17 * 24 + 9) }],
  [
    { from: hourMs(0), to: hourMs(20 * 24) },
    { from: hourMs(30), to: hourMs(31) },
  ],
  Array.from({ length: 10 }, (_, i) => ({ from: hourMs(i * 36 + 3), to: hourMs((i + 1) * 36 + 3) })),
];

describe('CachingRollupStore', () => {
  it('merges exactly what the direct reader merges, for any windows', async () => {
    const inner = new MemoryRollups();
    await seed(inner);
    const cached = new CachingRollupStore(inner);
    const direct = directReader(inner);
    for (const windows of WINDOWS) {
      for (const production of [true, null]) {
        for (let pass = 0; pass < 2; pass++) {
          const sketches = ['eventLatency', 'sessionCost'] as const;
          const [a, b] = await Promise.all([
            cached.reader.buckets('a1', production, 'all', windows, sketches),
            direct.buckets('a1', production, 'all', windows, sketches),
          ]);
          expect(norm(a)).toEqual(norm(b));
          const [fa, fb] = await Promise.all([
            cached.reader.family('a1', production, 'model:', windows, ['eventLatency']),
            direct.family('a1', production, 'model:', windows, ['eventLatency']),
          ]);
          expect(norm(fa)).toEqual(norm(fb));
        }
      }
    }
  });

  it('serves whole days from memory once read', async () => {
    const inner = new MemoryRollups();
    await seed(inner);
    const cached = new CachingRollupStore(inner);
    const days = [{ from: hourMs(24), to: hourMs(10 * 24) }];
    await cached.reader.buckets('a1', true, 'all', days, []);
    const before = inner.reads;
    await cached.reader.buckets('a1', true, 'all', days, []);
    expect(inner.reads).toBe(before);
  });

  it('reads sketches again for days it first read for counters only', async () => {
    const inner = new MemoryRollups();
    await seed(inner);
    const cached = new CachingRollupStore(inner);
    const days = [{ from: hourMs(24), to: hourMs(4 * 24) }];
    await cached.reader.buckets('a1', true, 'all', days, []);
    const reads = inner.reads;
    const [withSketches] = await cached.reader.buckets('a1', true, 'all', days, ['eventLatency']);
    expect(inner.reads).toBeGreaterThan(reads);
    expect(norm(withSketches)).toEqual(
      norm((await directReader(inner).buckets('a1', true, 'all', days, ['eventLatency']))[0]),
    );
    const again = inner.reads;
    await cached.reader.buckets('a1', true, 'all', days, []);
    expect(inner.reads).toBe(again);
  });

  it('drops a cached day when a write touches it', async () => {
    const inner = new MemoryRollups();
    await seed(inner);
    const cached = new CachingRollupStore(inner);
    const w = [{ from: hourMs(0), to: hourMs(5 * 24) }];
    const [before] = await cached.reader.buckets('a1', true, 'all', w, []);
    const key = { agentId: 'a1', hour: H0 + 50, production: true, slice: 'all' };
    await cached.apply('late', new DeltaBuilder().count(key, 'events', 1000).build());
    const [after] = await cached.reader.buckets('a1', true, 'all', w, []);
    expect(after!.counters.events).toBe(before!.counters.events + 1000);
  });

  it('never hands out its cached objects for callers to change', async () => {
    const inner = new MemoryRollups();
    await seed(inner);
    const cached = new CachingRollupStore(inner);
    const w = [{ from: hourMs(0), to: hourMs(2 * 24) }];
    const [first] = await cached.reader.buckets('a1', true, 'all', w, ['eventLatency']);
    first!.counters.events = -1;
    for (const k of Object.keys(first!.sketches.eventLatency!)) first!.sketches.eventLatency![k] = 0;
    expect(norm(await cached.reader.buckets('a1', true, 'all', w, ['eventLatency']))).toEqual(
      norm(await directReader(inner).buckets('a1', true, 'all', w, ['eventLatency'])),
    );
  });
});
