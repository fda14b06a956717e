import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationPayload } from '../../contracts/alerts';
import { openDuckDbStores } from '../../lambdas/adapters/duckdb';
import { createDuckDbAlertStores, type DuckDbAlertStores } from '../../lambdas/adapters/duckdb/alert-stores';
import type { Channel, Incident, IncidentStore } from '../../lambdas/domain/alert-ports';
import { planDeliveries } from '../../lambdas/domain/alerts/channels';
import { DEFAULT_ALERT_CONFIG } from '../../lambdas/domain/alerts/config';
import { acknowledged, step, type Transition } from '../../lambdas/domain/alerts/incident';
import { acknowledgeIncident, resolveIncident } from '../../lambdas/domain/alerts/manual';
import { type AlertDepsCore, deliverPending } from '../../lambdas/domain/alerts/service';
import { channel, incident } from '../adapters/contracts/alert-stores.contract';
import { uid } from '../adapters/contracts/fixtures';
import { FakeClock } from '../helpers/local-runtime';

/**
 * Manual acknowledge and resolve racing the anomaly job, on the real DuckDB alert stores: the store's
 * compare-and-set makes the loser re-read and apply its change on top, so neither update is lost.
 */
describe('manual acknowledge and resolve racing the anomaly job', () => {
  const T0 = Date.parse('2026-11-10T10:00:00Z');
  let stores: DuckDbAlertStores;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const s = await openDuckDbStores(':memory:');
    stores = createDuckDbAlertStores(s.db);
    close = () => s.db.close();
  });
  afterAll(async () => {
    await close?.();
  });

  /** Deps whose incident store runs `meanwhile` once, just before the next put lands. */
  function setup(meanwhile?: (store: IncidentStore) => Promise<void>) {
    const sent: NotificationPayload[] = [];
    let pending = meanwhile;
    const incidents: IncidentStore = Object.create(stores.incidents);
    incidents.put = async (i: Incident, expected: number) => {
      const run = pending;
      pending = undefined;
      if (run) await run(stores.incidents);
      return stores.incidents.put(i, expected);
    };
    const ch: Channel = channel({ channelId: uid('ch'), type: 'log', agents: '*' });
    const deps = {
      incidents,
      channels: stores.channels,
      rules: stores.rules,
      clock: new FakeClock(T0 + 10 * 60_000),
      alertConfig: DEFAULT_ALERT_CONFIG,
      notifiers: { log: { send: async (_c: Channel, p: NotificationPayload) => void sent.push(p) } },
    } as unknown as AlertDepsCore;
    return { deps, sent, ch };
  }

  /** An open warning incident whose opened notice went to the channel. */
  async function openIncident(ch: Channel): Promise<Incident> {
    await stores.channels.put(ch);
    const i = incident({ agentId: uid('agent'), openedAt: T0, deliveries: [] });
    i.deliveries = planDeliveries(i, 'opened', [ch], null, T0, 0).map((d) => ({
      ...d,
      status: 'sent' as const,
      attempts: 1,
    }));
    await stores.incidents.put(i, 0);
    return i;
  }

  /** What the job's applyCheck writes for an escalation seen on `read`. */
  async function escalate(store: IncidentStore, read: Incident, ch: Channel, at: number) {
    const check = {
      agentId: read.agentId,
      key: read.key,
      source: read.source,
      family: read.family,
      ruleId: null,
      title: read.title,
      severity: 'critical' as const,
      normal: false,
      trigger: { ...read.trigger, severity: 'critical' as const },
      signals: [{ ...read.trigger, severity: 'critical' as const }],
    };
    const state = {
      agentId: read.agentId,
      key: read.key,
      phase: 'open' as const,
      pendingChecks: 0,
      pendingSince: null,
      pendingSeverity: null,
      pendingWindowFrom: null,
      incidentId: read.incidentId,
      version: 1,
      updatedAt: at,
    };
    const r = step(state, read, check, at, DEFAULT_ALERT_CONFIG.anomalyPolicy);
    const next = { ...r.incident!, version: read.version + 1 };
    next.deliveries = planDeliveries(next, r.transition as Transition, [ch], null, at, 0);
    expect(await store.put(next, read.version)).toBe(true);
  }

  it('a resolve that loses the race to an escalation retries on top of it: both are kept', async () => {
    // Prepare: the job escalates the incident between the person's read and write
    const { deps, ch, sent } = setup(async (store) => {
      await escalate(store, (await store.get(i.agentId, i.incidentId))!, ch, T0 + 9 * 60_000);
    });
    const i = await openIncident(ch);
    // Act
    const resolved = await resolveIncident(deps, {
      agentId: i.agentId,
      incidentId: i.incidentId,
      by: 'key_1',
      note: 'fixed',
    });
    // Assess
    expect(resolved).toMatchObject({
      status: 'resolved',
      severity: 'critical',
      resolvedBy: 'key_1',
      version: 4,
    });
    expect(resolved.timeline.map((e) => e.type)).toEqual(['opened', 'escalated', 'manually_resolved']);
    expect(resolved.deliveries.map((d) => [d.type, d.status])).toEqual([
      ['incident.opened', 'sent'],
      ['incident.escalated', 'cancelled'],
      ['incident.resolved', 'sent'],
    ]);
    expect(sent.map((p) => p.type)).toEqual(['incident.resolved']);
  });

  it('refuses a job write based on a read from before the acknowledge, keeping the acknowledge', async () => {
    // Prepare
    const { deps, ch } = setup();
    const i = await openIncident(ch);
    const read = (await stores.incidents.get(i.agentId, i.incidentId))!;
    // Act: the person acknowledges after the job read the incident, before the job writes
    const acked = await acknowledgeIncident(deps, {
      agentId: i.agentId,
      incidentId: i.incidentId,
      by: 'key_1',
      note: null,
    });
    const jobWrite = stores.incidents.put({ ...acknowledged(read, 'x', null, 0)!, version: 2 }, read.version);
    // Assess
    expect(await jobWrite).toBe(false);
    expect(await stores.incidents.get(i.agentId, i.incidentId)).toEqual(acked);
  });

  it('a notice sent while the incident was resolved by hand is recorded, and its channel hears the resolve', async () => {
    // Prepare: an unsent opened notice; the person resolves while the job is sending it
    const { deps, ch, sent } = setup();
    await stores.channels.put(ch);
    const i = incident({ agentId: uid('agent'), openedAt: T0, deliveries: [] });
    i.deliveries = planDeliveries(i, 'opened', [ch], null, T0, 0);
    await stores.incidents.put(i, 0);
    const read = (await stores.incidents.get(i.agentId, i.incidentId))!;
    const job = {
      ...deps,
      notifiers: {
        log: {
          send: async (_c: Channel, p: NotificationPayload) => {
            sent.push(p);
            await resolveIncident(deps, {
              agentId: i.agentId,
              incidentId: i.incidentId,
              by: 'key_1',
              note: null,
            });
          },
        },
      },
    } as AlertDepsCore;
    // Act
    await deliverPending(job, [read], [ch], T0 + 10 * 60_000);
    const afterRace = (await stores.incidents.get(i.agentId, i.incidentId))!;
    await deliverPending(deps, [afterRace], [ch], T0 + 15 * 60_000);
    const final = (await stores.incidents.get(i.agentId, i.incidentId))!;
    // Assess
    expect(afterRace.deliveries.map((d) => [d.type, d.status])).toEqual([
      ['incident.opened', 'sent'],
      ['incident.resolved', 'pending'],
    ]);
    expect(final.deliveries.map((d) => d.status)).toEqual(['sent', 'sent']);
    expect(sent.map((p) => p.type)).toEqual(['incident.opened', 'incident.resolved']);
    expect(final.timeline.at(-1)!.type).toBe('manually_resolved');
  });
});
