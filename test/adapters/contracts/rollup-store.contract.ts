import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RollupStore } from '../../../lambdas/domain/ports';
import { COUNTERS, emptyCounters, type RollupRecord, SKETCHES } from '../../../lambdas/domain/rollup';
import { delta, HOUR0, type MakeStore, rollupKey, uid } from './fixtures';

/** The RollupStore contract (lambdas/domain/ports.ts), run against every adapter. */
export function describeRollupStoreContract(name: string, makeStore: MakeStore<RollupStore>): void {
  describe(`RollupStore contract: ${name}`, () => {
    let store: RollupStore;
    let cleanup: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      ({ store, cleanup } = await makeStore());
    });
    afterAll(async () => {
      await cleanup?.();
    });

    const one = async (
      agentId: string,
      slice = 'all',
      hour = HOUR0,
      production = true,
    ): Promise<RollupRecord> => {
      const records = await store.query(agentId, production, slice, hour, hour + 1);
      expect(records).toHaveLength(1);
      return records[0]!;
    };

    describe('apply and query', () => {
      it('returns nothing for a slice that has no data', async () => {
        // Act
        const records = await store.query(uid('agent'), null, 'all', HOUR0, HOUR0 + 24);
        // Assess
        expect(records).toEqual([]);
      });

      it('returns every counter and sketch, absent ones as zero and empty', async () => {
        // Prepare
        const agentId = uid('agent');
        const key = rollupKey(agentId);
        // Act
        await store.apply(uid('ev'), [delta(key)]);
        // Assess
        const record = await one(agentId);
        expect(record.key).toEqual(key);
        expect(Object.keys(record.counters).sort()).toEqual([...COUNTERS].sort());
        expect(Object.keys(record.sketches).sort()).toEqual([...SKETCHES].sort());
        expect(record.counters).toEqual({
          ...emptyCounters(),
          events: 1,
          costUsd: 0.25,
          latencySumMs: 1200,
          latencyCount: 1,
        });
        expect(record.sketches).toEqual({
          sessionCost: {},
          sessionDuration: {},
          eventLatency: { '357': 1 },
          llmTokens: {},
          llmCost: {},
        });
      });

      it('adds deltas of different folds and merges their sketches bin by bin', async () => {
        // Prepare
        const agentId = uid('agent');
        const key = rollupKey(agentId);
        // Act
        await store.apply(uid('ev'), [
          delta(key, { counters: { events: 2 }, sketches: { llmCost: { z: 1, '-40': 2 } } }),
        ]);
        await store.apply(uid('ev'), [
          delta(key, { counters: { events: 3 }, sketches: { llmCost: { '-40': 1, '12': 4 } } }),
        ]);
        // Assess
        const record = await one(agentId);
        expect(record.counters.events).toBe(5);
        expect(record.sketches.llmCost).toEqual({ z: 1, '-40': 3, '12': 4 });
      });

      it('adds negative and fractional weights, dropping bins that cancel out', async () => {
        // Prepare
        const agentId = uid('agent');
        const key = rollupKey(agentId);
        await store.apply(uid('ev'), [
          delta(key, {
            counters: { sessions: 1 / 3, sessionCostSum: 0.1 },
            sketches: { sessionCost: { '100': 1 / 3, z: 0.5 } },
          }),
        ]);
        // Act
        await store.apply(uid('settle'), [
          delta(key, {
            counters: { sessions: 2 / 3, sessionCostSum: -0.3 },
            sketches: { sessionCost: { '100': -1 / 3, '101': 2.5, z: -0.25 } },
          }),
        ]);
        // Assess
        const record = await one(agentId);
        expect(record.counters.sessions).toBeCloseTo(1, 9);
        expect(record.counters.sessionCostSum).toBeCloseTo(-0.2, 9);
        expect(Object.keys(record.sketches.sessionCost).sort()).toEqual(['101', 'z']);
        expect(record.sketches.sessionCost['101']).toBeCloseTo(2.5, 9);
        expect(record.sketches.sessionCost.z).toBeCloseTo(0.25, 9);
      });

      it('changes nothing when the same fold is replayed', async () => {
        // Prepare
        const agentId = uid('agent');
        const foldId = uid('ev');
        const deltas = [delta(rollupKey(agentId)), delta(rollupKey(agentId, { slice: 'model:gpt-4o' }))];
        await store.apply(foldId, deltas);
        // Act
        await store.apply(foldId, deltas);
        await Promise.all([store.apply(foldId, deltas), store.apply(foldId, deltas)]);
        // Assess
        expect((await one(agentId)).counters.events).toBe(1);
        expect((await one(agentId, 'model:gpt-4o')).counters.events).toBe(1);
      });

      it('completes a half-applied fold on replay without adding the applied half twice', async () => {
        // Prepare
        const agentId = uid('agent');
        const foldId = uid('ev');
        const slices = ['all', 'type:llm', 'model:m', 'tag:tier=gold'];
        const deltas = slices.map((slice) => delta(rollupKey(agentId, { slice })));
        await store.apply(foldId, deltas.slice(0, 2));
        // Act
        await store.apply(foldId, deltas);
        // Assess
        for (const slice of slices) expect((await one(agentId, slice)).counters.events).toBe(1);
      });

      it('adds a fold again after release, and a new fold id always', async () => {
        // Prepare
        const agentId = uid('agent');
        const foldId = uid('settle');
        const key = rollupKey(agentId);
        await store.apply(foldId, [delta(key)]);
        // Act
        await store.release(foldId, [key, rollupKey(agentId, { slice: 'never-written' })]);
        await store.release(foldId, [key]);
        await store.apply(uid('ev'), [delta(key)]);
        await store.apply(foldId, [delta(key)]);
        // Assess
        expect((await one(agentId)).counters.events).toBe(3);
        expect(await store.query(agentId, null, 'never-written', HOUR0, HOUR0 + 1)).toEqual([]);
      });

      it('adds every fold applied concurrently to the same keys', async () => {
        // Prepare
        const agentId = uid('agent');
        const keys = [rollupKey(agentId), rollupKey(agentId, { slice: 'type:tool' })];
        // Act
        await Promise.all(
          Array.from({ length: 8 }, () =>
            store.apply(
              uid('ev'),
              keys.map((k) => delta(k, { counters: { events: 0.5 } })),
            ),
          ),
        );
        // Assess
        expect((await one(agentId)).counters.events).toBe(4);
        expect((await one(agentId, 'type:tool')).counters.events).toBe(4);
      });

      it('applies a fold over many keys and large sketches exactly once', async () => {
        // Prepare
        const agentId = uid('agent');
        const foldId = uid('ev');
        const bins = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [String(i - 300), 1]));
        const deltas = Array.from({ length: 12 }, (_, i) =>
          delta(rollupKey(agentId, { hour: HOUR0 + i }), {
            sketches: { eventLatency: bins, llmTokens: bins },
          }),
        );
        // Act
        await store.apply(foldId, deltas);
        await store.apply(foldId, deltas);
        // Assess
        const records = await store.query(agentId, true, 'all', HOUR0, HOUR0 + 12);
        expect(records).toHaveLength(12);
        expect(records.every((r) => r.counters.events === 1)).toBe(true);
        expect(records[11]!.sketches.eventLatency).toEqual(bins);
        expect(records[0]!.sketches.llmTokens).toEqual(bins);
      });

      it('accepts fold ids of any length and characters', async () => {
        // Prepare
        const agentId = uid('agent');
        const foldId = `settle:${agentId}:${'#:. []{}ü'.repeat(80)}:7`;
        const key = rollupKey(agentId);
        // Act
        await store.apply(foldId, [delta(key)]);
        await store.apply(foldId, [delta(key)]);
        await store.release(foldId, [key]);
        // A store may forget markers lazily, by the next write to the item (see RollupStore.release).
        await store.apply(uid('ev'), [delta(key)]);
        await store.apply(foldId, [delta(key)]);
        // Assess
        expect((await one(agentId)).counters.events).toBe(3);
      });
    });

    describe('query windows and flags', () => {
      it('reads the hours in [fromHour, toHour)', async () => {
        // Prepare
        const agentId = uid('agent');
        await store.apply(
          uid('ev'),
          [-1, 0, 1, 2, 3].map((h) =>
            delta(rollupKey(agentId, { hour: HOUR0 + h }), { counters: { events: h + 10 } }),
          ),
        );
        // Act
        const records = await store.query(agentId, true, 'all', HOUR0, HOUR0 + 3);
        // Assess
        expect(records.map((r) => [r.key.hour - HOUR0, r.counters.events])).toEqual([
          [0, 10],
          [1, 11],
          [2, 12],
        ]);
        expect(await store.query(agentId, true, 'all', HOUR0 + 2, HOUR0 + 2)).toEqual([]);
      });

      it('reads a window wider than any stored hour', async () => {
        // Prepare
        const agentId = uid('agent');
        await store.apply(uid('ev'), [delta(rollupKey(agentId, { slice: 'model:m' }))]);
        // Act
        const exact = await store.query(agentId, null, 'model:m', 0, Number.MAX_SAFE_INTEGER);
        const prefixed = await store.querySlices(agentId, null, 'model:', 0, Number.MAX_SAFE_INTEGER);
        // Assess
        expect(exact).toHaveLength(1);
        expect(prefixed).toHaveLength(1);
      });

      it('reads production, non-production, or both when production is null', async () => {
        // Prepare
        const agentId = uid('agent');
        await store.apply(uid('ev'), [
          delta(rollupKey(agentId, { production: true }), { counters: { events: 1 } }),
          delta(rollupKey(agentId, { production: false }), { counters: { events: 2 } }),
        ]);
        // Act
        const prod = await store.query(agentId, true, 'all', HOUR0, HOUR0 + 1);
        const dev = await store.query(agentId, false, 'all', HOUR0, HOUR0 + 1);
        const both = await store.query(agentId, null, 'all', HOUR0, HOUR0 + 1);
        // Assess
        expect(prod.map((r) => r.counters.events)).toEqual([1]);
        expect(dev.map((r) => r.counters.events)).toEqual([2]);
        expect(both.map((r) => [r.key.production, r.counters.events]).sort()).toEqual([
          [false, 2],
          [true, 1],
        ]);
      });

      it('keeps agents and slices apart, whatever characters they contain', async () => {
        // Prepare
        const agentId = `${uid('agent')}#%:ü`;
        const odd = 'tag:a#b=c%23 d:ü';
        await store.apply(uid('ev'), [
          delta(rollupKey(agentId, { slice: odd }), { counters: { events: 1 } }),
          delta(rollupKey(agentId, { slice: 'tag:a' }), { counters: { events: 2 } }),
          delta(rollupKey(`${agentId}x`, { slice: odd }), { counters: { events: 3 } }),
        ]);
        // Act
        const exact = await store.query(agentId, true, odd, HOUR0, HOUR0 + 1);
        const prefixed = await store.querySlices(agentId, true, 'tag:a#', HOUR0, HOUR0 + 1);
        // Assess
        expect(exact.map((r) => [r.key.slice, r.counters.events])).toEqual([[odd, 1]]);
        expect(prefixed.map((r) => [r.key.slice, r.counters.events])).toEqual([[odd, 1]]);
      });
    });

    describe('querySlices', () => {
      it('reads every slice starting with the prefix over the hour window', async () => {
        // Prepare
        const agentId = uid('agent');
        const slices = ['all', 'model:a', 'model:b', 'type:llm', 'modelx', 'tag:model=a'];
        await store.apply(
          uid('ev'),
          slices.flatMap((slice) =>
            [0, 1, 2].map((h) => delta(rollupKey(agentId, { slice, hour: HOUR0 + h }))),
          ),
        );
        // Act
        const records = await store.querySlices(agentId, true, 'model:', HOUR0 + 1, HOUR0 + 3);
        // Assess
        expect(records.map((r) => [r.key.slice, r.key.hour - HOUR0]).sort()).toEqual([
          ['model:a', 1],
          ['model:a', 2],
          ['model:b', 1],
          ['model:b', 2],
        ]);
      });

      it('narrows to one tag key, and reads prefixes without a colon', async () => {
        // Prepare
        const agentId = uid('agent');
        const slices = ['tag:tier=gold', 'tag:tier=free', 'tag:region=eu', 'model:a', 'modelx'];
        await store.apply(
          uid('ev'),
          slices.map((slice) => delta(rollupKey(agentId, { slice }))),
        );
        // Act
        const tier = await store.querySlices(agentId, true, 'tag:tier=', HOUR0, HOUR0 + 1);
        const model = await store.querySlices(agentId, true, 'model', HOUR0, HOUR0 + 1);
        // Assess
        expect(tier.map((r) => r.key.slice).sort()).toEqual(['tag:tier=free', 'tag:tier=gold']);
        expect(model.map((r) => r.key.slice).sort()).toEqual(['model:a', 'modelx']);
      });

      it('reads both production flags when production is null', async () => {
        // Prepare
        const agentId = uid('agent');
        await store.apply(uid('ev'), [
          delta(rollupKey(agentId, { slice: 'err:timeout', production: true })),
          delta(rollupKey(agentId, { slice: 'err:api', production: false })),
        ]);
        // Act
        const both = await store.querySlices(agentId, null, 'err:', HOUR0, HOUR0 + 1);
        const prod = await store.querySlices(agentId, true, 'err:', HOUR0, HOUR0 + 1);
        // Assess
        expect(both.map((r) => `${r.key.slice}/${r.key.production}`).sort()).toEqual([
          'err:api/false',
          'err:timeout/true',
        ]);
        expect(prod.map((r) => r.key.slice)).toEqual(['err:timeout']);
      });
    });

    describe('admitTagValues', () => {
      it('admits distinct values up to the cap and keeps admitting known ones', async () => {
        // Prepare
        const agentId = uid('agent');
        // Act
        const first = await store.admitTagValues(agentId, 'tier', ['gold', 'free'], 3);
        const second = await store.admitTagValues(agentId, 'tier', ['gold', 'silver', 'bronze', 'iron'], 3);
        const third = await store.admitTagValues(agentId, 'tier', ['free', 'iron'], 3);
        // Assess
        expect([...first].sort()).toEqual(['free', 'gold']);
        expect([...second].sort()).toEqual(['gold', 'silver']);
        expect([...third]).toEqual(['free']);
      });

      it('counts the cap per agent and tag key', async () => {
        // Prepare
        const agentId = uid('agent');
        await store.admitTagValues(agentId, 'tier', ['a'], 1);
        // Act
        const otherKey = await store.admitTagValues(agentId, 'region', ['eu'], 1);
        const otherAgent = await store.admitTagValues(uid('agent'), 'tier', ['b'], 1);
        const sameKey = await store.admitTagValues(agentId, 'tier', ['b'], 1);
        // Assess
        expect([...otherKey]).toEqual(['eu']);
        expect([...otherAgent]).toEqual(['b']);
        expect([...sameKey]).toEqual([]);
      });

      it('never admits more than the cap under concurrent calls', async () => {
        // Prepare
        const agentId = uid('agent');
        const values = Array.from({ length: 12 }, (_, i) => `v${i}`);
        // Act
        const results = await Promise.all(values.map((v) => store.admitTagValues(agentId, 'k', [v], 5)));
        // Assess
        const admitted = results.flatMap((r) => [...r]);
        expect(admitted).toHaveLength(5);
        const again = await store.admitTagValues(agentId, 'k', values, 5);
        expect([...again].sort()).toEqual([...admitted].sort());
      });

      it('admits nothing new with a cap of zero', async () => {
        // Act
        const admitted = await store.admitTagValues(uid('agent'), 'k', ['a'], 0);
        // Assess
        expect(admitted.size).toBe(0);
      });
    });
  });
}
