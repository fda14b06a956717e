import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COUNTER_ATTR,
  counterAttr,
  FIRST_EVENT_ATTR,
  foldMarker,
  LAST_EVENT_END_ATTR,
  markersOf,
  SESSION_ATTR,
  SKETCH_LETTER,
  TOTAL_ATTRS,
} from '../../../lambdas/adapters/dynamodb/items';
import { DynamoDbRollupStore } from '../../../lambdas/adapters/dynamodb/rollup-store';
import { encHour } from '../../../lambdas/adapters/dynamodb/table';
import { COUNTERS } from '../../../lambdas/domain/rollup';
import { type Dynalite, dynamoClient, startDynalite } from '../../helpers/dynalite';
import { delta, HOUR0, rollupKey, uid } from '../contracts/fixtures';

interface Sent {
  command: string;
  input: Record<string, unknown>;
}

/** A client that records every command it sends (after the adapter built it, before the network). */
function recordingClient(endpoint: string): { client: DynamoDBClient; sent: Sent[] } {
  const client = dynamoClient(endpoint);
  const sent: Sent[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({
        command: String(context.commandName),
        input: structuredClone(args.input as Record<string, unknown>),
      });
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return { client, sent };
}

/** Rewrites placeholders (#0, :1) back to names and values, to assert on what the expression means. */
function readable(input: Record<string, unknown>, field: 'UpdateExpression' | 'ConditionExpression'): string {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, Record<string, unknown>>;
  return String(input[field] ?? '').replace(/[#:][0-9a-z]+/g, (p) =>
    p.startsWith('#') ? (names[p] ?? p) : JSON.stringify(values[p]),
  );
}

describe('DynamoDbRollupStore commands (bins format unless packed is said)', () => {
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

  it('sends one conditional UpdateItem per key: ADD the amounts, SET identity and the fold marker', async () => {
    // Prepare
    const { client, sent } = recordingClient(dynamo.endpoint);
    const store = new DynamoDbRollupStore({ client, tableName, sketchFormat: 'bins' });
    const agentId = uid('agent');
    const foldId = `ev:${uid('fold')}`;
    const key = rollupKey(agentId, { slice: 'model:gpt-4o' });
    // Act
    await store.apply(foldId, [
      delta(key, { counters: { events: 2, costUsd: 0.1 + 0.2 }, sketches: { llmCost: { z: 1, '-3': 0.5 } } }),
    ]);
    // Assess
    expect(sent).toHaveLength(1);
    const [update] = sent;
    expect(update!.command).toBe('UpdateItemCommand');
    expect(update!.input).toMatchObject({
      TableName: tableName,
      Key: { pk: { S: `R#${agentId}#1` }, sk: { S: `model:gpt-4o#${encHour(HOUR0)}` } },
      ReturnValues: 'NONE',
    });
    expect(readable(update!.input, 'ConditionExpression')).toBe(`attribute_not_exists(f:${foldId})`);
    expect(readable(update!.input, 'UpdateExpression')).toBe(
      [
        `SET gsi1pk = {"S":"RS#${agentId}#1#model"}`,
        `gsi1sk = {"S":"${encHour(HOUR0)}#model:gpt-4o"}`,
        `f:${foldId} = {"N":"1"}`,
      ].join(', ') +
        ' ADD ' +
        ['U-3 {"N":"0.5"}', 'Uz {"N":"1"}', 'cu {"N":"0.3"}', 'ev {"N":"2"}', 'v {"N":"1"}'].join(', '),
    );
  });

  it('stores counters and bins as top-level numbers; a released marker goes with the next write', async () => {
    // Prepare
    const store = new DynamoDbRollupStore({ client: dynamo.client, tableName, sketchFormat: 'bins' });
    const agentId = uid('agent');
    const [first, second] = [uid('ev'), uid('ev')];
    const key = rollupKey(agentId);
    await store.apply(first, [delta(key)]);
    const applied = await rawItem(`R#${agentId}#1`, `all#${encHour(HOUR0)}`);
    // Act
    await store.release(first, [key]);
    const released = await rawItem(`R#${agentId}#1`, `all#${encHour(HOUR0)}`);
    await store.apply(second, [delta(key)]);
    const next = await rawItem(`R#${agentId}#1`, `all#${encHour(HOUR0)}`);
    // Assess
    expect(applied).toMatchObject({
      ev: { N: '1' },
      cu: { N: '0.25' },
      L357: { N: '1' },
      [foldMarker(first)]: { N: '1' },
    });
    expect(markersOf(released)).toEqual([foldMarker(first)]);
    expect(markersOf(next)).toEqual([foldMarker(second)]);
    expect(next.ev).toEqual({ N: '2' });
  });

  it('reads the agent, flag, slice and hour back from the key, separators and negative hours included', async () => {
    // Prepare
    const store = new DynamoDbRollupStore({ client: dynamo.client, tableName });
    const agentId = `${uid('agent')}#%23`;
    const key = rollupKey(agentId, { slice: 'tag:k=a#b%c', hour: -5, production: false });
    // Act
    await store.apply(uid('ev'), [delta(key)]);
    const records = await store.query(agentId, false, 'tag:k=a#b%c', -6, 0);
    const family = await store.querySlices(agentId, null, 'tag:', -6, 0);
    const scanned = await store.querySlices(agentId, false, '', -6, 0);
    // Assess
    expect(records.map((r) => r.key)).toEqual([key]);
    expect(records[0]!.counters.events).toBe(1);
    expect(records[0]!.sketches.eventLatency).toEqual(delta(key).sketches.eventLatency);
    expect(family.map((r) => r.key)).toEqual([key]);
    expect(scanned.map((r) => r.key)).toEqual([key]);
  });

  it('removes the markers at once when releasing a fold another process applied', async () => {
    // Prepare
    const agentId = uid('agent');
    const foldId = uid('ev');
    const key = rollupKey(agentId);
    await new DynamoDbRollupStore({ client: dynamo.client, tableName }).apply(foldId, [delta(key)]);
    // Act
    await new DynamoDbRollupStore({ client: dynamo.client, tableName }).release(foldId, [key]);
    // Assess
    expect(markersOf(await rawItem(`R#${agentId}#1`, `all#${encHour(HOUR0)}`))).toEqual([]);
  });

  it('replays a fold with the same commands, which fail their condition and change nothing', async () => {
    // Prepare
    const { client, sent } = recordingClient(dynamo.endpoint);
    const store = new DynamoDbRollupStore({ client, tableName, sketchFormat: 'bins' });
    const agentId = uid('agent');
    const foldId = uid('ev');
    const deltas = [delta(rollupKey(agentId)), delta(rollupKey(agentId, { slice: 'type:llm' }))];
    await store.apply(foldId, deltas);
    const first = sent.splice(0);
    // Act
    await store.apply(foldId, deltas);
    // Assess
    const byKey = (s: Sent[]) =>
      [...s].sort((a, b) => JSON.stringify(a.input.Key).localeCompare(JSON.stringify(b.input.Key)));
    expect(byKey(sent)).toEqual(byKey(first));
    const item = await rawItem(`R#${agentId}#1`, `all#${encHour(HOUR0)}`);
    expect(item.ev).toEqual({ N: '1' });
  });

  it('splits a delta too large for one expression into parts, each with its own marker', async () => {
    // Prepare
    const { client, sent } = recordingClient(dynamo.endpoint);
    const store = new DynamoDbRollupStore({ client, tableName, sketchFormat: 'bins' });
    const agentId = uid('agent');
    const foldId = uid('ev');
    const key = rollupKey(agentId);
    const bins = Object.fromEntries(Array.from({ length: 700 }, (_, i) => [String(i), 1]));
    // Act
    await store.apply(foldId, [delta(key, { sketches: { eventLatency: bins } })]);
    await store.apply(foldId, [delta(key, { sketches: { eventLatency: bins } })]);
    const item = await rawItem(`R#${agentId}#1`, `all#${encHour(HOUR0)}`);
    // Another process's release (reconcile) removes every part's marker at once.
    await new DynamoDbRollupStore({ client: dynamo.client, tableName }).release(foldId, [key]);
    // Assess
    const parts = sent.filter(
      (s) => s.command === 'UpdateItemCommand' && String(s.input.UpdateExpression).includes(' ADD '),
    );
    expect(parts.length).toBeGreaterThan(2);
    for (const p of parts) expect(String(p.input.UpdateExpression).length).toBeLessThan(4096);
    expect(item.ev).toEqual({ N: '1' });
    expect(item.L699).toEqual({ N: '1' });
    expect(markersOf(item).length).toBe(parts.length / 2);
    expect(markersOf(await rawItem(`R#${agentId}#1`, `all#${encHour(HOUR0)}`))).toEqual([]);
  });

  it('names markers of long fold ids by their hash, within DynamoDB’s 255-byte limit', () => {
    // Prepare
    const long = `settle:${'ü'.repeat(300)}:1`;
    // Act
    const names = [foldMarker(long), foldMarker(long, 3), foldMarker('ev:short')];
    // Assess
    expect(names[0]).toMatch(/^h:[0-9a-f]{64}$/);
    expect(names[1]).toMatch(/^h3:[0-9a-f]{64}$/);
    expect(names[2]).toBe('f:ev:short');
    for (const n of names) expect(Buffer.byteLength(n)).toBeLessThanOrEqual(255);
  });

  it('reads a slice family through gsi1 keys and a BatchGetItem', async () => {
    // Prepare
    const { client, sent } = recordingClient(dynamo.endpoint);
    const store = new DynamoDbRollupStore({ client, tableName });
    const agentId = uid('agent');
    await store.apply(uid('ev'), [
      delta(rollupKey(agentId, { slice: 'model:a' })),
      delta(rollupKey(agentId)),
    ]);
    sent.splice(0);
    // Act
    const records = await store.querySlices(agentId, true, 'model:', HOUR0, HOUR0 + 1);
    // Assess
    expect(records.map((r) => r.key.slice)).toEqual(['model:a']);
    expect(sent.map((s) => s.command)).toEqual(['QueryCommand', 'BatchGetItemCommand']);
    expect(sent[0]!.input).toMatchObject({ IndexName: 'gsi1' });
  });

  it('caps tag values across store instances that do not share a cache', async () => {
    // Prepare
    const stores = [0, 1, 2].map(() => new DynamoDbRollupStore({ client: dynamo.client, tableName }));
    const agentId = uid('agent');
    // Act
    const results = await Promise.all(
      stores.map((s, i) => s.admitTagValues(agentId, 'tier', [`a${i}`, `b${i}`], 4)),
    );
    // Assess
    expect(results.reduce((n, r) => n + r.size, 0)).toBe(4);
    const item = await rawItem(`T#${agentId}`, 'tier');
    expect(item.values?.SS).toHaveLength(4);
  });
});

describe('DynamoDB short attribute names', () => {
  it('are distinct and never a table, index or TTL attribute', () => {
    // Prepare
    const reserved = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'expiresAt'];
    const rollup = [
      ...Object.values(COUNTER_ATTR),
      ...COUNTERS.map(counterAttr),
      ...Object.values(SKETCH_LETTER).map((l) => `${l}z`),
    ];
    const session = [
      ...Object.values(SESSION_ATTR),
      ...Object.values(TOTAL_ATTRS),
      FIRST_EVENT_ATTR,
      LAST_EVENT_END_ATTR,
    ];
    // Assess
    for (const names of [rollup, session]) {
      expect(names.filter((n) => reserved.includes(n))).toEqual([]);
      expect(names.filter((n) => markersOf({ [n]: { N: '1' } }).length > 0)).toEqual([]);
    }
    expect(new Set(Object.values(COUNTER_ATTR)).size).toBe(COUNTERS.length);
    expect(new Set(session).size).toBe(session.length);
  });

  it('adds to every counter of a rollup item and reads each back', async () => {
    // Prepare
    const d = await startDynalite();
    try {
      const table = await d.createTable();
      const store = new DynamoDbRollupStore({ client: d.client, tableName: table });
      const agentId = uid('agent');
      const key = rollupKey(agentId);
      const counters = Object.fromEntries(COUNTERS.map((c, i) => [c, i + 1]));
      // Act
      await store.apply(uid('ev'), [{ key, counters, sketches: {} }]);
      const [record] = await store.query(agentId, true, 'all', HOUR0, HOUR0 + 1);
      // Assess
      expect(record?.counters).toEqual(counters);
    } finally {
      await d.stop();
    }
  });
});
