import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventError, RubricResult } from '../../../lambdas/domain/model';
import type {
  ErrorGroup,
  ErrorGroupSearch,
  EventStore,
  SessionSearch,
  SessionStore,
  StoredEvent,
} from '../../../lambdas/domain/ports';
import { sessionChange, storedEvent, T0, totals, uid } from './fixtures';

export type MakeSearchStores = () => Promise<{
  sessions: SessionStore;
  events: EventStore;
  cleanup?: () => Promise<void>;
}>;

/** Contract tests a store may fail knowingly (the test then runs as `it.fails`, and is reported). */
export interface SearchContractOptions {
  knownFailures?: string[];
}

const H = 3_600_000;

/**
 * The optional search ports (SessionStore.search / listEvals, EventStore.errorGroups), run against
 * every adapter that has them, so the DuckDB and DynamoDB answers are the same.
 *
 * Seed (window [T0, T0 + 5h)), session ids ordered a < b < c < d < e < z:
 *   a  T0       prod=false  no tags, running, never folded (cost 0, duration -1)
 *   b  T0+1h    prod=true   tier:gold, beta, exp1, finished; llm gpt-4o + tool; 2 evals
 *   c  T0+2h    prod=false  tier=silver, running; llm claude rate_limit fp-rate (weight 2)
 *   d  T0+3h    prod=true   tier:gold, finished; error event timeout fp-timeout + llm gpt-4o fp-rate; 1 eval
 *   e  T0+5h    outside the window (its fp-rate event too)
 *   z  T0-1h    started before the window, one fp-old event inside it
 *   plus a session of another agent inside the window.
 */
export function describeSearchContract(
  name: string,
  make: MakeSearchStores,
  options: SearchContractOptions = {},
): void {
  describe(`search ports contract: ${name}`, () => {
    let sessions: SessionStore;
    let events: EventStore;
    let cleanup: (() => Promise<void>) | undefined;
    const agentId = uid('agent');
    const run = uid('run');
    const id = (k: string) => `${run}-${k}`;
    const ev: Record<string, string> = {};

    const test = (title: string, fn: () => Promise<void>) =>
      (options.knownFailures?.includes(title) ? it.fails : it)(title, fn);

    const err = (category: EventError['category'], fingerprint: string, message: string): EventError => ({
      category,
      type: `${category}Error`,
      message,
      stack: `at ${message}`,
      origin: 'system',
      recoverable: true,
      fingerprint,
    });
    const event = (
      key: string,
      sessionKey: string,
      overrides: Partial<StoredEvent>,
      production: boolean,
      slices: string[],
      weight = 1,
    ): StoredEvent => {
      const e = storedEvent({
        agentId,
        sessionId: id(sessionKey),
        eventId: `${key}-${uid('ev')}`,
        ...overrides,
        fold: { foldId: uid('fold'), production, weight, sessionSlices: slices },
      });
      ev[key] = e.eventId;
      return e;
    };
    const rubric = (n: string, at: number): RubricResult => ({
      name: n,
      resultType: 'boolean',
      result: true,
      description: null,
      at,
    });

    beforeAll(async () => {
      ({ sessions, events, cleanup } = await make());
      const upsert = (k: string, fields: Omit<Parameters<typeof sessionChange>[0], 'sessionId'>) =>
        sessions.upsert(sessionChange({ ...fields, sessionId: id(k) }));
      await upsert('a', { agentId, startedAt: T0, production: false, at: T0 });
      await upsert('b', {
        agentId,
        startedAt: T0 + H,
        production: true,
        tags: ['tier:gold', 'beta'],
        experimentId: 'exp1',
        finished: true,
        endedAt: T0 + H + 5_000,
        at: T0 + H,
      });
      await upsert('c', {
        agentId,
        startedAt: T0 + 2 * H,
        production: false,
        tags: ['tier=silver'],
        at: T0 + 2 * H,
      });
      await upsert('d', {
        agentId,
        startedAt: T0 + 3 * H,
        production: true,
        tags: ['tier:gold'],
        finished: true,
        endedAt: T0 + 3 * H + 60_000,
        at: T0 + 3 * H,
      });
      await upsert('e', { agentId, startedAt: T0 + 5 * H, production: true, at: T0 });
      await upsert('z', { agentId, startedAt: T0 - H, production: true, at: T0 });
      await sessions.upsert(
        sessionChange({ agentId: uid('other'), sessionId: uid('session'), startedAt: T0 + H, at: T0 }),
      );
      const fold = (k: string, start: number, d: Parameters<typeof totals>[0]) =>
        sessions.applyTotals(
          agentId,
          id(k),
          uid('fold'),
          totals({ firstEventAt: start, lastEventEndAt: start + 1_000, ...d }),
          start,
        );
      await fold('b', T0 + H, { costUsd: 0.5, errors: 0, events: 2, inputTokens: 100, outputTokens: 20 });
      await fold('c', T0 + 2 * H, {
        costUsd: 2,
        errors: 1,
        events: 3,
        inputTokens: 1_000,
        outputTokens: 0,
        lastEventEndAt: T0 + 2 * H + 20_000,
      });
      await fold('d', T0 + 3 * H, { costUsd: 1, errors: 2, events: 1, inputTokens: 40, outputTokens: 10 });
      const gold = ['tag:tier=gold'];
      await events.insertNew([
        event('b1', 'b', { startedAt: T0 + H + 100, model: 'gpt-4o' }, true, gold),
        event('b2', 'b', { startedAt: T0 + H + 200, type: 'tool', model: null }, true, gold),
        event(
          'c1',
          'c',
          {
            startedAt: T0 + 2 * H + 100,
            model: 'claude',
            error: err('rate_limit', 'fp-rate', 'slow down (old)'),
          },
          false,
          ['tag:tier=silver'],
          2,
        ),
        event(
          'd1',
          'd',
          {
            startedAt: T0 + 3 * H + 100,
            type: 'error',
            model: null,
            error: err('timeout', 'fp-timeout', 'timed out'),
          },
          true,
          gold,
        ),
        event(
          'd2',
          'd',
          { startedAt: T0 + 3 * H + 200, model: 'gpt-4o', error: err('rate_limit', 'fp-rate', 'slow down') },
          true,
          gold,
        ),
        event(
          'e1',
          'e',
          { startedAt: T0 + 5 * H + 1, error: err('rate_limit', 'fp-rate', 'later') },
          true,
          [],
        ),
        event(
          'z1',
          'z',
          { startedAt: T0 + 30 * 60_000, error: err('api', 'fp-old', 'bad gateway') },
          true,
          [],
        ),
      ]);
      await sessions.addEval(agentId, id('b'), rubric('r1', T0 + H + 1));
      await sessions.addEval(agentId, id('b'), rubric('r2', T0 + H + 2));
      await sessions.addEval(agentId, id('d'), rubric('r3', T0 + 3 * H + 1));
    });
    afterAll(async () => {
      await cleanup?.();
    });

    const q = (overrides: Partial<SessionSearch> = {}): SessionSearch => ({
      agentId,
      from: T0,
      to: T0 + 5 * H,
      production: null,
      tags: [],
      experimentId: null,
      model: null,
      eventType: null,
      errorCategory: null,
      fingerprint: null,
      status: null,
      hasError: null,
      minCostUsd: null,
      sort: 'started_at',
      order: 'desc',
      ...overrides,
    });
    /** Session keys (a, b, …) of one page. */
    const search = async (overrides: Partial<SessionSearch> = {}, limit = 100) => {
      const page = await sessions.search!(q(overrides), null, limit);
      return page.items.map((s) => s.sessionId.slice(run.length + 1));
    };
    /** Every page, following cursors. */
    const allPages = async (overrides: Partial<SessionSearch>, limit: number) => {
      const keys: string[][] = [];
      let cursor: string | null = null;
      do {
        const page = await sessions.search!(q(overrides), cursor, limit);
        keys.push(page.items.map((s) => s.sessionId.slice(run.length + 1)));
        cursor = page.cursor;
      } while (cursor !== null && keys.length < 10);
      return keys;
    };

    describe('SessionStore.search', () => {
      it('returns the agent sessions started in [from, to), newest first, as whole sessions', async () => {
        const page = await sessions.search!(q(), null, 100);
        expect(page.items.map((s) => s.sessionId)).toEqual([id('d'), id('c'), id('b'), id('a')]);
        expect(page.cursor).toBeNull();
        const b = page.items.find((s) => s.sessionId === id('b'))!;
        expect(b).toMatchObject({
          agentId,
          production: true,
          tags: ['tier:gold', 'beta'],
          status: 'finished',
        });
        expect(b.totals.costUsd).toBeCloseTo(0.5, 9);
        expect(b.evals.map((r) => r.name)).toEqual(['r1', 'r2']);
      });

      it('filters on the session fields', async () => {
        expect(await search({ production: true })).toEqual(['d', 'b']);
        expect(await search({ production: false })).toEqual(['c', 'a']);
        expect(await search({ status: 'finished' })).toEqual(['d', 'b']);
        expect(await search({ status: 'running' })).toEqual(['c', 'a']);
        expect(await search({ experimentId: 'exp1' })).toEqual(['b']);
        expect(await search({ hasError: true })).toEqual(['d', 'c']);
        expect(await search({ hasError: false })).toEqual(['b', 'a']);
        expect(await search({ minCostUsd: 1 })).toEqual(['d', 'c']);
      });

      it('matches tags as key:value, key=value or a bare value for key "tag", every pair required', async () => {
        expect(await search({ tags: [{ key: 'tier', value: 'gold' }] })).toEqual(['d', 'b']);
        expect(await search({ tags: [{ key: 'tier', value: 'silver' }] })).toEqual(['c']);
        expect(await search({ tags: [{ key: 'tag', value: 'beta' }] })).toEqual(['b']);
        expect(
          await search({
            tags: [
              { key: 'tier', value: 'gold' },
              { key: 'tag', value: 'beta' },
            ],
          }),
        ).toEqual(['b']);
        expect(await search({ tags: [{ key: 'tier', value: 'bronze' }] })).toEqual([]);
      });

      it('filters on "has an event with" model, type, error category and fingerprint', async () => {
        expect(await search({ model: 'claude' })).toEqual(['c']);
        expect(await search({ model: 'gpt-4o' })).toEqual(['d', 'b']);
        expect(await search({ eventType: 'tool' })).toEqual(['b']);
        expect(await search({ eventType: 'error' })).toEqual(['d']);
        expect(await search({ errorCategory: 'rate_limit' })).toEqual(['d', 'c']);
        expect(await search({ errorCategory: 'timeout' })).toEqual(['d']);
        expect(await search({ fingerprint: 'fp-rate' })).toEqual(['d', 'c']);
        expect(await search({ fingerprint: 'fp-timeout' })).toEqual(['d']);
        // Each filter needs an event, not necessarily the same one.
        expect(await search({ model: 'gpt-4o', errorCategory: 'timeout' })).toEqual(['d']);
        expect(await search({ model: 'claude', production: true })).toEqual([]);
      });

      it('sorts by each key, with the session id as tie-breaker in the same order', async () => {
        expect(await search({ sort: 'started_at', order: 'asc' })).toEqual(['a', 'b', 'c', 'd']);
        expect(await search({ sort: 'cost' })).toEqual(['c', 'd', 'b', 'a']);
        expect(await search({ sort: 'cost', order: 'asc' })).toEqual(['a', 'b', 'd', 'c']);
        expect(await search({ sort: 'duration', order: 'asc' })).toEqual(['a', 'b', 'c', 'd']);
        expect(await search({ sort: 'duration' })).toEqual(['d', 'c', 'b', 'a']);
        expect(await search({ sort: 'errors' })).toEqual(['d', 'c', 'b', 'a']);
        expect(await search({ sort: 'errors', order: 'asc' })).toEqual(['a', 'b', 'c', 'd']);
        expect(await search({ sort: 'tokens' })).toEqual(['c', 'b', 'd', 'a']);
        expect(await search({ sort: 'events', order: 'asc' })).toEqual(['a', 'd', 'b', 'c']);
      });

      it('pages with an opaque cursor, through ties, ending with a null cursor', async () => {
        expect(await allPages({ sort: 'cost' }, 1)).toEqual([['c'], ['d'], ['b'], ['a']]);
        expect(await allPages({ sort: 'errors' }, 3)).toEqual([['d', 'c', 'b'], ['a']]);
        expect(await allPages({ sort: 'errors', order: 'asc' }, 2)).toEqual([
          ['a', 'b'],
          ['c', 'd'],
        ]);
        expect(await allPages({ sort: 'started_at', production: true }, 1)).toEqual([['d'], ['b']]);
      });

      it('returns nothing for an empty window', async () => {
        expect(await search({ from: T0 + 10 * H, to: T0 + 11 * H })).toEqual([]);
      });
    });

    describe('SessionStore.listEvals', () => {
      it('lists rubric results of the matching sessions, most recent session first', async () => {
        const out = await sessions.listEvals!(q({ sort: 'cost', order: 'asc' }), 10);
        expect(out.truncated).toBe(false);
        expect(out.items.map((i) => [i.sessionId, i.startedAt, i.result.name])).toEqual([
          [id('d'), T0 + 3 * H, 'r3'],
          [id('b'), T0 + H, 'r1'],
          [id('b'), T0 + H, 'r2'],
        ]);
      });

      it('stops at the limit and says when results were left out', async () => {
        const two = await sessions.listEvals!(q(), 2);
        expect(two.items.map((i) => i.result.name)).toEqual(['r3', 'r1']);
        expect(two.truncated).toBe(true);
        const three = await sessions.listEvals!(q(), 3);
        expect(three.items).toHaveLength(3);
        expect(three.truncated).toBe(false);
      });

      it('applies the search filters', async () => {
        expect(
          (await sessions.listEvals!(q({ experimentId: 'exp1' }), 10)).items.map((i) => i.result.name),
        ).toEqual(['r1', 'r2']);
        expect(await sessions.listEvals!(q({ production: false }), 10)).toEqual({
          items: [],
          truncated: false,
        });
      });
    });

    describe('EventStore.errorGroups', () => {
      const g = (overrides: Partial<ErrorGroupSearch> = {}): ErrorGroupSearch => ({
        agentId,
        from: T0,
        to: T0 + 5 * H,
        production: null,
        sessionSlice: null,
        model: null,
        eventType: null,
        errorCategory: null,
        ...overrides,
      });
      const groups = async (overrides: Partial<ErrorGroupSearch> = {}) =>
        (await events.errorGroups!(g(overrides), null, 100)).items;
      const summary = (items: ErrorGroup[]) => items.map((i) => [i.fingerprint, i.count]);

      it('groups failed events that started in [from, to) by fingerprint, by count then fingerprint', async () => {
        const page = await events.errorGroups!(g(), null, 100);
        expect(page.cursor).toBeNull();
        expect(summary(page.items)).toEqual([
          ['fp-rate', 2],
          ['fp-old', 1],
          ['fp-timeout', 1],
        ]);
      });

      it('reports counts, weights, sessions, first/last seen and the most recent occurrence', async () => {
        const [rate] = await groups();
        expect(rate).toMatchObject({
          fingerprint: 'fp-rate',
          category: 'rate_limit',
          type: 'rate_limitError',
          message: 'slow down',
          stack: 'at slow down',
          count: 2,
          weightedCount: 3,
          sessions: 2,
          firstSeen: T0 + 2 * H + 100,
          lastSeen: T0 + 3 * H + 200,
          sampleEventId: ev.d2,
        });
        expect([...rate!.sampleSessionIds].sort()).toEqual([id('c'), id('d')]);
      });

      test('lists sample session ids most recent occurrence first', async () => {
        const [rate] = await groups();
        expect(rate!.sampleSessionIds).toEqual([id('d'), id('c')]);
      });

      it('filters on production, session slice, model, event type and error category', async () => {
        expect(summary(await groups({ production: false }))).toEqual([['fp-rate', 1]]);
        expect((await groups({ production: false }))[0]!.weightedCount).toBe(2);
        expect(summary(await groups({ production: true }))).toEqual([
          ['fp-old', 1],
          ['fp-rate', 1],
          ['fp-timeout', 1],
        ]);
        expect(summary(await groups({ sessionSlice: 'tag:tier=silver' }))).toEqual([['fp-rate', 1]]);
        expect(summary(await groups({ sessionSlice: 'tag:tier=gold' }))).toEqual([
          ['fp-rate', 1],
          ['fp-timeout', 1],
        ]);
        expect(summary(await groups({ model: 'claude' }))).toEqual([['fp-rate', 1]]);
        expect(summary(await groups({ eventType: 'error' }))).toEqual([['fp-timeout', 1]]);
        expect(summary(await groups({ errorCategory: 'timeout' }))).toEqual([['fp-timeout', 1]]);
        expect(await groups({ from: T0 + 10 * H, to: T0 + 11 * H })).toEqual([]);
      });

      it('pages with an opaque cursor', async () => {
        const seen: string[][] = [];
        let cursor: string | null = null;
        do {
          const page = await events.errorGroups!(g(), cursor, 1);
          seen.push(page.items.map((i) => i.fingerprint));
          cursor = page.cursor;
        } while (cursor !== null && seen.length < 10);
        expect(seen).toEqual([['fp-rate'], ['fp-old'], ['fp-timeout']]);
        const two = await events.errorGroups!(g(), null, 2);
        expect(two.items.map((i) => i.fingerprint)).toEqual(['fp-rate', 'fp-old']);
        const rest = await events.errorGroups!(g(), two.cursor, 2);
        expect(rest).toEqual({
          items: [expect.objectContaining({ fingerprint: 'fp-timeout' })],
          cursor: null,
        });
      });
    });
  });
}
