import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldMarker, markersOf, SKETCH_VERSION_ATTR } from '../../../lambdas/adapters/dynamodb/items';
import { DynamoDbRollupStore, rollupWrites } from '../../../lambdas/adapters/dynamodb/rollup-store';
import { decodeSketch, encodeSketch } from '../../../lambdas/adapters/dynamodb/sketch-codec';
import { encHour } from '../../../lambdas/adapters/dynamodb/table';
import type { RollupDelta } from '../../../lambdas/domain/rollup';
import { binKey, type SketchBins } from '../../../lambdas/domain/sketch';
import { type Dynalite, dynamoClient, startDynalite } from '../../helpers/dynalite';
import { delta, HOUR0, rollupKey, uid } from '../contracts/fixtures';

describe('packed sketch codec', () => {
  it('round-trips any bins: zero bin, negative indexes, integer, fractional and negative weights', () => {
    // Prepare
    const weight = fc.oneof(
      fc.integer({ min: -(2 ** 40), max: 2 ** 40 }).filter((w) => w !== 0),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((w) => w !== 0),
      fc.constantFrom(2 ** 53, -(2 ** 60), 0.1 + 0.2),
    );
    const bins = fc
      .tuple(
        fc.dictionary(fc.integer({ min: -3000, max: 3000 }).map(String), weight),
        fc.option(weight, { nil: undefined }),
      )
      .map(([indexed, zero]) => (zero === undefined ? indexed : { ...indexed, z: zero }));
    // Act / Assess
    fc.assert(
      fc.property(bins, (b: SketchBins) => {
        expect(decodeSketch(encodeSketch(b))).toEqual(b);
      }),
    );
  });

  it('spends about two bytes a bin on a dense latency sketch', () => {
    // Prepare: 400 neighbouring bins, as a busy hour's latencies fill them.
    const bins: SketchBins = {};
    for (let ms = 20; ms < 120_000; ms *= 1.02) bins[binKey(ms)] = (bins[binKey(ms)] ?? 0) + 3;
    // Act
    const bytes = encodeSketch(bins);
    // Assess
    expect(Object.keys(bins).length).toBeGreaterThan(400);
    expect(bytes.length).toBeLessThan(2.1 * Object.keys(bins).length);
  });

  it('rejects bin keys that are not indexes and bytes that are not a packed sketch', () => {
    expect(() => encodeSketch({ '1.5': 1 })).toThrow(/bin key 1.5/);
    expect(() => encodeSketch({ '07': 1 })).toThrow(/bin key 07/);
    expect(() => decodeSketch(Uint8Array.of(2, 0, 0))).toThrow(/unknown format 2/);
    expect(() => decodeSketch(Uint8Array.of(1, 0, 2, 4))).toThrow(/truncated/);
    expect(() => decodeSketch(Uint8Array.of(1, 0, 0, 9))).toThrow(/trailing/);
  });
});

/**
 * A client whose UpdateItem calls wait until `parties` of them are pending, then all go at once: every
 * racing fold has read the item before any writes it, so all but one compare-and-set must fail.
 */
function barrierClient(endpoint: string, parties: number): DynamoDBClient {
  const client = dynamoClient(endpoint);
  let waiting: Array<() => void> = [];
  let released = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!released && context.commandName === 'UpdateItemCommand') {
        await new Promise<void>((go) => {
          waiting.push(go);
          if (waiting.length === parties) {
            released = true;
            for (const g of waiting) g();
            waiting = [];
          }
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'updateBarrier' },
  );
  return client;
}

describe('DynamoDbRollupStore with packed sketches', () => {
  let dynamo: Dynalite;
  let tableName: string;

  beforeAll(async () => {
    dynamo = await startDynalite();
    tableName = await dynamo.createTable();
  });
  afterAll(async () => {
    await dynamo?.stop();
  });

  const rawItem = async (pk: string, sk: string) =>
    (
      await dynamo.client.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk }, sk: { S: sk } } }),
      )
    ).Item ?? {};

  it('stores each sketch as one Binary attribute with a version, and counters as numbers', async () => {
    // Prepare
    const store = new DynamoDbRollupStore({ client: dynamo.client, tableName });
    const agentId = uid('agent');
    const key = rollupKey(agentId);
    const [first, second] = [uid('ev'), uid('ev')];
    // Act
    await store.apply(first, [
      delta(key, { sketches: { eventLatency: { '357': 1, '-2': 0.5 }, llmCost: { z: 2 } } }),
    ]);
    await store.release(first, [key]);
    await store.apply(second, [delta(key, { sketches: { eventLatency: { '357': 2, '-2': -0.5 } } })]);
    const item = await rawItem(`R#${agentId}#1`, `all#${encHour(HOUR0)}`);
    // Assess
    expect(decodeSketch(item.L!.B!)).toEqual({ '357': 3 });
    expect(decodeSketch(item.U!.B!)).toEqual({ z: 2 });
    expect(item.L357).toBeUndefined();
    expect(item[SKETCH_VERSION_ATTR]).toEqual({ N: '2' });
    expect(item.ev).toEqual({ N: '2' });
    expect(markersOf(item)).toEqual([foldMarker(second)]);
  });

  it('loses nothing when many folds race on one item, and counts a fold applied twice at once only once', async () => {
    // Prepare: 12 folds, each from its own store (its own Lambda); fold 0 is also sent by a 13th.
    const folds = Array.from({ length: 12 }, () => uid('ev'));
    const agentId = uid('agent');
    const key = rollupKey(agentId, { slice: 'model:gpt-4o' });
    const deltaOf = (i: number): RollupDelta =>
      delta(key, {
        counters: { events: 1, costUsd: 0.25 },
        sketches: { eventLatency: { '357': 2, [String(100 + i)]: 1 }, llmCost: { z: 0.5 } },
      });
    const sends = [...folds.map((f, i) => ({ f, i })), { f: folds[0]!, i: 0 }];
    const client = barrierClient(dynamo.endpoint, sends.length);
    const stores = sends.map(() => new DynamoDbRollupStore({ client, tableName }));
    // Act
    await Promise.all(sends.map(({ f, i }, n) => stores[n]!.apply(f, [deltaOf(i)])));
    // A later replay by yet another process.
    const replay = new DynamoDbRollupStore({ client: dynamo.client, tableName });
    await replay.apply(folds[5]!, [deltaOf(5)]);
    const [record] = await replay.query(agentId, true, 'model:gpt-4o', HOUR0, HOUR0 + 1);
    // Assess
    expect(record!.counters.events).toBe(12);
    expect(record!.counters.costUsd).toBe(3);
    expect(record!.sketches.eventLatency).toEqual({
      '357': 24,
      ...Object.fromEntries(folds.map((_, i) => [String(100 + i), 1])),
    });
    expect(record!.sketches.llmCost).toEqual({ z: 6 });
    // The barrier made every writer but one lose its compare-and-set.
    expect(stores.reduce((n, s) => n + s.casConflicts, 0)).toBe(sends.length - 1);
    expect(replay.casConflicts).toBe(0);
    const item = await rawItem(`R#${agentId}#1`, `model:gpt-4o#${encHour(HOUR0)}`);
    expect(markersOf(item).sort()).toEqual(folds.map((f) => foldMarker(f)).sort());
  });

  it('adds counter-only deltas without a read, next to packed sketches', async () => {
    // Prepare
    const store = new DynamoDbRollupStore({ client: dynamo.client, tableName });
    const agentId = uid('agent');
    const key = rollupKey(agentId);
    await store.apply(uid('ev'), [delta(key)]);
    // Act
    await store.apply(uid('ev'), [delta(key, { counters: { sessions: 1 }, sketches: {} })]);
    const item = await rawItem(`R#${agentId}#1`, `all#${encHour(HOUR0)}`);
    // Assess
    expect(item.ss).toEqual({ N: '1' });
    expect(item[SKETCH_VERSION_ATTR]).toEqual({ N: '1' });
    expect(decodeSketch(item.L!.B!)).toEqual({ '357': 1 });
  });

  it('reads items holding both formats as their sum, packs the numbers on the next write, removes an emptied sketch', async () => {
    // Prepare
    const bins = new DynamoDbRollupStore({ client: dynamo.client, tableName, sketchFormat: 'bins' });
    const packed = new DynamoDbRollupStore({ client: dynamo.client, tableName });
    const agentId = uid('agent');
    const key = rollupKey(agentId);
    // Act
    await bins.apply(uid('ev'), [delta(key, { sketches: { eventLatency: { '357': 1 } } })]);
    await packed.apply(uid('ev'), [delta(key, { sketches: { eventLatency: { '357': 2, '12': 1 } } })]);
    const mixed = await packed.query(agentId, true, 'all', HOUR0, HOUR0 + 1);
    await packed.apply(uid('ev'), [delta(key, { sketches: { eventLatency: { '357': -2, '12': -1 } } })]);
    const compacted = await rawItem(`R#${agentId}#1`, `all#${encHour(HOUR0)}`);
    await packed.apply(uid('ev'), [delta(key, { sketches: { eventLatency: { '357': -1 } } })]);
    const emptied = await rawItem(`R#${agentId}#1`, `all#${encHour(HOUR0)}`);
    // Assess
    expect(mixed[0]!.sketches.eventLatency).toEqual({ '357': 3, '12': 1 });
    expect(mixed[0]!.counters.events).toBe(2);
    expect(compacted.L357).toBeUndefined();
    expect(decodeSketch(compacted.L!.B!)).toEqual({ '357': 1 });
    expect(emptied.L).toBeUndefined();
    expect(emptied.ev).toEqual({ N: '4' });
  });

  it('adds the bins as numbers when the compare-and-set loses, and the next packed write folds them in', async () => {
    // Prepare: another process writes the item between this store's read and its write.
    const client = dynamoClient(dynamo.endpoint);
    const agentId = uid('agent');
    const key = rollupKey(agentId);
    const other = new DynamoDbRollupStore({ client: dynamo.client, tableName });
    let interloped = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (!interloped && context.commandName === 'UpdateItemCommand') {
          interloped = true;
          await other.apply(uid('ev'), [delta(key, { sketches: { eventLatency: { '357': 1, '-4': 1 } } })]);
        }
        return next(args);
      },
      { step: 'initialize', name: 'interloper' },
    );
    const store = new DynamoDbRollupStore({ client, tableName });
    const foldId = uid('ev');
    // Act
    await store.apply(foldId, [delta(key, { sketches: { eventLatency: { '357': 2, '12': 1 } } })]);
    const afterConflict = await rawItem(`R#${agentId}#1`, `all#${encHour(HOUR0)}`);
    await store.apply(foldId, [delta(key, { sketches: { eventLatency: { '357': 2, '12': 1 } } })]);
    await other.apply(uid('ev'), [delta(key, { sketches: { eventLatency: { '12': 1 } } })]);
    const compacted = await rawItem(`R#${agentId}#1`, `all#${encHour(HOUR0)}`);
    const [record] = await other.query(agentId, true, 'all', HOUR0, HOUR0 + 1);
    // Assess
    expect(store.casConflicts).toBe(1);
    expect(afterConflict.L357).toEqual({ N: '2' });
    expect(afterConflict[SKETCH_VERSION_ATTR]).toEqual({ N: '2' });
    expect(decodeSketch(afterConflict.L!.B!)).toEqual({ '357': 1, '-4': 1 });
    expect(Object.keys(compacted).filter((n) => /^L./.test(n))).toEqual([]);
    expect(decodeSketch(compacted.L!.B!)).toEqual({ '357': 3, '12': 2, '-4': 1 });
    expect(record!.counters.events).toBe(3);
    expect(record!.sketches.eventLatency).toEqual({ '357': 3, '12': 2, '-4': 1 });
  });

  it('finishes a split ADD write of a fold that stopped half-way, never packing it again', async () => {
    // Prepare: a delta too large for one expression, whose first part alone reached the item.
    const agentId = uid('agent');
    const key = rollupKey(agentId);
    const foldId = uid('ev');
    const bins = Object.fromEntries(Array.from({ length: 700 }, (_, i) => [String(i), 1]));
    const big = delta(key, { sketches: { eventLatency: bins } });
    const [part0] = rollupWrites(foldId, big);
    const store = new DynamoDbRollupStore({ client: dynamo.client, tableName });
    await (store as unknown as { table: { update: (w: unknown) => Promise<unknown> } }).table.update(part0);
    // Act
    await store.apply(foldId, [big]);
    await store.apply(foldId, [big]);
    const [record] = await store.query(agentId, true, 'all', HOUR0, HOUR0 + 1);
    // Assess
    expect(record!.counters.events).toBe(1);
    expect(record!.sketches.eventLatency).toEqual(bins);
    expect(store.casConflicts).toBe(0);
  });

  it('never packs over bins another store ADDed between its read and its write', async () => {
    // Prepare: the item holds L357 as a number; a `bins` store (a rollout) ADDs to it mid-write.
    const agentId = uid('agent');
    const key = rollupKey(agentId);
    const bins = new DynamoDbRollupStore({ client: dynamo.client, tableName, sketchFormat: 'bins' });
    await bins.apply(uid('ev'), [delta(key)]);
    const client = dynamoClient(dynamo.endpoint);
    let interloped = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (!interloped && context.commandName === 'UpdateItemCommand') {
          interloped = true;
          await bins.apply(uid('ev'), [delta(key)]);
        }
        return next(args);
      },
      { step: 'initialize', name: 'rollout' },
    );
    const packed = new DynamoDbRollupStore({ client, tableName });
    // Act
    await packed.apply(uid('ev'), [delta(key)]);
    const [record] = await packed.query(agentId, true, 'all', HOUR0, HOUR0 + 1);
    // Assess
    expect(packed.casConflicts).toBe(1);
    expect(record!.counters.events).toBe(3);
    expect(record!.sketches.eventLatency).toEqual({ '357': 3 });
  });
});
