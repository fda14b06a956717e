import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyTotals, epochHour } from '../../../lambdas/domain/model';
import type { SessionStore } from '../../../lambdas/domain/ports';
import { type MakeStore, sessionChange, snapshot, T0, totals, uid } from './fixtures';

/** The SessionStore contract (lambdas/domain/ports.ts), run against every adapter. */
export function describeSessionStoreContract(name: string, makeStore: MakeStore<SessionStore>): void {
  describe(`SessionStore contract: ${name}`, () => {
    let store: SessionStore;
    let cleanup: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      ({ store, cleanup } = await makeStore());
    });
    afterAll(async () => {
      await cleanup?.();
    });

    /** Runs `fn` on a store of its own, for reads that see every session (listUnsettled). */
    async function withFreshStore(fn: (s: SessionStore) => Promise<void>): Promise<void> {
      const fresh = await makeStore();
      try {
        await fn(fresh.store);
      } finally {
        await fresh.cleanup?.();
      }
    }

    const ids = () => ({ agentId: uid('agent'), sessionId: uid('session') });

    describe('get and locate', () => {
      it('returns null for a session that was never stored', async () => {
        // Act
        const got = await store.get(uid('agent'), uid('session'));
        // Assess
        expect(got).toBeNull();
      });

      it('locates a session id to the first agent that used it', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        const other = uid('agent');
        await store.upsert(sessionChange({ agentId, sessionId }));
        await store.upsert(sessionChange({ agentId: other, sessionId }));
        // Act
        const located = await store.locate(sessionId);
        // Assess
        expect(located).toBe(agentId);
        expect(await store.locate(uid('session'))).toBeNull();
      });
    });

    describe('upsert', () => {
      it('creates a session with the documented defaults', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        const startedAt = T0 + 90 * 60_000;
        // Act
        const { session, created } = await store.upsert(
          sessionChange({ agentId, sessionId, name: 'checkout', startedAt, at: T0 + 100 * 60_000 }),
        );
        // Assess
        expect(created).toBe(true);
        expect(session).toEqual({
          agentId,
          sessionId,
          name: 'checkout',
          task: null,
          tags: [],
          experimentId: null,
          datasetItemId: null,
          rubrics: [],
          production: false,
          sampleRate: 1,
          stub: false,
          status: 'running',
          startedAt,
          endedAt: null,
          outcome: {
            isSuccessful: null,
            isSuccessfulReason: null,
            sessionEval: null,
            sessionEvalReason: null,
          },
          evals: [],
          totals: emptyTotals(),
          source: 'native',
          createdAt: T0 + 100 * 60_000,
          updatedAt: T0 + 100 * 60_000,
          rollupHour: epochHour(startedAt),
          settled: null,
          settledPrev: null,
          settledAppliedVersion: 0,
        });
        expect(await store.get(agentId, sessionId)).toEqual(session);
      });

      it('starts a session at `at` when no start is given, and finished when told so', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        // Act
        const { session } = await store.upsert(
          sessionChange({ agentId, sessionId, finished: true, at: T0 + 7 }),
        );
        // Assess
        expect(session.startedAt).toBe(T0 + 7);
        expect(session.status).toBe('finished');
      });

      it('merges only the given fields into an existing session', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        await store.upsert(
          sessionChange({
            agentId,
            sessionId,
            name: 'n1',
            task: 't1',
            tags: ['a', 'b'],
            rubrics: ['r1'],
            production: true,
          }),
        );
        // Act
        const { session, created } = await store.upsert(
          sessionChange({ agentId, sessionId, task: 't2', sampleRate: 0.25, at: T0 + 60_000 }),
        );
        // Assess
        expect(created).toBe(false);
        expect(session).toMatchObject({
          name: 'n1',
          task: 't2',
          tags: ['a', 'b'],
          rubrics: ['r1'],
          production: true,
          sampleRate: 0.25,
          updatedAt: T0 + 60_000,
          createdAt: T0,
        });
        expect(await store.get(agentId, sessionId)).toEqual(session);
      });

      it('replaces tags and rubrics when given, and clears a field given as null', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        await store.upsert(
          sessionChange({ agentId, sessionId, name: 'n1', tags: ['a', 'b'], rubrics: ['r1', 'r2'] }),
        );
        // Act
        const { session } = await store.upsert(
          sessionChange({ agentId, sessionId, name: null, tags: ['c'], rubrics: [] }),
        );
        // Assess
        expect(session.tags).toEqual(['c']);
        expect(session.rubrics).toEqual([]);
        expect(session.name).toBeNull();
      });

      it('merges the defined outcome keys and keeps the others', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        await store.upsert(
          sessionChange({ agentId, sessionId, outcome: { isSuccessful: true, isSuccessfulReason: 'ok' } }),
        );
        // Act
        const { session } = await store.upsert(
          sessionChange({ agentId, sessionId, outcome: { sessionEval: 0.75 } }),
        );
        // Assess
        expect(session.outcome).toEqual({
          isSuccessful: true,
          isSuccessfulReason: 'ok',
          sessionEval: 0.75,
          sessionEvalReason: null,
        });
      });

      it('marks a session finished and keeps its end time', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        await store.upsert(sessionChange({ agentId, sessionId }));
        // Act
        const { session } = await store.upsert(
          sessionChange({ agentId, sessionId, finished: true, endedAt: T0 + 5_000 }),
        );
        // Assess
        expect(session.status).toBe('finished');
        expect(session.endedAt).toBe(T0 + 5_000);
      });

      it('keeps the earliest start but never moves the rollup hour fixed at creation', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        const first = T0 + 3 * 3_600_000;
        await store.upsert(sessionChange({ agentId, sessionId, startedAt: first }));
        // Act
        await store.upsert(sessionChange({ agentId, sessionId, startedAt: T0 }));
        const { session } = await store.upsert(
          sessionChange({ agentId, sessionId, startedAt: T0 + 5 * 3_600_000 }),
        );
        // Assess
        expect(session.startedAt).toBe(T0);
        expect(session.rollupHour).toBe(epochHour(first));
      });

      it('lets a stub upsert on an existing session change nothing', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        const { session: before } = await store.upsert(
          sessionChange({ agentId, sessionId, name: 'real', production: true }),
        );
        // Act
        const { session, created } = await store.upsert(
          sessionChange({
            agentId,
            sessionId,
            stub: true,
            startedAt: T0 - 3_600_000,
            source: 'otlp',
            at: T0 + 9,
          }),
        );
        // Assess
        expect(created).toBe(false);
        expect(session).toEqual(before);
        expect(await store.get(agentId, sessionId)).toEqual(before);
      });

      it('fills a stub from a real upsert and clears the stub flag', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        const { session: stub } = await store.upsert(
          sessionChange({ agentId, sessionId, stub: true, startedAt: T0 + 60_000, source: 'otlp' }),
        );
        // Act
        const { session, created } = await store.upsert(
          sessionChange({
            agentId,
            sessionId,
            name: 'late init',
            tags: ['x'],
            production: true,
            at: T0 + 120_000,
          }),
        );
        // Assess
        expect(stub.stub).toBe(true);
        expect(created).toBe(false);
        expect(session).toMatchObject({
          stub: false,
          name: 'late init',
          tags: ['x'],
          production: true,
          startedAt: T0 + 60_000,
        });
      });

      it('creates a session exactly once under concurrent upserts', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        // Act
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            store.upsert(sessionChange({ agentId, sessionId, at: T0 + i })),
          ),
        );
        // Assess
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(await store.get(agentId, sessionId)).not.toBeNull();
      });

      it('keeps every field of concurrent upserts that set different fields', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        await store.upsert(sessionChange({ agentId, sessionId }));
        // Act
        await Promise.all([
          store.upsert(sessionChange({ agentId, sessionId, name: 'n' })),
          store.upsert(sessionChange({ agentId, sessionId, task: 't' })),
          store.upsert(sessionChange({ agentId, sessionId, tags: ['g'] })),
          store.upsert(sessionChange({ agentId, sessionId, outcome: { isSuccessful: false } })),
        ]);
        // Assess
        expect(await store.get(agentId, sessionId)).toMatchObject({
          name: 'n',
          task: 't',
          tags: ['g'],
          outcome: { isSuccessful: false },
        });
      });

      it('never overwrites totals or settlement written concurrently', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        await store.upsert(sessionChange({ agentId, sessionId }));
        // Act
        await Promise.all([
          store.applyTotals(agentId, sessionId, uid('fold'), totals({ events: 3 }), T0 + 10),
          store.upsert(sessionChange({ agentId, sessionId, name: 'during totals', at: T0 + 5 })),
          store.casSettled(agentId, sessionId, 0, snapshot({ version: 1 })),
        ]);
        // Assess
        const session = await store.get(agentId, sessionId);
        expect(session?.totals.events).toBe(3);
        expect(session?.name).toBe('during totals');
        expect(session?.settled?.version).toBe(1);
      });
    });

    describe('applyTotals', () => {
      it('adds sums, keeps the earliest first event and latest end, and raises updatedAt', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        await store.upsert(sessionChange({ agentId, sessionId }));
        // Act
        await store.applyTotals(
          agentId,
          sessionId,
          uid('fold'),
          totals({ firstEventAt: T0 + 500, lastEventEndAt: T0 + 900 }),
          T0 + 50,
        );
        await store.applyTotals(
          agentId,
          sessionId,
          uid('fold'),
          totals({ events: 2, costUsd: 0.25, firstEventAt: T0 + 100, lastEventEndAt: T0 + 700 }),
          T0 + 40,
        );
        // Assess
        const session = await store.get(agentId, sessionId);
        expect(session?.totals).toEqual({
          events: 3,
          llmCalls: 2,
          errors: 0,
          inputTokens: 200,
          outputTokens: 40,
          cachedInputTokens: 20,
          reasoningTokens: 0,
          costUsd: 0.75,
          unpricedEvents: 0,
          firstEventAt: T0 + 100,
          lastEventEndAt: T0 + 900,
        });
        expect(session?.updatedAt).toBe(T0 + 50);
      });

      it('leaves first and last event times null for a delta without them', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        await store.upsert(sessionChange({ agentId, sessionId }));
        // Act
        await store.applyTotals(
          agentId,
          sessionId,
          uid('fold'),
          totals({ firstEventAt: null, lastEventEndAt: null }),
          T0,
        );
        // Assess
        const session = await store.get(agentId, sessionId);
        expect(session?.totals.firstEventAt).toBeNull();
        expect(session?.totals.lastEventEndAt).toBeNull();
        expect(session?.totals.events).toBe(1);
      });

      it('adds nothing when the same fold is replayed', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        const foldId = uid('ev');
        await store.upsert(sessionChange({ agentId, sessionId }));
        await store.applyTotals(agentId, sessionId, foldId, totals({ events: 2 }), T0 + 1);
        // Act
        await store.applyTotals(agentId, sessionId, foldId, totals({ events: 2 }), T0 + 2);
        await Promise.all(
          [1, 2, 3].map((i) => store.applyTotals(agentId, sessionId, foldId, totals({ events: 2 }), T0 + i)),
        );
        // Assess
        expect((await store.get(agentId, sessionId))?.totals.events).toBe(2);
      });

      it('adds once when the same fold is applied concurrently', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        const foldId = `settle:${agentId}:${sessionId}:1`;
        await store.upsert(sessionChange({ agentId, sessionId }));
        // Act
        await Promise.all(
          Array.from({ length: 5 }, () =>
            store.applyTotals(agentId, sessionId, foldId, totals({ inputTokens: 7 }), T0),
          ),
        );
        // Assess
        expect((await store.get(agentId, sessionId))?.totals.inputTokens).toBe(7);
      });

      it('adds every fold when different folds are applied concurrently', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        await store.upsert(sessionChange({ agentId, sessionId }));
        // Act
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.applyTotals(
              agentId,
              sessionId,
              uid('fold'),
              totals({ costUsd: 0.1, firstEventAt: T0 + 100 - i, lastEventEndAt: T0 + 1_000 + i }),
              T0 + i,
            ),
          ),
        );
        // Assess
        const session = await store.get(agentId, sessionId);
        expect(session?.totals.events).toBe(10);
        expect(session?.totals.costUsd).toBeCloseTo(1, 9);
        expect(session?.totals.firstEventAt).toBe(T0 + 91);
        expect(session?.totals.lastEventEndAt).toBe(T0 + 1_009);
        expect(session?.updatedAt).toBe(T0 + 9);
      });

      it('adds a fold id again only after releaseFold, and a new fold id always', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        const foldId = uid('ev');
        await store.upsert(sessionChange({ agentId, sessionId }));
        await store.applyTotals(agentId, sessionId, foldId, totals(), T0);
        // Act
        await store.releaseFold(agentId, sessionId, foldId);
        await store.releaseFold(agentId, sessionId, foldId);
        await store.applyTotals(agentId, sessionId, uid('ev'), totals(), T0);
        await store.applyTotals(agentId, sessionId, foldId, totals(), T0);
        // Assess
        expect((await store.get(agentId, sessionId))?.totals.events).toBe(3);
      });

      it('accepts fold ids of any length and characters', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        const foldId = `settle:${'a:#. []{}"'.repeat(60)}:ünï:${sessionId}`;
        await store.upsert(sessionChange({ agentId, sessionId }));
        // Act
        await store.applyTotals(agentId, sessionId, foldId, totals(), T0);
        await store.applyTotals(agentId, sessionId, foldId, totals(), T0);
        await store.releaseFold(agentId, sessionId, foldId);
        // A store may forget the marker lazily, by its next write to the session (see releaseFold).
        await store.applyTotals(agentId, sessionId, uid('ev'), totals(), T0);
        await store.applyTotals(agentId, sessionId, foldId, totals(), T0);
        // Assess
        expect((await store.get(agentId, sessionId))?.totals.events).toBe(3);
      });
    });

    describe('applyTotals with a settlement', () => {
      it('swaps in the snapshot computed from the session as the fold leaves it, with the totals', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        await store.upsert(sessionChange({ agentId, sessionId }));
        let seenEvents = -1;
        // Act
        const swap = await store.applyTotals(
          agentId,
          sessionId,
          uid('fold'),
          totals({ events: 3 }),
          T0 + 5,
          (after) => {
            seenEvents = after.totals.events;
            return snapshot({ version: (after.settled?.version ?? 0) + 1, costUsd: after.totals.costUsd });
          },
        );
        // Assess
        const session = await store.get(agentId, sessionId);
        expect(seenEvents).toBe(3);
        expect(swap?.from).toBeNull();
        expect(swap?.to).toEqual(snapshot({ version: 1, costUsd: 0.5 }));
        expect(session?.totals.events).toBe(3);
        expect(session?.settled).toEqual(snapshot({ version: 1, costUsd: 0.5 }));
        expect(session?.settledAppliedVersion).toBe(0);
        expect(swap?.session).toEqual(session);
        // A swapped snapshot is owed until applied, like one stored by casSettled.
        expect(await store.casSettled(agentId, sessionId, 1, snapshot({ version: 2 }))).toBe(false);
        await store.markSettledApplied(agentId, sessionId, 1);
        expect(await store.casSettled(agentId, sessionId, 1, snapshot({ version: 2 }))).toBe(true);
      });

      it('applies the totals alone when the settlement asks for no swap or declines', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        await store.upsert(sessionChange({ agentId, sessionId }));
        // Act
        const none = await store.applyTotals(agentId, sessionId, uid('fold'), totals(), T0 + 1, () => null);
        const declined = await store.applyTotals(
          agentId,
          sessionId,
          uid('fold'),
          totals(),
          T0 + 2,
          () => false,
        );
        // Assess
        const session = await store.get(agentId, sessionId);
        expect(none?.to).toBeNull();
        expect(none?.session.totals.events).toBe(1);
        expect(declined).toBeNull();
        expect(session?.totals.events).toBe(2);
        expect(session?.settled).toBeNull();
      });

      it('does not swap over a snapshot whose rollup delta is not applied yet', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        await store.upsert(sessionChange({ agentId, sessionId }));
        await store.casSettled(agentId, sessionId, 0, snapshot({ version: 1 }));
        let called = false;
        // Act
        const swap = await store.applyTotals(agentId, sessionId, uid('fold'), totals(), T0 + 1, () => {
          called = true;
          return snapshot({ version: 2 });
        });
        // Assess
        const session = await store.get(agentId, sessionId);
        expect(swap).toBeNull();
        expect(called).toBe(false);
        expect(session?.totals.events).toBe(1);
        expect(session?.settled?.version).toBe(1);
      });

      it('never swaps or adds twice when the fold is replayed', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        const foldId = uid('fold');
        await store.upsert(sessionChange({ agentId, sessionId }));
        await store.applyTotals(agentId, sessionId, foldId, totals(), T0 + 1, () => snapshot({ version: 1 }));
        await store.markSettledApplied(agentId, sessionId, 1);
        // Act
        const replay = await store.applyTotals(agentId, sessionId, foldId, totals(), T0 + 1, () =>
          snapshot({ version: 2 }),
        );
        // Assess
        const session = await store.get(agentId, sessionId);
        expect(replay).toBeNull();
        expect(session?.totals.events).toBe(1);
        expect(session?.settled?.version).toBe(1);
      });
    });

    describe('addEval', () => {
      it('appends results in order', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        await store.upsert(sessionChange({ agentId, sessionId }));
        const a = {
          name: 'helpful',
          resultType: 'boolean' as const,
          result: true,
          description: null,
          at: T0 + 1,
        };
        const b = {
          name: 'score',
          resultType: 'number' as const,
          result: 0.5,
          description: 'judge',
          at: T0 + 2,
        };
        // Act
        await store.addEval(agentId, sessionId, a);
        await store.addEval(agentId, sessionId, b);
        // Assess
        expect((await store.get(agentId, sessionId))?.evals).toEqual([a, b]);
      });
    });

    describe('casSettled and markSettledApplied', () => {
      it('sets the first snapshot from version 0 and keeps the previous one on the next', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        await store.upsert(sessionChange({ agentId, sessionId }));
        const v1 = snapshot({ version: 1 });
        const v2 = snapshot({ version: 2, complete: true, costUsd: 2 });
        // Act
        const first = await store.casSettled(agentId, sessionId, 0, v1);
        await store.markSettledApplied(agentId, sessionId, 1);
        const second = await store.casSettled(agentId, sessionId, 1, v2);
        // Assess
        expect([first, second]).toEqual([true, true]);
        const session = await store.get(agentId, sessionId);
        expect(session?.settled).toEqual(v2);
        expect(session?.settledPrev).toEqual(v1);
        expect(session?.settledAppliedVersion).toBe(1);
      });

      it('refuses a snapshot when the expected version is not the stored one', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        await store.upsert(sessionChange({ agentId, sessionId }));
        await store.casSettled(agentId, sessionId, 0, snapshot({ version: 1 }));
        await store.markSettledApplied(agentId, sessionId, 1);
        // Act
        const stale = await store.casSettled(agentId, sessionId, 0, snapshot({ version: 1, costUsd: 9 }));
        const ahead = await store.casSettled(agentId, sessionId, 2, snapshot({ version: 3 }));
        // Assess
        expect([stale, ahead]).toEqual([false, false]);
        expect((await store.get(agentId, sessionId))?.settled).toEqual(snapshot({ version: 1 }));
      });

      it('refuses the next snapshot until the current one is marked applied', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        await store.upsert(sessionChange({ agentId, sessionId }));
        await store.casSettled(agentId, sessionId, 0, snapshot({ version: 1 }));
        // Act
        const early = await store.casSettled(agentId, sessionId, 1, snapshot({ version: 2 }));
        await store.markSettledApplied(agentId, sessionId, 1);
        const later = await store.casSettled(agentId, sessionId, 1, snapshot({ version: 2 }));
        // Assess
        expect([early, later]).toEqual([false, true]);
      });

      it('lets exactly one of concurrent settlements win', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        await store.upsert(sessionChange({ agentId, sessionId }));
        // Act
        const results = await Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            store.casSettled(agentId, sessionId, 0, snapshot({ version: 1, costUsd: i })),
          ),
        );
        // Assess
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('refuses a snapshot for a session that does not exist', async () => {
        // Act
        const ok = await store.casSettled(uid('agent'), uid('session'), 0, snapshot());
        // Assess
        expect(ok).toBe(false);
      });

      it('only ever raises the applied version', async () => {
        // Prepare
        const { agentId, sessionId } = ids();
        await store.upsert(sessionChange({ agentId, sessionId }));
        await store.casSettled(agentId, sessionId, 0, snapshot({ version: 1 }));
        // Act
        await store.markSettledApplied(agentId, sessionId, 1);
        await store.markSettledApplied(agentId, sessionId, 1);
        await store.markSettledApplied(agentId, sessionId, 0);
        // Assess
        expect((await store.get(agentId, sessionId))?.settledAppliedVersion).toBe(1);
      });
    });

    describe('listUnsettled', () => {
      it('lists sessions that may owe a settlement and have been idle since before the cutoff', async () => {
        await withFreshStore(async (s) => {
          // Prepare
          const agentId = uid('agent');
          const make = async (sessionId: string, at: number) => {
            await s.upsert(sessionChange({ agentId, sessionId, at }));
            return sessionId;
          };
          const neverSettled = await make('never-settled', T0);
          const incomplete = await make('incomplete', T0);
          await s.casSettled(agentId, incomplete, 0, snapshot({ version: 1, complete: false }));
          await s.markSettledApplied(agentId, incomplete, 1);
          const unapplied = await make('complete-unapplied', T0);
          await s.casSettled(agentId, unapplied, 0, snapshot({ version: 1, complete: true }));
          const done = await make('complete-applied', T0);
          await s.casSettled(agentId, done, 0, snapshot({ version: 1, complete: true }));
          await s.markSettledApplied(agentId, done, 1);
          await make('recent', T0 + 10 * 60_000);
          const lateEvents = await make('late-events', T0);
          await s.applyTotals(
            agentId,
            lateEvents,
            uid('fold'),
            totals({ lastEventEndAt: T0 + 20 * 60_000 }),
            T0,
          );
          // Act
          const listed = await s.listUnsettled(T0 + 60_000, 100);
          // Assess
          expect(listed.map((x) => x.sessionId).sort()).toEqual([incomplete, neverSettled, unapplied].sort());
          expect(listed.every((x) => x.agentId === agentId)).toBe(true);
        });
      });

      it('returns the longest idle sessions first, up to the limit', async () => {
        await withFreshStore(async (s) => {
          // Prepare
          const agentId = uid('agent');
          for (const [sessionId, at] of [
            ['c', T0 + 3_000],
            ['a', T0 + 1_000],
            ['d', T0 + 4_000],
            ['b', T0 + 2_000],
          ] as const) {
            await s.upsert(sessionChange({ agentId, sessionId, at }));
          }
          // Act
          const listed = await s.listUnsettled(T0 + 60_000, 2);
          // Assess
          expect(listed.map((x) => x.sessionId)).toEqual(['a', 'b']);
        });
      });

      it('lists a session again once a later incomplete snapshot is stored', async () => {
        await withFreshStore(async (s) => {
          // Prepare
          const agentId = uid('agent');
          const sessionId = uid('session');
          await s.upsert(sessionChange({ agentId, sessionId }));
          await s.casSettled(agentId, sessionId, 0, snapshot({ version: 1, complete: true }));
          await s.markSettledApplied(agentId, sessionId, 1);
          const whenDone = await s.listUnsettled(T0 + 60_000, 10);
          // Act
          await s.casSettled(agentId, sessionId, 1, snapshot({ version: 2, complete: false }));
          const whenReopened = await s.listUnsettled(T0 + 60_000, 10);
          // Assess
          expect(whenDone).toEqual([]);
          expect(whenReopened.map((x) => x.sessionId)).toEqual([sessionId]);
        });
      });

      /** A session settled complete and applied at T0 (it owes nothing: listUnsettled leaves it out). */
      async function settledComplete(s: SessionStore, agentId: string, sessionId: string): Promise<void> {
        await s.upsert(sessionChange({ agentId, sessionId, at: T0 }));
        await s.get(agentId, sessionId);
        await s.casSettled(agentId, sessionId, 0, snapshot({ version: 1, complete: true }));
        await s.markSettledApplied(agentId, sessionId, 1);
      }

      it('lists a settled session again after an upsert changes what its settlement reads', async () => {
        await withFreshStore(async (s) => {
          // Prepare
          const agentId = uid('agent');
          const [ended, renamed] = [uid('ended'), uid('renamed')];
          await settledComplete(s, agentId, ended);
          await settledComplete(s, agentId, renamed);
          const before = await s.listUnsettled(T0 + 60_000, 10);
          // Act: changes with no settlement after them (the process stopped there)
          await s.upsert(
            sessionChange({ agentId, sessionId: ended, finished: true, endedAt: T0 + 5, at: T0 + 10 }),
          );
          await s.upsert(sessionChange({ agentId, sessionId: renamed, name: 'renamed', at: T0 + 10 }));
          const after = await s.listUnsettled(T0 + 60_000, 10);
          // Assess: a name is not something the settlement reads
          expect(before).toEqual([]);
          expect(after.map((x) => x.sessionId)).toEqual([ended]);
          expect(after[0]?.status).toBe('finished');
          expect(await s.listUnsettled(T0 + 10, 10)).toEqual([]);
        });
      });

      it('lists a settled session again after a late fold adds totals without a settlement', async () => {
        await withFreshStore(async (s) => {
          // Prepare
          const agentId = uid('agent');
          const [plain, declined, settledWith] = [uid('plain'), uid('declined'), uid('settled-with')];
          for (const id of [plain, declined, settledWith]) await settledComplete(s, agentId, id);
          // Act
          await s.applyTotals(agentId, plain, uid('fold'), totals({ lastEventEndAt: T0 + 2_000 }), T0 + 10);
          await s.applyTotals(agentId, declined, uid('fold'), totals(), T0 + 10, () => false);
          // A settlement stored with the totals (none owed) is final for the fold: no mark.
          await s.applyTotals(agentId, settledWith, uid('fold'), totals(), T0 + 10, () => null);
          const listed = await s.listUnsettled(T0 + 60_000, 10);
          // Assess
          expect(listed.map((x) => x.sessionId).sort()).toEqual([plain, declined].sort());
          expect(listed.find((x) => x.sessionId === plain)?.totals.events).toBe(1);
        });
      });

      it('drops the mark when settlement is recorded again after a read that saw the change', async () => {
        await withFreshStore(async (s) => {
          // Prepare
          const agentId = uid('agent');
          const [seen, unseen] = [uid('seen'), uid('unseen')];
          for (const id of [seen, unseen]) {
            await settledComplete(s, agentId, id);
            await s.upsert(sessionChange({ agentId, sessionId: id, tags: ['env:prod'], at: T0 + 10 }));
          }
          // The settlement of `unseen` was computed from a read before a second change.
          await s.get(agentId, unseen);
          await s.upsert(sessionChange({ agentId, sessionId: unseen, tags: ['env:dev'], at: T0 + 20 }));
          await s.get(agentId, seen);
          // Act
          await s.markSettledApplied(agentId, seen, 1);
          await s.markSettledApplied(agentId, unseen, 1);
          const listed = await s.listUnsettled(T0 + 60_000, 10);
          // Assess
          expect(listed.map((x) => x.sessionId)).toEqual([unseen]);
          expect((await s.get(agentId, seen))?.settledAppliedVersion).toBe(1);
        });
      });
    });

    describe('list', () => {
      it('pages an agent’s sessions started in [from, to), newest first', async () => {
        // Prepare
        const agentId = uid('agent');
        const starts = [0, 1, 2, 3, 4, 5, 6].map((i) => T0 + i * 60_000);
        for (const [i, startedAt] of starts.entries()) {
          await store.upsert(sessionChange({ agentId, sessionId: `s${i}`, startedAt }));
        }
        await store.upsert(sessionChange({ agentId: uid('agent'), sessionId: 's3', startedAt: starts[3] }));
        // Act
        const pages: string[][] = [];
        let cursor: string | null = null;
        do {
          const page = await store.list(agentId, starts[1]!, starts[6]!, cursor, 2);
          pages.push(page.items.map((s) => s.sessionId));
          cursor = page.cursor;
        } while (cursor !== null && pages.length < 10);
        // Assess
        expect(pages).toEqual([['s5', 's4'], ['s3', 's2'], ['s1']]);
      });

      it('ends with a null cursor when the last page is full', async () => {
        // Prepare
        const agentId = uid('agent');
        for (const i of [0, 1, 2, 3]) {
          await store.upsert(sessionChange({ agentId, sessionId: `s${i}`, startedAt: T0 + i }));
        }
        // Act
        const first = await store.list(agentId, T0, T0 + 10, null, 2);
        const second = await store.list(agentId, T0, T0 + 10, first.cursor, 2);
        // Assess
        expect(first.items.map((s) => s.sessionId)).toEqual(['s3', 's2']);
        expect(second.items.map((s) => s.sessionId)).toEqual(['s1', 's0']);
        expect(second.cursor).toBeNull();
      });

      it('lists over a window wider than any stored time', async () => {
        // Prepare
        const agentId = uid('agent');
        await store.upsert(sessionChange({ agentId, sessionId: 'only' }));
        // Act
        const page = await store.list(agentId, 0, Number.MAX_SAFE_INTEGER, null, 10);
        // Assess
        expect(page.items.map((s) => s.sessionId)).toEqual(['only']);
      });

      it('finds a session under its earliest start after a start moved earlier', async () => {
        // Prepare
        const agentId = uid('agent');
        await store.upsert(sessionChange({ agentId, sessionId: 'moved', startedAt: T0 + 3_600_000 }));
        await store.upsert(sessionChange({ agentId, sessionId: 'moved', startedAt: T0 }));
        // Act
        const page = await store.list(agentId, T0, T0 + 1, null, 10);
        // Assess
        expect(page.items.map((s) => s.sessionId)).toEqual(['moved']);
      });
    });
  });
}
