import type { Incident } from '../alert-ports';
import { DomainError } from '../errors';
import { planDeliveries, silenceDeliveries } from './channels';
import { acknowledged, resolvedByHand } from './incident';
import { type AlertDepsCore, deliverPending, getIncident } from './service';

/**
 * A person's acknowledge and resolve (the Incidents view's buttons). Both are compare-and-set on the
 * incident's version, retried from a fresh read: an anomaly run that updates the incident at the same
 * moment makes the person's write retry on top of it (or the run's write fail and retry on top of the
 * person's: see deliverPending and the state machine's start-over), so neither update is lost.
 */

const ATTEMPTS = 5;
const iso = (ms: number) => new Date(ms).toISOString();

export interface ManualAction {
  agentId: string;
  incidentId: string;
  /** Who: the API key id, or the dashboard user's JWT subject. */
  by: string;
  note: string | null;
}

async function casLoop(
  deps: AlertDepsCore,
  a: ManualAction,
  change: (current: Incident, now: number) => Promise<Incident | null>,
): Promise<{ incident: Incident; changed: boolean }> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = await getIncident(deps, a.agentId, a.incidentId);
    const now = deps.clock.now();
    const next = await change(current, now);
    if (next === null) return { incident: current, changed: false };
    const stored: Incident = { ...next, version: current.version + 1, updatedAt: now };
    if (await deps.incidents.put(stored, current.version)) return { incident: stored, changed: true };
  }
  throw new DomainError('conflict', `incident ${a.incidentId} kept changing while being updated; try again`);
}

/**
 * Acknowledges an open incident: stamps who and when, adds a timeline entry, and cancels the notices not
 * sent yet (held warnings, escalations); from then on it sends only its resolved notice. Acknowledging
 * again changes nothing. A resolved incident that was never acknowledged is a conflict.
 */
export async function acknowledgeIncident(deps: AlertDepsCore, a: ManualAction): Promise<Incident> {
  const { incident } = await casLoop(deps, a, async (current, now) => {
    if (current.acknowledgedAt !== null) return null;
    if (current.status === 'resolved') {
      throw new DomainError(
        'conflict',
        `incident ${current.incidentId} was resolved at ${iso(current.resolvedAt ?? now)}; there is nothing to acknowledge`,
      );
    }
    const next = acknowledged(current, a.by, a.note, now)!;
    next.deliveries = silenceDeliveries(next.deliveries);
    return next;
  });
  return incident;
}

/**
 * Resolves an open incident now: the channels that were told hear that it resolved (sent at once), its
 * held notices are cancelled, and the next anomaly check starts the key's cooldown from this moment (a
 * metric still breaching opens a new incident only once the cooldown has passed). Resolving a resolved
 * incident is a conflict.
 */
export async function resolveIncident(deps: AlertDepsCore, a: ManualAction): Promise<Incident> {
  const channels = await deps.channels.list();
  const { incident } = await casLoop(deps, a, async (current, now) => {
    if (current.status === 'resolved') {
      throw new DomainError(
        'conflict',
        `incident ${current.incidentId} is already resolved (at ${iso(current.resolvedAt ?? now)})`,
      );
    }
    const rule = current.ruleId ? await deps.rules.get(current.ruleId) : null;
    const next = resolvedByHand(current, a.by, a.note, now);
    next.deliveries = planDeliveries(next, 'resolved', channels, rule, now, 0);
    return next;
  });
  await deliverPending(deps, [incident], channels, deps.clock.now());
  return (await deps.incidents.get(a.agentId, a.incidentId)) ?? incident;
}
