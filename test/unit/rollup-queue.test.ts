import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DuckDbStores, openDuckDbStores } from '../../lambdas/adapters/duckdb';
import { createDynamoDbStores, type DynamoDbStores } from '../../lambdas/adapters/dynamodb';
import { VigilTable } from '../../lambdas/adapters/dynamodb/client';
import { shardOf } from '../../lambdas/adapters/dynamodb/table';
import type { DraftEvent } from '../../lambdas/domain/enrich';
import {
  DEFAULT_INGEST_CONFIG,
  drainRollupQueue,
  type IngestDeps,
  ingestEvents,
  reconcile,
  upsertSession,
} from '../../lambdas/domain/ingest';
import { epochHour } from '../../lambdas/domain/model';
import type { BlobStore, RollupQueue, RollupStore, SessionStore } from '../../lambdas/domain/ports';
import { defaultPriceBook } from '../../lambdas/domain/pricing/pricing';
import { type RollupRecord, rollupKeyString } from '../../lambdas/domain/rollup';
import { type Dynalite, recordingClient, startDynalite } from '../helpers/dynalite';
import { replacing } from '../helpers/replacing';

const T = Date.UTC(2026, 11, 1, 10, 5);
const HOUR = epochHour(T);
const SLICES = ['all', 'type:llm', 'type:tool', 'model:gpt-4o-mini', 'err:rate_limit'];

class Crash extends Error {}

function draft(agentId: string, sessionId: string, i: number): DraftEvent {
  const tool = i % 5 === 4;
  return {
    agentId,
    sessionId,
    eventId: `${sessionId}-${i}`,
    parentEventId: null,
    type: tool ? 'tool' : 'llm',
    rawType: tool ? 'tool' : 'llm',
    name: null,
    startedAt: T + i * 1_000,
    durationMs: 100 + ((i * 37) % 11) * 90,
    model: tool ? null : 'gpt-4o-mini',
    provider: tool ? null : 'openai',
    usage: tool
      ? null
      : { inputTokens: 800 + i, outputTokens: 50 + i, cachedInputTokens: 0, reasoningTokens: 0 },
    clientCostUsd: null,
    errorSignal: i % 7 === 6 ? { message: 'rate limited', type: 'RateLimitError', statusCode: 429 } : null,
    tags: [],
    metadata: null,
    payload: null,
    source: 'native',
    timeField: 'startedAt',
  } as DraftEvent;
}

/** Two requests of 5 events for each of `sessions` sessions. */
const requests = (agentId: string, sessions: number): DraftEvent[][] =>
  Array.from({ length: sessions }, (_, s) => {
    const sid = `s${s}`;
    return [0, 1].map((r) => Array.from({ length: 5 }, (_, i) => draft(agentId, sid, r * 5 + i)));
  }).flat();

/**
 * The rollup queue (DynamoDB) against direct rollup writes (DuckDB, the reference): the same traffic
 * must end in the same rollups once drained, whatever stops part-way.
 */
describe('rollup queue: batched event-level rollups on DynamoDB', () => {
  let dynamo: Dynalite;
  let duck: DuckDbStores;
  let stores: DynamoDbStores;
  let tableName: string;
  let now = T;
  const updates = { count: 0 };

  beforeAll(async () => {
    dynamo = await startDynalite();
    duck = await openDuckDbStores(':memory:');
  }, 60_000);
  afterAll(async () => {
    await duck?.db.close();
    await dynamo?.stop();
  });
  beforeEach(async () => {
    now = T;
    const client = recordingClient(dynamo.endpoint, (operation) => {
      if (operation === 'UpdateItem') updates.count++;
    });
    tableName = await dynamo.createTable();
    stores = createDynamoDbStores({ client, tableName });
  });

  const deps = (over: Partial<IngestDeps> = {}): IngestDeps => ({
    ...stores,
    blobs: {} as BlobStore,
    clock: { now: () => now },
    prices: defaultPriceBook,
    config: DEFAULT_INGEST_CONFIG,
    ...over,
  });
  const reference = (): IngestDeps => ({
    ...duck,
    sync: () => duck.db.sync(),
    blobs: {} as BlobStore,
    clock: { now: () => now },
    prices: defaultPriceBook,
    config: DEFAULT_INGEST_CONFIG,
  });

  /** Event-level counters and sketches of the agent's hour, per slice (session-level ones left out). */
  async function eventFigures(rollups: RollupStore, agentId: string) {
    const out: Record<string, unknown> = {};
    for (const slice of SLICES) {
      const records = await rollups.query(agentId, null, slice, HOUR, HOUR + 1);
      const merged = records.reduce<RollupRecord | null>((acc, r) => {
        if (!acc) return structuredClone(r);
        for (const [k, v] of Object.entries(r.counters)) acc.counters[k as keyof typeof acc.counters] += v;
        return acc;
      }, null);
      if (!merged) continue;
      const c = merged.counters;
      out[slice] = {
        events: c.events,
        llmCalls: c.llmCalls,
        errors: c.errors,
        inputTokens: c.inputTokens,
        outputTokens: c.outputTokens,
        costUsd: Number(c.costUsd.toFixed(12)),
        latencySumMs: c.latencySumMs,
        latencyCount: c.latencyCount,
        eventLatency: merged.sketches.eventLatency,
        llmTokens: merged.sketches.llmTokens,
      };
    }
    return out;
  }

  async function expected(agentId: string, sessions: number) {
    const refAgent = `ref-${agentId}`;
    for (const req of requests(refAgent, sessions)) await ingestEvents(reference(), req);
    const figures = await eventFigures(duck.rollups, refAgent);
    // The reference really holds the traffic: 10 events a session, every slice present.
    expect(Object.keys(figures).sort()).toEqual([...SLICES].sort());
    expect((figures.all as { events: number }).events).toBe(sessions * 10);
    return figures;
  }

  it('queues each fold, then writes each rollup item once per batch, exactly as direct writes would', async () => {
    // Prepare
    const agent = `agt_${randomUUID()}`;
    for (const req of requests(agent, 12)) await ingestEvents(deps(), req);
    const queued = await stores.rollupQueue.take(1_000);
    const keys = new Set(queued.flatMap((f) => f.deltas.map((d) => rollupKeyString(d.key))));
    const before = await eventFigures(stores.rollups, agent);
    updates.count = 0;
    // Act
    const drained = await drainRollupQueue(deps());
    // Assess
    expect(queued.filter((f) => !f.settles)).toHaveLength(24);
    expect(Object.values(before).every((f) => (f as { events: number }).events === 0)).toBe(true);
    expect(drained).toEqual({ folds: queued.length, batches: 1 });
    expect(updates.count).toBe(keys.size);
    expect(await eventFigures(stores.rollups, agent)).toEqual(await expected(agent, 12));
    expect(await stores.rollupQueue.take(1_000)).toEqual([]);
    expect(await stores.rollupQueue.openBatch()).toBeNull();
  });

  it('drains in batches of batchSize until the queue is empty', async () => {
    const agent = `agt_${randomUUID()}`;
    for (const req of requests(agent, 5)) await ingestEvents(deps(), req);
    const queued = (await stores.rollupQueue.take(1_000)).length;
    expect(await drainRollupQueue(deps(), { batchSize: 4 })).toEqual({
      folds: queued,
      batches: Math.ceil(queued / 4),
    });
    expect(await eventFigures(stores.rollups, agent)).toEqual(await expected(agent, 5));
  });

  it('a drain stopped part-way through its rollup writes is finished by the next, nothing added twice', async () => {
    // Prepare
    const agent = `agt_${randomUUID()}`;
    for (const req of requests(agent, 6)) await ingestEvents(deps(), req);
    const queued = (await stores.rollupQueue.take(1_000)).length;
    const halfWriting = replacing(stores.rollups, {
      apply: async (foldId: string, deltas: Parameters<RollupStore['apply']>[1]) => {
        await stores.rollups.apply(foldId, deltas.slice(0, 2));
        throw new Crash('stopped after 2 rollup writes');
      },
    });
    // Act
    await expect(drainRollupQueue(deps({ rollups: halfWriting }))).rejects.toThrow(Crash);
    const open = await stores.rollupQueue.openBatch();
    const resumed = await drainRollupQueue(deps());
    // Assess
    expect(open?.foldIds).toHaveLength(queued);
    expect(resumed.folds).toBe(queued);
    expect(await eventFigures(stores.rollups, agent)).toEqual(await expected(agent, 6));
    expect(await stores.rollupQueue.openBatch()).toBeNull();
  });

  it('a drain stopped while removing drained folds is finished by the next, nothing added twice', async () => {
    const agent = `agt_${randomUUID()}`;
    for (const req of requests(agent, 6)) await ingestEvents(deps(), req);
    const halfRemoving = replacing(stores.rollupQueue, {
      remove: async (ids: string[]) => {
        await stores.rollupQueue.remove(ids.slice(0, 5));
        throw new Crash('stopped after 5 removes');
      },
    });
    await expect(drainRollupQueue(deps({ rollupQueue: halfRemoving }))).rejects.toThrow(Crash);
    await drainRollupQueue(deps());
    expect(await eventFigures(stores.rollups, agent)).toEqual(await expected(agent, 6));
    expect(await stores.rollupQueue.take(1_000)).toEqual([]);
  });

  it('never drains a fold still pending, so its replay finds the deltas queued and adds nothing', async () => {
    // Prepare: the second request's fold stops after queuing its deltas, before the session totals.
    const agent = `agt_${randomUUID()}`;
    const [first, second, ...rest] = requests(agent, 3);
    await ingestEvents(deps(), first!);
    const stopping = replacing(stores.sessions, {
      applyTotals: () => Promise.reject(new Crash('stopped before the totals')),
    } as Partial<Record<keyof SessionStore, unknown>>);
    await expect(ingestEvents(deps({ sessions: stopping }), second!)).rejects.toThrow(Crash);
    for (const req of rest) await ingestEvents(deps(), req);
    // Act
    const queued = await stores.rollupQueue.take(1_000);
    await drainRollupQueue(deps());
    const stuck = await stores.rollupQueue.take(1_000);
    now = T + DEFAULT_INGEST_CONFIG.foldGraceMs + 60_000;
    const reconciled = await reconcile(deps());
    // Assess: 5 of the 6 folds were drainable; the stopped one waited for its replay.
    expect(queued.filter((f) => !f.settles)).toHaveLength(5);
    expect(stuck).toEqual([]);
    expect(reconciled.folds).toBe(1);
    expect(reconciled.drained).toBeGreaterThanOrEqual(1);
    expect(await eventFigures(stores.rollups, agent)).toEqual(await expected(agent, 3));
    expect((await stores.sessions.get(agent, 's0'))!.totals.events).toBe(10);
  });

  /** Session-level figures (settlements) of the agent's production hour. */
  async function sessionFigures(rollups: RollupStore, agentId: string) {
    const records = await rollups.query(agentId, true, 'all', HOUR, HOUR + 1);
    const sum = (name: keyof RollupRecord['counters']) => records.reduce((n, r) => n + r.counters[name], 0);
    return {
      sessions: sum('sessions'),
      settled: sum('settledSessions'),
      cost: Number(sum('sessionCostSum').toFixed(12)),
      duration: sum('sessionDurationSum'),
      succeeded: sum('succeededSessions'),
      durations: records.reduce((n, r) => n + Object.keys(r.sketches.sessionDuration).length, 0),
    };
  }

  /** Finished, successful sessions of two requests each. */
  async function finishedSessions(d: () => IngestDeps, agentId: string, n: number) {
    for (let s = 0; s < n; s++) {
      const sessionId = `s${s}`;
      await upsertSession(d(), {
        agentId,
        sessionId,
        production: true,
        startedAt: T,
        source: 'native',
        stub: false,
        at: T,
      });
      for (const req of requests(agentId, n).filter((r) => r[0]!.sessionId === sessionId))
        await ingestEvents(d(), req);
      await upsertSession(d(), {
        agentId,
        sessionId,
        finished: true,
        outcome: { isSuccessful: true },
        endedAt: T + 60_000 + s * 1_000,
        source: 'native',
        stub: false,
        at: T + 61_000,
      });
    }
  }

  it('queues settlements too, and drains one only once its session records it applied', async () => {
    // Prepare: the reference, and the same sessions on DynamoDB; the last settlement stops before
    // the session records it applied.
    const agent = `agt_${randomUUID()}`;
    await finishedSessions(reference, `ref-${agent}`, 4);
    const want = await sessionFigures(duck.rollups, `ref-${agent}`);
    await finishedSessions(deps, agent, 3);
    const stopping = replacing(stores.sessions, {
      markSettledApplied: () => Promise.reject(new Crash('stopped before marking the settlement')),
    } as Partial<Record<keyof SessionStore, unknown>>);
    await upsertSession(deps(), {
      agentId: agent,
      sessionId: 's3',
      production: true,
      startedAt: T,
      source: 'native',
      stub: false,
      at: T,
    });
    for (const req of requests(agent, 4).filter((r) => r[0]!.sessionId === 's3'))
      await ingestEvents(deps(), req);
    await expect(
      upsertSession(deps({ sessions: stopping }), {
        agentId: agent,
        sessionId: 's3',
        finished: true,
        outcome: { isSuccessful: true },
        endedAt: T + 63_000,
        source: 'native',
        stub: false,
        at: T + 61_000,
      }),
    ).rejects.toThrow(Crash);
    // Act
    await drainRollupQueue(deps());
    const early = await sessionFigures(stores.rollups, agent);
    const version = (await stores.sessions.get(agent, 's3'))!.settled!.version;
    const left = await stores.rollupQueue.get([`settle:${agent}:s3:${version}`]);
    now = T + DEFAULT_INGEST_CONFIG.sessionIdleMs + 120_000;
    await reconcile(deps());
    // Assess: the stopped settlement waited in the queue, then counted exactly once.
    expect(want).toMatchObject({ sessions: 4, settled: 4, succeeded: 4 });
    expect(want.durations).toBeGreaterThan(0);
    expect(early.settled).toBe(3);
    expect(left).toHaveLength(1);
    expect(await sessionFigures(stores.rollups, agent)).toEqual(want);
    expect(await stores.rollupQueue.take(1_000)).toEqual([]);
  });

  it('gives queued items a week-long TTL and reads a backlog a slice at a time', async () => {
    // Prepare: 30 folds queued directly (drainable: none has a pending fold).
    const at = T + 5_000;
    for (let i = 0; i < 30; i++) {
      await stores.rollupQueue.enqueue({ foldId: `f${i}`, queuedAt: at, deltas: [] });
    }
    const raw = await dynamo.client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: `RQ#${shardOf('f0')}` }, sk: { S: 'Q#f0' } },
      }),
    );
    const perShard = new Map<number, number>();
    for (let i = 0; i < 30; i++) perShard.set(shardOf(`f${i}`), (perShard.get(shardOf(`f${i}`)) ?? 0) + 1);
    // Act
    const slice = await new VigilTable({ client: dynamo.client, tableName }).queryShards('RQ#', 2);
    const taken = await stores.rollupQueue.take(3);
    // Assess
    expect(Number(raw.Item?.expiresAt?.N)).toBe(Math.floor(at / 1000) + 7 * 86_400);
    expect(slice).toHaveLength([...perShard.values()].reduce((n, c) => n + Math.min(2, c), 0));
    expect(taken).toHaveLength(3);
    expect((await stores.rollupQueue.take(1_000)).length).toBe(30);
  });

  it('one drain at a time: a live lease turns others away, an expired one is taken over', async () => {
    const queue: RollupQueue = stores.rollupQueue;
    const agent = `agt_${randomUUID()}`;
    for (const req of requests(agent, 1)) await ingestEvents(deps(), req);
    const queued = (await queue.take(1_000)).length;
    expect(await queue.lease('other', now, now + 60_000)).toBe(true);
    expect(await drainRollupQueue(deps())).toEqual({ folds: 0, batches: 0 });
    expect(await queue.lease('third', now + 1_000, now + 61_000)).toBe(false);
    now += 61_000;
    expect(await drainRollupQueue(deps())).toEqual({ folds: queued, batches: 1 });
    // The drain gave its lease back: the next one gets it at once.
    expect(await queue.lease('fourth', now, now + 1_000)).toBe(true);
  });
});
