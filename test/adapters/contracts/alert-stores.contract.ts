import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AlertRule,
  AlertRuleStore,
  AlertState,
  Baseline,
  BaselineStore,
  Channel,
  ChannelStore,
  Incident,
  IncidentStore,
} from '../../../lambdas/domain/alert-ports';
import { type MakeStore, T0, uid } from './fixtures';

const HOUR = 3_600_000;

export const baseline = (over: Partial<Baseline> = {}): Baseline => ({
  agentId: uid('agent'),
  slice: 'all',
  production: true,
  date: '2026-01-02',
  computedAt: T0,
  windowFrom: T0 - 14 * 24 * HOUR,
  windowTo: T0,
  dataFrom: T0 - 14 * 24 * HOUR,
  status: 'ready',
  warmupEndsAt: null,
  excludedHours: 3,
  metrics: [
    {
      metric: 'cost_per_session',
      center: Array.from({ length: 168 }, (_, i) => (i % 5 === 0 ? null : 0.01 + i * 1e-5)),
      volume: Array.from({ length: 168 }, () => 12),
      pools: 'w'.repeat(168),
      spreadUp: 0.02,
      spreadDown: 0.015,
      hours: 300,
      units: 4000,
    },
  ],
  ...over,
});

export const rule = (over: Partial<AlertRule> = {}): AlertRule => ({
  ruleId: uid('rule'),
  name: 'p95 cost per session',
  agentId: '*',
  metric: 'cost',
  aggregation: 'p95',
  windowMinutes: 60,
  comparator: '>',
  warning: 0.5,
  critical: 1,
  filters: { production: true, tag: 'tier:pro' },
  minVolume: 5,
  noData: 'keep',
  channelIds: ['ch_1'],
  enabled: true,
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

export const channel = (over: Partial<Channel> = {}): Channel => ({
  channelId: uid('ch'),
  name: 'on-call webhook',
  type: 'webhook',
  topicArn: null,
  webhookUrl: null,
  url: 'https://hooks.example.com/vigil',
  secret: 'a-secret-of-at-least-16',
  notifyAnomalies: true,
  minSeverity: 'warning',
  agents: ['support-bot'],
  enabled: true,
  createdAt: T0,
  updatedAt: T0,
  lastDelivery: null,
  ...over,
});

let seq = 0;
export const incident = (over: Partial<Incident> = {}): Incident => {
  const openedAt = over.openedAt ?? T0 + seq++;
  return {
    incidentId: `inc_${openedAt.toString(36).padStart(10, '0')}${uid('x').slice(-6)}`,
    agentId: 'agent',
    key: 'anomaly:cost',
    source: 'anomaly',
    family: 'cost',
    ruleId: null,
    title: 'Cost anomaly on agent',
    status: 'open',
    severity: 'warning',
    peakSeverity: 'warning',
    firstBreachAt: openedAt - 300_000,
    openedAt,
    lastBreachAt: openedAt,
    normalSince: null,
    resolvedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedBy: null,
    windowFrom: openedAt - HOUR,
    windowTo: null,
    trigger: {
      metric: 'cost_per_session',
      slice: 'all',
      value: 0.04,
      expected: 0.01,
      lower: 0,
      upper: 0.015,
      z: 9.5,
      direction: 'up',
      severity: 'warning',
      volume: 20,
      windowFrom: openedAt - HOUR,
      windowTo: openedAt,
      at: openedAt,
      reason: 'anomaly',
    },
    signals: [],
    timeline: [{ at: openedAt, type: 'opened', severity: 'warning', detail: 'x' }],
    deliveries: [
      {
        channelId: 'ch_1',
        type: 'incident.opened',
        status: 'pending',
        notBefore: null,
        attempts: 0,
        lastAttemptAt: null,
        error: null,
        deliveryId: uid('d'),
      },
    ],
    version: 1,
    updatedAt: openedAt,
    ...over,
  };
};

function lifecycle<T>(makeStore: MakeStore<T>) {
  const ctx = {} as { store: T; cleanup?: () => Promise<void> };
  beforeAll(async () => {
    Object.assign(ctx, await makeStore());
  });
  afterAll(async () => {
    await ctx.cleanup?.();
  });
  return ctx;
}

/** The BaselineStore contract (lambdas/domain/alert-ports.ts), run against every adapter. */
export function describeBaselineStoreContract(name: string, makeStore: MakeStore<BaselineStore>): void {
  describe(`BaselineStore contract: ${name}`, () => {
    const ctx = lifecycle(makeStore);

    it('stores a baseline and lists it back unchanged', async () => {
      // Prepare
      const b = baseline();
      // Act
      await ctx.store.put(b);
      // Assess
      expect(
        await ctx.store.list({
          agentId: b.agentId,
          production: true,
          fromDate: '2026-01-01',
          toDate: '2026-01-31',
        }),
      ).toEqual([b]);
    });

    it('replaces the baseline of the same agent, flag, slice and date', async () => {
      // Prepare
      const first = baseline();
      await ctx.store.put(first);
      const again = { ...first, computedAt: T0 + 1, status: 'warming_up' as const };
      // Act
      await ctx.store.put(again);
      // Assess
      expect(
        await ctx.store.list({
          agentId: first.agentId,
          production: true,
          fromDate: '2026-01-02',
          toDate: '2026-01-02',
        }),
      ).toEqual([again]);
    });

    it('lists by date range (inclusive) and slice, ordered by date then slice', async () => {
      // Prepare
      const agentId = uid('agent');
      const make = (date: string, slice: string, production = true) =>
        baseline({ agentId, date, slice, production });
      for (const b of [
        make('2026-01-03', 'tag:tier=pro'),
        make('2026-01-03', 'all'),
        make('2026-01-01', 'all'),
        make('2026-01-05', 'all'),
        make('2026-01-03', 'all', false),
      ]) {
        await ctx.store.put(b);
      }
      // Act
      const range = await ctx.store.list({
        agentId,
        production: true,
        fromDate: '2026-01-02',
        toDate: '2026-01-05',
      });
      const one = await ctx.store.list({
        agentId,
        production: true,
        fromDate: '2026-01-01',
        toDate: '2026-01-05',
        slice: 'all',
      });
      // Assess
      expect(range.map((b) => `${b.date} ${b.slice}`)).toEqual([
        '2026-01-03 all',
        '2026-01-03 tag:tier=pro',
        '2026-01-05 all',
      ]);
      expect(one.map((b) => b.date)).toEqual(['2026-01-01', '2026-01-03', '2026-01-05']);
    });
    it('prunes only baselines dated before the date, and answers how many are gone', async () => {
      // Prepare: an agent's baselines over five days (both production flags), with an expiry
      const agentId = uid('agent');
      const dates = ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05'];
      for (const date of dates) {
        await ctx.store.put(baseline({ agentId, date }), Date.parse(date) + 2 * 24 * HOUR);
        await ctx.store.put(baseline({ agentId, date, production: false }), Date.parse(date) + 2 * 24 * HOUR);
      }
      const other = baseline({ date: '2026-01-01' });
      await ctx.store.put(other, null);
      const listed = async (production: boolean) =>
        (await ctx.store.list({ agentId, production, fromDate: '2026-01-01', toDate: '2026-01-31' })).map(
          (b) => b.date,
        );
      // Act
      const pruned = await ctx.store.prune(agentId, '2026-01-03');
      // Assess: either the store deleted exactly the four older ones, or its TTL will (then it answers 0)
      const left = [...(await listed(true)), ...(await listed(false))];
      expect([0, 4]).toContain(pruned);
      expect(left).toHaveLength(10 - pruned);
      expect(left.filter((d) => d >= '2026-01-03')).toHaveLength(6);
      expect(
        await ctx.store.list({
          agentId: other.agentId,
          production: true,
          fromDate: '2026-01-01',
          toDate: '2026-01-01',
        }),
      ).toEqual([other]);
    });
  });
}

/** The AlertRuleStore contract. */
export function describeAlertRuleStoreContract(name: string, makeStore: MakeStore<AlertRuleStore>): void {
  describe(`AlertRuleStore contract: ${name}`, () => {
    it('puts, gets, lists by id, replaces and deletes rules', async () => {
      // Prepare
      const { store, cleanup } = await makeStore();
      try {
        const a = rule({ ruleId: 'rule_b' });
        const b = rule({ ruleId: 'rule_a', noData: 'critical' });
        // Act
        await store.put(a);
        await store.put(b);
        await store.put({ ...a, name: 'renamed' });
        const listed = await store.list();
        const deleted = await store.delete('rule_a');
        const deletedAgain = await store.delete('rule_a');
        // Assess
        expect(listed).toEqual([b, { ...a, name: 'renamed' }]);
        expect(await store.get('rule_b')).toEqual({ ...a, name: 'renamed' });
        expect([deleted, deletedAgain]).toEqual([true, false]);
        expect(await store.get('rule_a')).toBeNull();
      } finally {
        await cleanup?.();
      }
    });
  });
}

/** The ChannelStore contract. */
export function describeChannelStoreContract(name: string, makeStore: MakeStore<ChannelStore>): void {
  describe(`ChannelStore contract: ${name}`, () => {
    const ctx = lifecycle(makeStore);

    it('keeps secrets as stored (masking is the API view’s job)', async () => {
      // Prepare
      const c = channel();
      // Act
      await ctx.store.put(c);
      // Assess
      expect(await ctx.store.get(c.channelId)).toEqual(c);
      expect((await ctx.store.list()).map((x) => x.channelId)).toContain(c.channelId);
    });

    it('records the latest delivery outcome, and ignores unknown channels', async () => {
      // Prepare
      const c = channel();
      await ctx.store.put(c);
      // Act
      await ctx.store.recordDelivery(c.channelId, { at: T0 + 1, ok: false, error: 'webhook: HTTP 500' });
      await ctx.store.recordDelivery(c.channelId, { at: T0 + 2, ok: true, error: null });
      await ctx.store.recordDelivery(uid('ch'), { at: T0, ok: true, error: null });
      // Assess
      expect((await ctx.store.get(c.channelId))!.lastDelivery).toEqual({ at: T0 + 2, ok: true, error: null });
    });

    it('deletes a channel once', async () => {
      // Prepare
      const c = channel();
      await ctx.store.put(c);
      // Act / Assess
      expect(await ctx.store.delete(c.channelId)).toBe(true);
      expect(await ctx.store.delete(c.channelId)).toBe(false);
      expect(await ctx.store.get(c.channelId)).toBeNull();
    });
  });
}

/** The IncidentStore contract. */
export function describeIncidentStoreContract(name: string, makeStore: MakeStore<IncidentStore>): void {
  describe(`IncidentStore contract: ${name}`, () => {
    const ctx = lifecycle(makeStore);

    it('creates an incident once and replaces it only from the version it read', async () => {
      // Prepare
      const i = incident({ agentId: uid('agent') });
      // Act
      const created = await ctx.store.put(i, 0);
      const duplicate = await ctx.store.put(i, 0);
      const updated = await ctx.store.put({ ...i, severity: 'critical', version: 2 }, 1);
      const stale = await ctx.store.put({ ...i, title: 'lost update', version: 2 }, 1);
      // Assess
      expect([created, duplicate, updated, stale]).toEqual([true, false, true, false]);
      expect(await ctx.store.get(i.agentId, i.incidentId)).toEqual({
        ...i,
        severity: 'critical',
        version: 2,
      });
      expect(await ctx.store.get(uid('agent'), i.incidentId)).toBeNull();
    });

    it('lists newest first, filtered by status, source and overlap with a window, paged by cursor', async () => {
      // Prepare
      const agentId = uid('agent');
      const at = (h: number) => T0 + h * HOUR;
      const items = [
        incident({
          agentId,
          openedAt: at(1),
          windowFrom: at(0),
          windowTo: at(2),
          status: 'resolved',
          resolvedAt: at(3),
        }),
        incident({
          agentId,
          openedAt: at(5),
          windowFrom: at(4),
          windowTo: at(6),
          status: 'resolved',
          resolvedAt: at(7),
        }),
        incident({
          agentId,
          openedAt: at(9),
          windowFrom: at(8),
          source: 'rule',
          key: 'rule:r',
          family: null,
          ruleId: 'r',
        }),
        incident({ agentId, openedAt: at(10), windowFrom: at(9) }),
      ];
      for (const i of items) await ctx.store.put(i, 0);
      const ids = (page: { items: Incident[] }) => page.items.map((i) => i.incidentId);
      // Act
      const all = await ctx.store.list({ agentId }, null, 10);
      const first = await ctx.store.list({ agentId }, null, 3);
      const second = await ctx.store.list({ agentId }, first.cursor, 3);
      const open = await ctx.store.list({ agentId, status: 'open' }, null, 10);
      const anomalies = await ctx.store.list({ agentId, source: 'anomaly' }, null, 10);
      const overlapping = await ctx.store.list({ agentId, from: at(5), to: at(9) }, null, 10);
      // Assess
      expect(ids(all)).toEqual([...items].reverse().map((i) => i.incidentId));
      expect(ids(first)).toEqual(ids(all).slice(0, 3));
      expect(ids(second)).toEqual(ids(all).slice(3));
      expect(first.cursor).not.toBeNull();
      expect(second.cursor).toBeNull();
      expect(ids(open)).toEqual([items[3]!.incidentId, items[2]!.incidentId]);
      expect(ids(anomalies)).toEqual([items[3]!.incidentId, items[1]!.incidentId, items[0]!.incidentId]);
      // [4,6) overlaps [5,9); [8,∞) overlaps; [9,∞) starts at the end (no); [0,2) ends before.
      expect(ids(overlapping)).toEqual([items[2]!.incidentId, items[1]!.incidentId]);
    });

    it('keeps who acknowledged and who resolved an incident, and their timeline entries', async () => {
      // Prepare
      const i = incident({ agentId: uid('agent') });
      await ctx.store.put(i, 0);
      const acked: Incident = {
        ...i,
        acknowledgedAt: T0 + 60_000,
        acknowledgedBy: 'key_0123456789abcdef',
        timeline: [...i.timeline, { at: T0 + 60_000, type: 'acknowledged', severity: null, detail: 'on it' }],
        version: 2,
      };
      const resolved: Incident = {
        ...acked,
        status: 'resolved',
        resolvedAt: T0 + 120_000,
        resolvedBy: '5f1c-user-subject',
        windowTo: T0 + 120_000,
        timeline: [
          ...acked.timeline,
          { at: T0 + 120_000, type: 'manually_resolved', severity: null, detail: null },
        ],
        version: 3,
      };
      // Act
      const steps = [await ctx.store.put(acked, 1), await ctx.store.put(resolved, 2)];
      // Assess
      expect(steps).toEqual([true, true]);
      expect(await ctx.store.get(i.agentId, i.incidentId)).toEqual(resolved);
      expect((await ctx.store.list({ agentId: i.agentId }, null, 10)).items).toEqual([resolved]);
      expect(await ctx.store.listOpen(i.agentId)).toEqual([]);
    });

    it('reads an incident stored before acknowledge existed with those fields empty', async () => {
      // Prepare
      const {
        acknowledgedAt: _a,
        acknowledgedBy: _b,
        resolvedBy: _r,
        ...legacy
      } = incident({
        agentId: uid('agent'),
      });
      // Act
      await ctx.store.put(legacy as Incident, 0);
      // Assess
      expect(await ctx.store.get(legacy.agentId, legacy.incidentId)).toMatchObject({
        acknowledgedAt: null,
        acknowledgedBy: null,
        resolvedBy: null,
      });
    });

    it('refuses a cursor it did not issue', async () => {
      await expect(ctx.store.list({ agentId: 'a' }, 'not-a-cursor', 10)).rejects.toMatchObject({
        kind: 'validation',
        field: 'cursor',
      });
    });

    it('lists open incidents of one agent or of all, and forgets them once resolved', async () => {
      // Prepare
      const a = uid('agent');
      const b = uid('agent');
      const ia = incident({ agentId: a });
      const ib = incident({ agentId: b });
      await ctx.store.put(ia, 0);
      await ctx.store.put(ib, 0);
      // Act
      const beforeA = await ctx.store.listOpen(a);
      await ctx.store.put({ ...ia, status: 'resolved', resolvedAt: T0, windowTo: T0, version: 2 }, 1);
      const afterA = await ctx.store.listOpen(a);
      const everyone = await ctx.store.listOpen(null);
      // Assess
      expect(beforeA).toEqual([ia]);
      expect(afterA).toEqual([]);
      expect(everyone.map((i) => i.incidentId)).toContain(ib.incidentId);
      expect(everyone.map((i) => i.incidentId)).not.toContain(ia.incidentId);
    });

    it('keeps alert states per agent and key with compare-and-set', async () => {
      // Prepare
      const agentId = uid('agent');
      const state: AlertState = {
        agentId,
        key: 'anomaly:cost',
        phase: 'pending',
        pendingChecks: 1,
        pendingSince: T0,
        pendingSeverity: 'warning',
        pendingWindowFrom: T0 - HOUR,
        incidentId: null,
        version: 1,
        updatedAt: T0,
      };
      // Act
      const created = await ctx.store.putState(state, 0);
      const conflict = await ctx.store.putState({ ...state, pendingChecks: 9 }, 0);
      const next = await ctx.store.putState({ ...state, phase: 'open', incidentId: 'inc_x', version: 2 }, 1);
      const quiet = await ctx.store.putState(
        { ...state, phase: 'ok', incidentId: null, quietUntil: T0 + HOUR, version: 3 },
        2,
      );
      await ctx.store.putState({ ...state, key: 'rule:r1' }, 0);
      // Assess
      expect([created, conflict, next, quiet]).toEqual([true, false, true, true]);
      expect(await ctx.store.getState(agentId, 'anomaly:cost')).toMatchObject({
        phase: 'ok',
        quietUntil: T0 + HOUR,
        version: 3,
      });
      expect(await ctx.store.getState(agentId, 'anomaly:errors')).toBeNull();
      expect((await ctx.store.listStates(agentId)).map((s) => s.key)).toEqual(['anomaly:cost', 'rule:r1']);
    });
  });
}
