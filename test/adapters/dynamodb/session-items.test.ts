import { type AttributeValue, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldMarker, SESSION_ATTR, TOTAL_ATTRS } from '../../../lambdas/adapters/dynamodb/items';
import { DynamoDbSessionStore } from '../../../lambdas/adapters/dynamodb/session-store';
import { keys } from '../../../lambdas/adapters/dynamodb/table';
import { type Dynalite, dynamoClient, startDynalite } from '../../helpers/dynalite';
import { sessionChange, snapshot, T0, totals, uid } from '../contracts/fixtures';

describe('DynamoDbSessionStore items', () => {
  let dynamo: Dynalite;
  let tableName: string;
  let store: DynamoDbSessionStore;

  beforeAll(async () => {
    dynamo = await startDynalite();
    tableName = await dynamo.createTable();
    store = new DynamoDbSessionStore({ client: dynamo.client, tableName });
  });
  afterAll(async () => {
    await dynamo?.stop();
  });

  const key = (agentId: string, sessionId: string) => {
    const k = keys.session(agentId, sessionId);
    return { pk: { S: k.pk }, sk: { S: k.sk } };
  };
  const raw = async (agentId: string, sessionId: string) =>
    (await dynamo.client.send(new GetItemCommand({ TableName: tableName, Key: key(agentId, sessionId) })))
      .Item ?? {};
  const rawSet = (agentId: string, sessionId: string, values: Record<string, AttributeValue>) =>
    dynamo.client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: key(agentId, sessionId),
        UpdateExpression: `SET ${Object.keys(values)
          .map((_, i) => `#a${i} = :v${i}`)
          .join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(Object.keys(values).map((n, i) => [`#a${i}`, n])),
        ExpressionAttributeValues: Object.fromEntries(Object.values(values).map((v, i) => [`:v${i}`, v])),
      }),
    );

  it('keeps the unsettled index entry exactly while a settlement may be owed', async () => {
    // Prepare
    const agentId = uid('agent');
    const sessionId = uid('session');
    await store.upsert(sessionChange({ agentId, sessionId }));
    const created = await raw(agentId, sessionId);
    // Act
    await store.casSettled(agentId, sessionId, 0, snapshot({ version: 1, complete: true }));
    const settledUnapplied = await raw(agentId, sessionId);
    await store.markSettledApplied(agentId, sessionId, 1);
    const done = await raw(agentId, sessionId);
    // Assess
    expect(created.gsi2pk?.S).toMatch(/^U#\d$/);
    expect(settledUnapplied.gsi2pk).toEqual(created.gsi2pk);
    expect(done.gsi2pk).toBeUndefined();
    expect(settledUnapplied[SESSION_ATTR.settledPrev]).toEqual({ NULL: true });
    expect(done[SESSION_ATTR.settledPrev]).toBeUndefined();
  });

  it('keeps the unsettled entry when the snapshot marked applied is incomplete', async () => {
    // Prepare
    const agentId = uid('agent');
    const sessionId = uid('session');
    await store.upsert(sessionChange({ agentId, sessionId }));
    // Act
    await store.applyTotals(agentId, sessionId, uid('ev'), totals(), T0 + 1, () => snapshot({ version: 1 }));
    await store.markSettledApplied(agentId, sessionId, 1);
    // Assess
    const item = await raw(agentId, sessionId);
    expect(item.gsi2pk?.S).toMatch(/^U#\d$/);
    expect(item[SESSION_ATTR.settledAppliedVersion]).toEqual({ N: '1' });
  });

  it('falls back to the totals alone when an upsert lands between its read and its write', async () => {
    // Prepare: a client that lets a concurrent upsert in just before the combined write.
    const agentId = uid('agent');
    const sessionId = uid('session');
    await store.upsert(sessionChange({ agentId, sessionId }));
    const racing = dynamoClient(dynamo.endpoint);
    let raced = false;
    racing.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { ExpressionAttributeNames?: Record<string, string> };
        const names = Object.values(input.ExpressionAttributeNames ?? {});
        if (!raced && context.commandName === 'UpdateItemCommand' && names.includes(SESSION_ATTR.settled)) {
          raced = true;
          await store.upsert(sessionChange({ agentId, sessionId, finished: true, at: T0 + 2 }));
        }
        return next(args);
      },
      { step: 'initialize', name: 'raceUpsert' },
    );
    const racer = new DynamoDbSessionStore({ client: racing, tableName });
    // Act
    const swap = await racer.applyTotals(agentId, sessionId, uid('ev'), totals({ events: 2 }), T0 + 1, () =>
      snapshot({ version: 1 }),
    );
    // Assess: no snapshot computed from the stale read is stored; the totals are, once.
    const session = await store.get(agentId, sessionId);
    racing.destroy();
    expect(raced).toBe(true);
    expect(swap).toBeNull();
    expect(session?.settled).toBeNull();
    expect(session?.status).toBe('finished');
    expect(session?.totals.events).toBe(2);
  });

  it('lists an entry left by an interrupted markSettledApplied until it is recorded again', async () => {
    // Prepare
    const agentId = uid('agent');
    const sessionId = uid('session');
    await store.upsert(sessionChange({ agentId, sessionId }));
    const shard = (await raw(agentId, sessionId)).gsi2pk!;
    await store.casSettled(agentId, sessionId, 0, snapshot({ version: 1, complete: true }));
    await store.markSettledApplied(agentId, sessionId, 1);
    await rawSet(agentId, sessionId, { gsi2pk: shard });
    // Act: the item cannot tell this entry from an owing mark, so reconcile sees it and, finding
    // the settlement up to date, records it again (which drops the entry).
    const listed = await store.listUnsettled(T0 + 60_000, 1000);
    await store.get(agentId, sessionId);
    await store.markSettledApplied(agentId, sessionId, 1);
    // Assess
    expect(listed.map((s) => s.sessionId)).toContain(sessionId);
    expect((await raw(agentId, sessionId)).gsi2pk).toBeUndefined();
    expect((await store.listUnsettled(T0 + 60_000, 1000)).map((s) => s.sessionId)).not.toContain(sessionId);
  });

  it('marks a settled session owing in the very write of an upsert or a fold', async () => {
    // Prepare: a store whose UpdateItem calls are counted
    const client = dynamoClient(dynamo.endpoint);
    let updates = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand') updates++;
        return next(args);
      },
      { step: 'initialize' },
    );
    const counted = new DynamoDbSessionStore({ client, tableName });
    const agentId = uid('agent');
    const [upserted, folded] = [uid('upserted'), uid('folded')];
    for (const id of [upserted, folded]) {
      await counted.upsert(sessionChange({ agentId, sessionId: id }));
      await counted.get(agentId, id);
      await counted.casSettled(agentId, id, 0, snapshot({ version: 1, complete: true }));
      await counted.markSettledApplied(agentId, id, 1);
      expect((await raw(agentId, id)).gsi2pk).toBeUndefined();
    }
    updates = 0;
    // Act
    await counted.upsert(sessionChange({ agentId, sessionId: upserted, finished: true, at: T0 + 1 }));
    const afterUpsert = updates;
    await counted.applyTotals(agentId, folded, uid('ev'), totals(), T0 + 1);
    // Assess
    expect(afterUpsert).toBe(1);
    expect(updates).toBe(2);
    expect((await raw(agentId, upserted)).gsi2pk?.S).toMatch(/^U#\d$/);
    expect((await raw(agentId, folded)).gsi2pk?.S).toMatch(/^U#\d$/);
    client.destroy();
  });

  it('repairs a min/max that an interrupted applyTotals missed when the fold is replayed', async () => {
    // Prepare: the sums and marker are written, the last event end is not.
    const agentId = uid('agent');
    const sessionId = uid('session');
    const foldId = uid('ev');
    await store.upsert(sessionChange({ agentId, sessionId }));
    await rawSet(agentId, sessionId, { [TOTAL_ATTRS.events]: { N: '4' }, [foldMarker(foldId)]: { N: '1' } });
    // Act
    await store.applyTotals(
      agentId,
      sessionId,
      foldId,
      totals({ events: 4, lastEventEndAt: T0 + 5_000 }),
      T0 + 9,
    );
    // Assess
    const session = await store.get(agentId, sessionId);
    expect(session?.totals.events).toBe(4);
    expect(session?.totals.lastEventEndAt).toBe(T0 + 5_000);
    expect(session?.totals.firstEventAt).toBe(T0);
  });

  it('writes only the fields an upsert changes', async () => {
    // Prepare
    const agentId = uid('agent');
    const sessionId = uid('session');
    await store.upsert(sessionChange({ agentId, sessionId }));
    await store.applyTotals(agentId, sessionId, uid('ev'), totals({ events: 5 }), T0);
    await rawSet(agentId, sessionId, { [SESSION_ATTR.settledAppliedVersion]: { N: '7' } });
    // Act: a stale merge would bring back the totals and settlement it read; only `name` moves.
    const { session } = await store.upsert(
      sessionChange({ agentId, sessionId, name: 'renamed', at: T0 + 1 }),
    );
    // Assess
    expect(session.totals.events).toBe(5);
    expect(session.settledAppliedVersion).toBe(7);
    expect(session.name).toBe('renamed');
  });

  it('stores a session under escaped key parts, so ids with separators stay apart', async () => {
    // Prepare
    const agentId = `${uid('a')}#b`;
    const sessionId = 'c';
    const otherAgent = agentId.slice(0, -2);
    const otherSession = 'b#c';
    // Act
    await store.upsert(sessionChange({ agentId, sessionId, name: 'one' }));
    await store.upsert(sessionChange({ agentId: otherAgent, sessionId: otherSession, name: 'two' }));
    // Assess
    expect((await store.get(agentId, sessionId))?.name).toBe('one');
    expect((await store.get(otherAgent, otherSession))?.name).toBe('two');
  });
});
