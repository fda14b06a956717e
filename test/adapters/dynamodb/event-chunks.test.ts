import { createHash, randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilTable } from '../../../lambdas/adapters/dynamodb/client';
import { readChunkItems } from '../../../lambdas/adapters/dynamodb/event-chunks';
import { DynamoDbEventStore } from '../../../lambdas/adapters/dynamodb/event-store';
import {
  CHUNK_ATTR,
  CHUNK_DICTIONARY,
  chunkHead,
  chunkToEvents,
  chunkToItem,
  encodeChunkEvents,
  type Item,
  MAX_CHUNK_BYTES,
  pendingFoldToItem,
} from '../../../lambdas/adapters/dynamodb/items';
import type { FoldContext, StoredEvent } from '../../../lambdas/domain/ports';
import { type Dynalite, dynamoClient, startDynalite } from '../../helpers/dynalite';
import { storedEvent, T0, uid } from '../contracts/fixtures';

/**
 * The chunk layout of DynamoDbEventStore (event-store.ts): one item per call and session, exactly-once
 * appends under racing callers, splitting, and what a crash leaves for listPending. The EventStore
 * contract (test/adapters/contracts) runs against the same store in event-store.test.ts.
 */
describe('DynamoDbEventStore event chunks', () => {
  let dynamo: Dynalite;
  let tableName: string;
  let store: DynamoDbEventStore;
  let table: VigilTable;

  beforeAll(async () => {
    dynamo = await startDynalite();
    tableName = await dynamo.createTable();
    store = new DynamoDbEventStore({ client: dynamo.client, tableName });
    table = new VigilTable({ client: dynamo.client, tableName });
  });
  afterAll(async () => {
    await dynamo?.stop();
  });

  const session = () => ({ agentId: uid('agent'), sessionId: uid('session') });
  const newFold = (): FoldContext => ({ foldId: uid('ev'), production: true, weight: 1, sessionSlices: [] });
  const chunks = (ids: { agentId: string; sessionId: string }): Promise<Item[]> =>
    readChunkItems(table, ids.agentId, ids.sessionId);
  const storedIds = async (ids: { agentId: string; sessionId: string }) =>
    (await chunks(ids)).flatMap(chunkToEvents).map((e) => e.eventId);

  it('stores the events of one call as one chunk item, and only the fresh ones of a later call as the next', async () => {
    // Prepare
    const ids = session();
    const fold = newFold();
    const first = Array.from({ length: 10 }, (_, i) => storedEvent({ ...ids, eventId: `e${i}`, fold }));
    // Act
    const r1 = await store.insertNew(first);
    const second = newFold();
    const r2 = await store.insertNew(
      ['e8', 'e9', 'e10', 'e11'].map((eventId) => storedEvent({ ...ids, eventId, fold: second })),
    );
    // Assess
    expect(r1.inserted).toHaveLength(10);
    expect(r2).toEqual({ inserted: ['e10', 'e11'], duplicates: ['e8', 'e9'] });
    const items = await chunks(ids);
    expect(items.map((i) => i.sk?.S)).toEqual(['C#00000000', 'C#00000001']);
    expect(items.map((i) => chunkToEvents(i).map((e) => e.eventId))).toEqual([
      first.map((e) => e.eventId),
      ['e10', 'e11'],
    ]);
    expect(chunkToEvents(items[0]!)).toEqual(first);
  });

  it('writes no chunk for a call whose events are all stored already or repeated in the call', async () => {
    // Prepare
    const ids = session();
    await store.insertNew([storedEvent({ ...ids, eventId: 'a' })]);
    // Act
    const result = await store.insertNew([
      storedEvent({ ...ids, eventId: 'a' }),
      storedEvent({ ...ids, eventId: 'b', name: 'first' }),
      storedEvent({ ...ids, eventId: 'b', name: 'second' }),
    ]);
    // Assess
    expect(result).toEqual({ inserted: ['b'], duplicates: ['a', 'b'] });
    const items = await chunks(ids);
    expect(items.map((i) => chunkToEvents(i).map((e) => [e.eventId, e.name]))).toEqual([
      [['a', 'chat']],
      [['b', 'first']],
    ]);
  });

  it('keeps the chunk dictionary byte for byte (stored chunks cannot be inflated without it)', () => {
    expect(createHash('sha256').update(CHUNK_DICTIONARY).digest('hex')).toBe(
      'd9fae08a3f65c6cb37617dadf737e8eb30110b7adba6e63122cfb40ec2579c2c',
    );
  });

  it('deflates a call’s events together into fewer bytes than one by one', () => {
    // Prepare
    const ids = session();
    const fold = newFold();
    const events = Array.from({ length: 10 }, (_, i) =>
      storedEvent({ ...ids, eventId: uid('ev'), startedAt: T0 + i * 1000, fold }),
    );
    // Act
    const together = encodeChunkEvents(events).byteLength;
    const apart = events.reduce((n, e) => n + encodeChunkEvents([e]).byteLength, 0);
    // Assess
    expect(together).toBeLessThan(apart * 0.6);
  });

  describe('concurrent overlapping calls', () => {
    /**
     * A client whose first `n` Queries all answer only once every one of them has been answered: all
     * callers read the (empty) session before any of them puts, so they all race for chunk 0.
     */
    function racingClient(n: number): { client: DynamoDBClient; lostPuts: () => number } {
      const client = dynamoClient(dynamo.endpoint);
      let queries = 0;
      let lost = 0;
      let release: () => void = () => {};
      const allRead = new Promise<void>((r) => {
        release = r;
      });
      client.middlewareStack.add(
        (next, context) => async (args) => {
          try {
            const out = await next(args);
            if (context.commandName === 'QueryCommand' && queries < n) {
              queries++;
              if (queries === n) release();
              await allRead;
            }
            return out;
          } catch (e) {
            if ((e as Error).name === 'ConditionalCheckFailedException') lost++;
            throw e;
          }
        },
        { step: 'initialize', name: 'raceBarrier' },
      );
      return { client, lostPuts: () => lost };
    }

    it('stores every id exactly once and reports it inserted by exactly one caller', async () => {
      // Prepare: 6 callers over 40 ids, each overlapping its neighbours by half.
      const ids = session();
      const all = Array.from({ length: 40 }, (_, i) => `e${String(i).padStart(2, '0')}`);
      const callers = [0, 5, 10, 15, 20, 25].map((offset) => {
        const fold = newFold();
        return all.slice(offset, offset + 15).map((eventId) => storedEvent({ ...ids, eventId, fold }));
      });
      const { client, lostPuts } = racingClient(callers.length);
      const racing = new DynamoDbEventStore({ client, tableName });
      // Act
      const results = await Promise.all(callers.map((events) => racing.insertNew(events)));
      // Assess: the race happened (all read an empty session; all but one lost chunk 0)...
      expect(lostPuts()).toBeGreaterThanOrEqual(callers.length - 1);
      // ...and still every id went in once, each caller's ids being its inserted + its duplicates.
      const inserted = results.flatMap((r) => r.inserted);
      expect([...inserted].sort()).toEqual(all);
      results.forEach((r, i) => {
        expect([...r.inserted, ...r.duplicates].sort()).toEqual(callers[i]!.map((e) => e.eventId).sort());
      });
      const stored = await storedIds(ids);
      expect([...stored].sort()).toEqual(all);
      // Each chunk holds what one caller inserted, under that caller's fold.
      for (const item of await chunks(ids)) {
        const owner = callers.findIndex((c) => c[0]!.fold.foldId === chunkHead(item).foldId);
        expect(results[owner]!.inserted).toEqual(
          expect.arrayContaining(chunkToEvents(item).map((e) => e.eventId)),
        );
      }
      client.destroy();
    });

    it('gives identical concurrent calls one inserter', async () => {
      // Prepare: a retried request running alongside the original.
      const ids = session();
      const callers = [0, 1, 2, 3].map(() => {
        const fold = newFold();
        return ['x', 'y', 'z'].map((eventId) => storedEvent({ ...ids, eventId, fold }));
      });
      const { client } = racingClient(callers.length);
      const racing = new DynamoDbEventStore({ client, tableName });
      // Act
      const results = await Promise.all(callers.map((events) => racing.insertNew(events)));
      // Assess
      expect(results.filter((r) => r.inserted.length > 0)).toEqual([
        { inserted: ['x', 'y', 'z'], duplicates: [] },
      ]);
      expect(results.filter((r) => r.duplicates.length === 3)).toHaveLength(3);
      expect(await storedIds(ids)).toEqual(['x', 'y', 'z']);
      // The losers' folds own nothing and are gone: only the winner's is pending.
      const pending = (await racing.listPending(T0 + 60_000, 100)).filter(
        (e) => e.sessionId === ids.sessionId,
      );
      expect(pending.map((e) => e.eventId)).toEqual(['x', 'y', 'z']);
      client.destroy();
    });
  });

  describe('splitting', () => {
    /** ~60 KB of incompressible text (random base64): ~45 KB deflated. */
    const noise = () => randomBytes(45_000).toString('base64');

    it('splits a call whose events deflate past the chunk limit over consecutive chunks, each under it', async () => {
      // Prepare: 10 events of ~45 KB deflated each, ~450 KB together.
      const ids = session();
      const fold = newFold();
      const events = Array.from({ length: 10 }, (_, i) =>
        storedEvent({ ...ids, eventId: `big${i}`, startedAt: T0 + i, payload: { text: noise() }, fold }),
      );
      // Act
      const result = await store.insertNew(events);
      // Assess
      expect(result.inserted).toEqual(events.map((e) => e.eventId));
      const items = await chunks(ids);
      expect(items.length).toBeGreaterThanOrEqual(2);
      expect(items.map((i) => chunkHead(i).seq)).toEqual(items.map((_, i) => i));
      for (const item of items) {
        expect(item[CHUNK_ATTR.events]!.B!.byteLength).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
        expect(chunkHead(item).foldId).toBe(fold.foldId);
      }
      expect(items.flatMap(chunkToEvents)).toEqual(events);
      const page = await store.listBySession(ids.agentId, ids.sessionId, null, 100);
      expect(page.items).toEqual(events);
      const pending = (await store.listPending(T0 + 60_000, 100)).filter(
        (e) => e.sessionId === ids.sessionId,
      );
      expect(pending).toEqual(events);
      // A retry of the whole call finds every id across the chunks.
      expect(await store.insertNew(events)).toEqual({
        inserted: [],
        duplicates: events.map((e) => e.eventId),
      });
    });
  });

  describe('after a crash', () => {
    /** A fresh table: listPending reads every pending fold. */
    async function freshStore() {
      const name = await dynamo.createTable();
      return {
        store: new DynamoDbEventStore({ client: dynamo.client, tableName: name }),
        table: new VigilTable({ client: dynamo.client, tableName: name }),
      };
    }

    it('lists a fold whose chunk was stored but never folded, in the order the call gave its events', async () => {
      // Prepare: the writer stored its pending fold and chunk, then died before markFolded.
      const s = await freshStore();
      const ids = session();
      const fold = newFold();
      const events = ['z', 'a', 'm'].map((eventId, i) =>
        storedEvent({ ...ids, eventId, startedAt: T0 + 10 - i, receivedAt: T0, fold }),
      );
      await s.store.insertNew(events);
      // Act
      const pending = await s.store.listPending(T0 + 60_000, 100);
      // Assess
      expect(pending).toEqual(events);
    });

    it('lists what a fold stored before dying part-way through a split call, and forgets a fold that stored nothing', async () => {
      // Prepare: fold A stored its pending item and the first of its chunks; fold B only its pending item.
      const s = await freshStore();
      const ids = session();
      const foldA = newFold();
      const foldB = newFold();
      const firstPart: StoredEvent[] = ['a1', 'a2'].map((eventId) =>
        storedEvent({ ...ids, eventId, receivedAt: T0, fold: foldA }),
      );
      await s.table.put(pendingFoldToItem({ ...ids, foldId: foldA.foldId, receivedAt: T0 }));
      await s.table.put(
        chunkToItem({ ...ids, seq: 0, foldId: foldA.foldId, z: encodeChunkEvents(firstPart) }),
      );
      await s.table.put(pendingFoldToItem({ ...ids, foldId: foldB.foldId, receivedAt: T0 + 1 }));
      // Act
      const pending = await s.store.listPending(T0 + 60_000, 100);
      const again = await s.store.listPending(T0 + 60_000, 100);
      // Assess
      expect(pending).toEqual(firstPart);
      expect(again).toEqual(firstPart);
      const folds = await Promise.all(
        [0, 1, 2, 3, 4, 5, 6, 7].map((shard) =>
          s.table.query({
            KeyConditionExpression: 'pk = :p',
            ExpressionAttributeValues: { ':p': { S: `P#${shard}` } },
          }),
        ),
      );
      expect(folds.flatMap((f) => f.items).map((i) => i.sk?.S)).toEqual([`F#${foldA.foldId}`]);
      // The retry of the crashed call stores only what is missing, under its own fold.
      const retryFold = newFold();
      const retry = await s.store.insertNew(
        ['a1', 'a2', 'a3'].map((eventId) =>
          storedEvent({ ...ids, eventId, receivedAt: T0 + 2, fold: retryFold }),
        ),
      );
      expect(retry).toEqual({ inserted: ['a3'], duplicates: ['a1', 'a2'] });
    });
  });

  describe('the per-process cache of known chunks', () => {
    /** A store on a client that records every command input it sends. */
    function recordingStore() {
      const client = dynamoClient(dynamo.endpoint);
      const sent: Array<{ command: string; input: Record<string, unknown> }> = [];
      client.middlewareStack.add(
        (next, context) => async (args) => {
          sent.push({ command: context.commandName ?? '', input: args.input as Record<string, unknown> });
          return next(args);
        },
        { step: 'initialize', name: 'record' },
      );
      return { store: new DynamoDbEventStore({ client, tableName }), sent, client };
    }

    it('reads only the chunks after the ones it knows, and still sees chunks other processes wrote', async () => {
      // Prepare: this process stored chunk 0; another process (its own store) then stored chunk 1.
      const ids = session();
      const a = recordingStore();
      await a.store.insertNew([storedEvent({ ...ids, eventId: 'e1' })]);
      await new DynamoDbEventStore({ client: dynamo.client, tableName }).insertNew([
        storedEvent({ ...ids, eventId: 'e2' }),
      ]);
      a.sent.length = 0;
      // Act
      const fold = newFold();
      const result = await a.store.insertNew(
        ['e1', 'e2', 'e3'].map((eventId) => storedEvent({ ...ids, eventId, fold })),
      );
      // Assess
      expect(result).toEqual({ inserted: ['e3'], duplicates: ['e1', 'e2'] });
      expect((await chunks(ids)).map((i) => chunkToEvents(i).map((e) => e.eventId))).toEqual([
        ['e1'],
        ['e2'],
        ['e3'],
      ]);
      const queries = a.sent.filter((c) => c.command === 'QueryCommand').map((c) => c.input);
      expect(queries).toHaveLength(1);
      expect(queries[0]).toMatchObject({ ConsistentRead: true });
      expect(
        Object.values(queries[0]!.ExpressionAttributeValues as Record<string, { S?: string }>),
      ).toContainEqual({
        S: 'C#00000001',
      });
      a.client.destroy();
    });
  });

  it('reads a session’s chunks with one consistent Query', async () => {
    // Prepare: count the Queries listBySession sends.
    const ids = session();
    await store.insertNew([storedEvent({ ...ids, eventId: 'e1' })]);
    await store.insertNew([storedEvent({ ...ids, eventId: 'e2' })]);
    const client = dynamoClient(dynamo.endpoint);
    const sent: Array<Record<string, unknown>> = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        sent.push(args.input as Record<string, unknown>);
        return next(args);
      },
      { step: 'initialize', name: 'record' },
    );
    // Act
    const page = await new DynamoDbEventStore({ client, tableName }).listBySession(
      ids.agentId,
      ids.sessionId,
      null,
      10,
    );
    // Assess
    expect(page.items.map((e) => e.eventId)).toEqual(['e1', 'e2']);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ ConsistentRead: true });
    client.destroy();
  });
});
