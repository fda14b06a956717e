import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore, StoredEvent } from '../../../lambdas/domain/ports';
import { type MakeStore, storedEvent, T0, uid } from './fixtures';

/** The EventStore contract (lambdas/domain/ports.ts), run against every adapter. */
export function describeEventStoreContract(name: string, makeStore: MakeStore<EventStore>): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      ({ store, cleanup } = await makeStore());
    });
    afterAll(async () => {
      await cleanup?.();
    });

    /** Runs `fn` on a store of its own, for reads that see every event (listPending). */
    async function withFreshStore(fn: (s: EventStore) => Promise<void>): Promise<void> {
      const fresh = await makeStore();
      try {
        await fn(fresh.store);
      } finally {
        await fresh.cleanup?.();
      }
    }

    const session = () => ({ agentId: uid('agent'), sessionId: uid('session') });

    async function allEvents(
      s: EventStore,
      agentId: string,
      sessionId: string,
      pageSize = 100,
    ): Promise<StoredEvent[]> {
      const out: StoredEvent[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 100; i++) {
        const page = await s.listBySession(agentId, sessionId, cursor, pageSize);
        out.push(...page.items);
        cursor = page.cursor;
        if (cursor === null) break;
      }
      return out;
    }

    describe('insertNew', () => {
      it('stores new events pending and returns them as inserted', async () => {
        // Prepare
        const ids = session();
        const events = [storedEvent({ ...ids, eventId: 'e1' }), storedEvent({ ...ids, eventId: 'e2' })];
        // Act
        const result = await store.insertNew(events);
        // Assess
        expect(result).toEqual({ inserted: ['e1', 'e2'], duplicates: [] });
        expect(await allEvents(store, ids.agentId, ids.sessionId)).toEqual(events);
      });

      it('reports already stored ids as duplicates and leaves them untouched', async () => {
        // Prepare
        const ids = session();
        const original = storedEvent({ ...ids, eventId: 'e1', name: 'first' });
        await store.insertNew([original]);
        // Act
        const result = await store.insertNew([
          storedEvent({ ...ids, eventId: 'e1', name: 'second', startedAt: T0 - 1 }),
          storedEvent({ ...ids, eventId: 'e3' }),
        ]);
        // Assess
        expect(result).toEqual({ inserted: ['e3'], duplicates: ['e1'] });
        const stored = await allEvents(store, ids.agentId, ids.sessionId);
        expect(stored.find((e) => e.eventId === 'e1')).toEqual(original);
      });

      it('keeps the first of repeated ids within one call', async () => {
        // Prepare
        const ids = session();
        // Act
        const result = await store.insertNew([
          storedEvent({ ...ids, eventId: 'same', name: 'first' }),
          storedEvent({ ...ids, eventId: 'same', name: 'second' }),
        ]);
        // Assess
        expect(result).toEqual({ inserted: ['same'], duplicates: ['same'] });
        expect((await allEvents(store, ids.agentId, ids.sessionId)).map((e) => e.name)).toEqual(['first']);
      });

      it('dedupes on (agent, session, event id) only', async () => {
        // Prepare
        const agentId = uid('agent');
        const a = uid('session');
        const b = uid('session');
        await store.insertNew([storedEvent({ agentId, sessionId: a, eventId: 'e1' })]);
        // Act
        const otherSession = await store.insertNew([storedEvent({ agentId, sessionId: b, eventId: 'e1' })]);
        const otherAgent = await store.insertNew([
          storedEvent({ agentId: uid('agent'), sessionId: a, eventId: 'e1' }),
        ]);
        // Assess
        expect(otherSession.inserted).toEqual(['e1']);
        expect(otherAgent.inserted).toEqual(['e1']);
      });

      it('inserts each id exactly once under concurrent calls with overlapping ids', async () => {
        // Prepare
        const ids = session();
        const all = Array.from({ length: 30 }, (_, i) => `e${String(i).padStart(2, '0')}`);
        const callers = [0, 5, 10, 15].map((offset) =>
          all
            .slice(offset, offset + 15)
            .map((eventId) => storedEvent({ ...ids, eventId, startedAt: T0 + Number(eventId.slice(1)) })),
        );
        // Act
        const results = await Promise.all(callers.map((events) => store.insertNew(events)));
        // Assess
        const inserted = results.flatMap((r) => r.inserted);
        expect(inserted.sort()).toEqual(all);
        results.forEach((r, i) => {
          expect([...r.inserted, ...r.duplicates].sort()).toEqual(callers[i]!.map((e) => e.eventId).sort());
        });
        expect((await allEvents(store, ids.agentId, ids.sessionId)).map((e) => e.eventId)).toEqual(all);
      });

      it('keeps every field, including payloads, errors and metadata', async () => {
        // Prepare
        const ids = session();
        const big = 'x'.repeat(60_000);
        const events = [
          storedEvent({
            ...ids,
            eventId: 'err',
            type: 'error',
            usage: null,
            cost: null,
            model: null,
            provider: null,
            durationMs: null,
            error: {
              category: 'rate_limit',
              type: 'RateLimitError',
              message: 'slow down',
              stack: null,
              origin: 'system',
              recoverable: true,
              fingerprint: 'fp1',
            },
            metadata: null,
            payload: { text: big, tiny: 1e-300, unicode: 'ünï 😀' },
          }),
          storedEvent({
            ...ids,
            eventId: 'blob',
            payload: null,
            payloadRef: 'payloads/a/b/blob.json',
            startedAt: T0 + 1,
          }),
          storedEvent({
            ...ids,
            eventId: 'plain',
            payload: 'just text',
            startedAt: T0 + 2,
            parentEventId: 'err',
          }),
        ];
        // Act
        await store.insertNew(events);
        // Assess
        expect(await allEvents(store, ids.agentId, ids.sessionId)).toEqual(events);
      });
    });

    describe('listBySession', () => {
      it('orders events by start time, then id', async () => {
        // Prepare
        const ids = session();
        await store.insertNew([
          storedEvent({ ...ids, eventId: 'b', startedAt: T0 + 10 }),
          storedEvent({ ...ids, eventId: 'c', startedAt: T0 }),
          storedEvent({ ...ids, eventId: 'a', startedAt: T0 + 10 }),
          storedEvent({ ...ids, eventId: 'd', startedAt: T0 - 5 }),
        ]);
        // Act
        const events = await allEvents(store, ids.agentId, ids.sessionId);
        // Assess
        expect(events.map((e) => e.eventId)).toEqual(['d', 'c', 'a', 'b']);
      });

      it('pages with an opaque cursor and ends with a null one', async () => {
        // Prepare
        const ids = session();
        const all = ['e1', 'e2', 'e3', 'e4', 'e5'];
        await store.insertNew(all.map((eventId, i) => storedEvent({ ...ids, eventId, startedAt: T0 + i })));
        // Act
        const first = await store.listBySession(ids.agentId, ids.sessionId, null, 2);
        const second = await store.listBySession(ids.agentId, ids.sessionId, first.cursor, 2);
        const third = await store.listBySession(ids.agentId, ids.sessionId, second.cursor, 2);
        // Assess
        expect([first, second, third].map((p) => p.items.map((e) => e.eventId))).toEqual([
          ['e1', 'e2'],
          ['e3', 'e4'],
          ['e5'],
        ]);
        expect(typeof first.cursor).toBe('string');
        expect(third.cursor).toBeNull();
      });

      it('returns a null cursor when the last page is exactly full', async () => {
        // Prepare
        const ids = session();
        await store.insertNew(['a', 'b', 'c', 'd'].map((eventId) => storedEvent({ ...ids, eventId })));
        // Act
        const first = await store.listBySession(ids.agentId, ids.sessionId, null, 2);
        const second = await store.listBySession(ids.agentId, ids.sessionId, first.cursor, 2);
        // Assess
        expect(second.items.map((e) => e.eventId)).toEqual(['c', 'd']);
        expect(second.cursor).toBeNull();
      });

      it('returns an empty page for an unknown session', async () => {
        // Act
        const page = await store.listBySession(uid('agent'), uid('session'), null, 10);
        // Assess
        expect(page).toEqual({ items: [], cursor: null });
      });
    });

    describe('markFolded and listPending', () => {
      it('lists pending events received before the cutoff, and forgets them once folded', async () => {
        await withFreshStore(async (s) => {
          // Prepare
          const ids = session();
          const fold = { foldId: uid('ev'), production: false, weight: 2, sessionSlices: [] };
          const old = [1, 2, 3].map((i) => storedEvent({ ...ids, eventId: `old${i}`, receivedAt: T0, fold }));
          const recent = storedEvent({ ...ids, eventId: 'recent', receivedAt: T0 + 120_000 });
          await s.insertNew([...old, recent]);
          // Act
          const before = await s.listPending(T0 + 60_000, 100);
          await s.markFolded(ids.agentId, ids.sessionId, fold.foldId);
          const after = await s.listPending(T0 + 60_000, 100);
          const later = await s.listPending(T0 + 180_000, 100);
          // Assess
          expect(before.map((e) => e.eventId).sort()).toEqual(['old1', 'old2', 'old3']);
          expect(before[0]).toEqual(old.find((e) => e.eventId === before[0]!.eventId));
          expect(after).toEqual([]);
          expect(later.map((e) => e.eventId)).toEqual(['recent']);
        });
      });

      it('marks a fold done idempotently and ignores unknown folds', async () => {
        await withFreshStore(async (s) => {
          // Prepare
          const ids = session();
          const e1 = storedEvent({ ...ids, eventId: 'e1', receivedAt: T0 });
          const e2 = storedEvent({ ...ids, eventId: 'e2', receivedAt: T0 });
          await s.insertNew([e1, e2]);
          // Act
          await s.markFolded(ids.agentId, ids.sessionId, e1.fold.foldId);
          await s.markFolded(ids.agentId, ids.sessionId, e1.fold.foldId);
          await s.markFolded(ids.agentId, ids.sessionId, uid('unknown'));
          // Assess
          expect((await s.listPending(T0 + 60_000, 100)).map((e) => e.eventId)).toEqual(['e2']);
          expect(await allEvents(s, ids.agentId, ids.sessionId)).toEqual([e1, e2]);
        });
      });

      it('lists only the events a fold stored, not the ids it lost as duplicates', async () => {
        await withFreshStore(async (s) => {
          // Prepare: a retry under a new fold finds e1 already stored by the first fold.
          const ids = session();
          const first = { foldId: uid('ev'), production: true, weight: 1, sessionSlices: [] };
          const retry = { foldId: uid('ev'), production: true, weight: 1, sessionSlices: [] };
          await s.insertNew([storedEvent({ ...ids, eventId: 'e1', receivedAt: T0, fold: first })]);
          // Act
          const result = await s.insertNew(
            ['e1', 'e2'].map((id) => storedEvent({ ...ids, eventId: id, receivedAt: T0 + 1, fold: retry })),
          );
          await s.markFolded(ids.agentId, ids.sessionId, first.foldId);
          const pending = await s.listPending(T0 + 60_000, 100);
          // Assess
          expect(result).toEqual({ inserted: ['e2'], duplicates: ['e1'] });
          expect(pending.map((e) => [e.eventId, e.fold.foldId])).toEqual([['e2', retry.foldId]]);
        });
      });

      it('keeps nothing pending for a call whose events were all duplicates', async () => {
        await withFreshStore(async (s) => {
          // Prepare
          const ids = session();
          const e1 = storedEvent({ ...ids, eventId: 'e1', receivedAt: T0 });
          await s.insertNew([e1]);
          await s.markFolded(ids.agentId, ids.sessionId, e1.fold.foldId);
          // Act
          await s.insertNew([storedEvent({ ...ids, eventId: 'e1', receivedAt: T0 + 1 })]);
          // Assess
          expect(await s.listPending(T0 + 60_000, 100)).toEqual([]);
        });
      });

      it('returns at most the limit, oldest first', async () => {
        await withFreshStore(async (s) => {
          // Prepare
          const ids = session();
          await s.insertNew(
            [3, 1, 4, 2].map((i) =>
              storedEvent({
                ...ids,
                eventId: `e${i}`,
                receivedAt: T0 + i * 1_000,
                fold: { foldId: uid('ev'), production: true, weight: 1, sessionSlices: [] },
              }),
            ),
          );
          // Act
          const listed = await s.listPending(T0 + 60_000, 2);
          // Assess
          expect(listed.map((e) => e.eventId)).toEqual(['e1', 'e2']);
        });
      });

      it('never splits a fold across the limit', async () => {
        await withFreshStore(async (s) => {
          // Prepare: a replay of half a fold after a half-applied first attempt would count twice.
          const a = session();
          const b = session();
          const foldA = { foldId: uid('ev'), production: true, weight: 1, sessionSlices: [] };
          const foldB = { foldId: uid('ev'), production: true, weight: 1, sessionSlices: [] };
          await s.insertNew(
            [1, 2, 3].map((i) => storedEvent({ ...a, eventId: `a${i}`, receivedAt: T0, fold: foldA })),
          );
          await s.insertNew(
            [1, 2].map((i) => storedEvent({ ...b, eventId: `b${i}`, receivedAt: T0 + 1, fold: foldB })),
          );
          // Act
          const four = await s.listPending(T0 + 60_000, 4);
          const two = await s.listPending(T0 + 60_000, 2);
          // Assess
          expect(four.map((e) => e.eventId).sort()).toEqual(['a1', 'a2', 'a3']);
          expect(two.map((e) => e.eventId).sort()).toEqual(['a1', 'a2', 'a3']);
        });
      });
    });
  });
}
