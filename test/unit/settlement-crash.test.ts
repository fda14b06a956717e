import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDbStores } from '../../lambdas/adapters/duckdb';
import { createDynamoDbStores } from '../../lambdas/adapters/dynamodb';
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
import type { BlobStore, SessionStore } from '../../lambdas/domain/ports';
import { defaultPriceBook } from '../../lambdas/domain/pricing/pricing';
import { type Dynalite, startDynalite } from '../helpers/dynalite';
import { replacing } from '../helpers/replacing';

const T = Date.UTC(2026, 11, 1, 10, 5);
const IDLE = DEFAULT_INGEST_CONFIG.sessionIdleMs;

type Stores = Pick<IngestDeps, 'sessions' | 'events' | 'rollups' | 'agents'> & { sync?: () => Promise<void> };

/** A process that stops right after its writes: every settlement it would start fails first. */
class Crash extends Error {}
function crashingBeforeSettlement(sessions: SessionStore): SessionStore {
  return replacing(sessions, {
    casSettled: () => Promise.reject(new Crash('process stopped')),
    // A store that never combines a settlement with the totals (allowed by the port).
    applyTotals: (...args: Parameters<SessionStore['applyTotals']>) =>
      sessions.applyTotals(args[0], args[1], args[2], args[3], args[4]),
  });
}

function draft(agentId: string, sessionId: string, startedAt: number): DraftEvent {
  return {
    agentId,
    sessionId,
    eventId: randomUUID(),
    parentEventId: null,
    type: 'llm',
    rawType: 'llm',
    name: null,
    startedAt,
    durationMs: 1_000,
    model: 'gpt-4o-mini',
    provider: 'openai',
    usage: { inputTokens: 100, outputTokens: 10, cachedInputTokens: 0, reasoningTokens: 0 },
    clientCostUsd: null,
    errorSignal: null,
    tags: [],
    metadata: null,
    payload: null,
    source: 'native',
    timeField: 'startedAt',
  };
}

function describeCrash(name: string, open: () => Promise<{ stores: Stores; close: () => Promise<void> }>) {
  describe(`settlement after a crash: ${name}`, () => {
    let stores: Stores;
    let close: () => Promise<void>;
    let now = T;
    beforeAll(async () => {
      ({ stores, close } = await open());
    });
    afterAll(async () => {
      await close?.();
    });

    const deps = (sessions: SessionStore = stores.sessions): IngestDeps => ({
      ...stores,
      sessions,
      blobs: {} as BlobStore, // no payloads in these tests
      clock: { now: () => now },
      prices: defaultPriceBook,
      config: DEFAULT_INGEST_CONFIG,
    });

    /** The session-level figures of the agent's production rollups for the hour of T. */
    async function figures(agentId: string) {
      // DynamoDB queues rollup deltas: write them first (as the reconcile job does every minute).
      await drainRollupQueue(deps());
      const hour = epochHour(T);
      const records = await stores.rollups.query(agentId, true, 'all', hour, hour + 1);
      const sum = (
        name: 'sessions' | 'settledSessions' | 'sessionCostSum' | 'sessionDurationSum' | 'succeededSessions',
      ) => records.reduce((total, r) => total + r.counters[name], 0);
      return {
        sessions: sum('sessions'),
        settled: sum('settledSessions'),
        // in units of one event's cost (every event here has the same usage)
        cost: Number((sum('sessionCostSum') / eventCost).toFixed(6)),
        duration: sum('sessionDurationSum'),
        succeeded: sum('succeededSessions'),
      };
    }

    let eventCost = 0;

    /** A finished session whose settlement is complete and applied: one event's cost, 1 s long. */
    async function settledSession(agentId: string, sessionId: string) {
      now = T;
      await upsertSession(deps(), {
        agentId,
        sessionId,
        production: true,
        startedAt: T,
        source: 'native',
        stub: false,
        at: T,
      });
      await ingestEvents(deps(), [draft(agentId, sessionId, T)]);
      eventCost = (await stores.sessions.get(agentId, sessionId))!.totals.costUsd;
      await upsertSession(deps(), {
        agentId,
        sessionId,
        finished: true,
        endedAt: T + 1_000,
        source: 'native',
        stub: false,
        at: T + 2_000,
      });
    }

    it('reconcile repairs the figures of an upsert whose settlement never ran', async () => {
      // Prepare
      const agentId = `agt_${randomUUID()}`;
      const sessionId = randomUUID();
      await settledSession(agentId, sessionId);
      const before = await figures(agentId);
      // Act: a late updatesession (outcome and end time) stored, then the process stops
      now = T + 60_000;
      await expect(
        upsertSession(deps(crashingBeforeSettlement(stores.sessions)), {
          agentId,
          sessionId,
          endedAt: T + 5_000,
          outcome: { isSuccessful: true },
          source: 'native',
          stub: false,
          at: now,
        }),
      ).rejects.toBeInstanceOf(Crash);
      const stale = await figures(agentId);
      now += IDLE + 60_000;
      const result = await reconcile(deps());
      // Assess
      expect(before).toEqual({ sessions: 1, settled: 1, cost: 1, duration: 1_000, succeeded: 0 });
      expect(stale).toEqual(before);
      expect(result.settled).toBe(1);
      expect(await figures(agentId)).toEqual({
        sessions: 1,
        settled: 1,
        cost: 1,
        duration: 5_000,
        succeeded: 1,
      });
      // Settled again: the next run has nothing left to do for it.
      expect((await reconcile(deps())).settled).toBe(0);
    });

    it('reconcile repairs the figures of a late fold whose settlement never ran', async () => {
      // Prepare
      const agentId = `agt_${randomUUID()}`;
      const sessionId = randomUUID();
      await settledSession(agentId, sessionId);
      // Act: a late event folded into the totals, then the process stops before settling
      now = T + 60_000;
      await expect(
        ingestEvents(deps(crashingBeforeSettlement(stores.sessions)), [draft(agentId, sessionId, T + 3_000)]),
      ).rejects.toBeInstanceOf(Crash);
      const stale = await figures(agentId);
      now += IDLE + 60_000;
      await reconcile(deps());
      // Assess
      expect(stale).toMatchObject({ cost: 1, duration: 1_000 });
      expect(await figures(agentId)).toEqual({
        sessions: 1,
        settled: 1,
        cost: 2,
        duration: 4_000,
        succeeded: 0,
      });
      expect((await reconcile(deps())).settled).toBe(0);
    });

    it('lists a session whose re-settlement found nothing to change once, then drops it', async () => {
      // Prepare: a change the settlement reads but that leaves its figures as they are
      const agentId = `agt_${randomUUID()}`;
      const sessionId = randomUUID();
      await settledSession(agentId, sessionId);
      now = T + 60_000;
      // (an end time before the last event's end: the duration stays); its settlement never runs
      await upsertSession(
        deps(),
        { agentId, sessionId, endedAt: T + 500, source: 'native', stub: false, at: now },
        { settle: false },
      );
      now += IDLE + 60_000;
      // Act
      const first = await reconcile(deps());
      const second = await reconcile(deps());
      // Assess
      expect(first.settled).toBe(1);
      expect(second.settled).toBe(0);
      expect(await figures(agentId)).toEqual({
        sessions: 1,
        settled: 1,
        cost: 1,
        duration: 1_000,
        succeeded: 0,
      });
    });
  });
}

describeCrash('DuckDB', async () => {
  const s = await openDuckDbStores(':memory:');
  return { stores: { ...s, sync: () => s.db.sync() }, close: () => s.db.close() };
});

let dynamo: Dynalite | undefined;
describeCrash('DynamoDB on dynalite', async () => {
  dynamo = await startDynalite();
  const tableName = await dynamo.createTable();
  return { stores: createDynamoDbStores({ client: dynamo.client, tableName }), close: () => dynamo!.stop() };
});
