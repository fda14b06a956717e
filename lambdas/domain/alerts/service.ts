import { randomUUID } from 'node:crypto';
import { METRIC_FAMILIES, type MetricFamily } from '../../../contracts/alerts';
import type {
  AlertRule,
  AlertRuleStore,
  AlertState,
  Baseline,
  Channel,
  ChannelStore,
  Incident,
  Notifiers,
  Signal,
} from '../alert-ports';
import { metricsForSlice } from '../baselines/metrics';
import { type BaselineDeps, byHour, latestBaselines } from '../baselines/service';
import { DomainError } from '../errors';
import { epochHour } from '../model';
import { ensureResolvedNotices, planDeliveries } from './channels';
import { type Judgement, judge } from './detect';
import { type Check, type IncidentPolicy, initialState, severityRank, signalKey, step } from './incident';
import { buildPayload, incidentLink } from './notification';
import { evaluateRule, ruleCheck, ruleSlice, ruleWindow } from './rules';

export interface AlertDepsCore extends BaselineDeps {
  rules: AlertRuleStore;
  channels: ChannelStore;
  notifiers: Notifiers;
  warn?: (message: string, details: Record<string, unknown>) => void;
}

export interface AnomalyRunResult {
  agents: number;
  checks: number;
  opened: number;
  escalated: number;
  resolved: number;
  sent: number;
  failed: number;
}

const FAMILY_LABEL: Record<MetricFamily, string> = {
  cost: 'Cost',
  errors: 'Error',
  latency: 'Latency',
  volume: 'Traffic volume',
};

export function judgementSignal(j: Judgement, now: number): Signal {
  return {
    metric: j.metric,
    slice: j.slice,
    value: j.value,
    expected: j.expected,
    lower: j.lower,
    upper: j.upper,
    z: j.z,
    direction: j.direction,
    severity: j.severity,
    volume: j.volume,
    windowFrom: j.windowFrom,
    windowTo: j.windowTo,
    at: now,
    reason: 'anomaly',
  };
}

/** Judges every metric of every slice that has a baseline, on the most recent traffic. */
export async function judgeAgent(
  deps: Pick<BaselineDeps, 'rollups' | 'alertConfig'>,
  agentId: string,
  baselines: ReadonlyMap<string, Baseline>,
  now: number,
  onlySlice?: string,
): Promise<Judgement[]> {
  const cfg = deps.alertConfig;
  const current = epochHour(now);
  const out: Judgement[] = [];
  const slices = onlySlice ? [onlySlice] : [...new Set(['all', ...baselines.keys()])];
  for (const slice of slices) {
    const records = await deps.rollups.query(
      agentId,
      cfg.production,
      slice,
      current - cfg.detect.maxWindowHours + 1,
      current + 1,
    );
    const hourly = byHour(records);
    const baseline = baselines.get(slice) ?? null;
    for (const spec of metricsForSlice(slice))
      out.push(judge(spec, baseline, hourly, slice, now, cfg.detect));
  }
  return out;
}

/**
 * One check per metric family: the worst breach among its primary metrics and slices. Supporting metrics'
 * breaches ride along as evidence (and hold an open incident) but never open one on their own.
 */
export function familyChecks(agentId: string, judgements: Judgement[], now: number): Check[] {
  const rank = (a: Judgement, b: Judgement) =>
    severityRank(b.severity) - severityRank(a.severity) ||
    Number(b.slice === 'all') - Number(a.slice === 'all') ||
    Math.abs(b.z ?? 0) - Math.abs(a.z ?? 0);
  return METRIC_FAMILIES.map((family) => {
    const js = judgements.filter((j) => j.family === family);
    const primary = js.filter((j) => j.severity !== null && !j.supporting).sort(rank);
    const top = primary[0] ?? null;
    const evidence = top ? js.filter((j) => j.severity !== null).sort(rank) : [];
    return {
      agentId,
      key: `anomaly:${family}`,
      source: 'anomaly',
      family,
      ruleId: null,
      title: `${FAMILY_LABEL[family]} anomaly on ${agentId}`,
      severity: top?.severity ?? null,
      normal: js.every((j) => j.normal),
      // Only primary metrics hold an incident open: a supporting one judged over a long, quiet window
      // would keep it open hours after the agent is back to normal.
      elevated: js.filter((j) => !j.supporting && !j.normal && j.severity === null).map(signalKey),
      trigger: top ? judgementSignal(top, now) : null,
      signals: evidence.map((j) => judgementSignal(j, now)),
    } satisfies Check;
  });
}

const ruleApplies = (rule: AlertRule, agentId: string) =>
  rule.enabled && (rule.agentId === '*' || rule.agentId === agentId);

/**
 * The anomaly job (every 5 minutes): judges each agent's recent traffic against its baselines and
 * evaluates the alert rules, moves each incident through the state machine, and sends what is due.
 */
export async function runAnomalyChecks(deps: AlertDepsCore): Promise<AnomalyRunResult> {
  const now = deps.clock.now();
  const agents = (await deps.agents.list()).map((a) => a.agentId);
  const rules = await deps.rules.list();
  const channels = await deps.channels.list();
  const result: AnomalyRunResult = {
    agents: agents.length,
    checks: 0,
    opened: 0,
    escalated: 0,
    resolved: 0,
    sent: 0,
    failed: 0,
  };
  const touched = new Map<string, Incident>();
  for (const agentId of agents) {
    const baselines = await latestBaselines(deps, agentId, now);
    const checks = familyChecks(agentId, await judgeAgent(deps, agentId, baselines, now), now);
    const ruleOf = new Map<string, AlertRule>();
    for (const rule of rules) {
      if (!ruleApplies(rule, agentId)) continue;
      const { slice, production } = ruleSlice(rule.filters);
      const { fromHour, toHour } = ruleWindow(rule, now);
      const records = await deps.rollups.query(agentId, production, slice, fromHour, toHour);
      checks.push(ruleCheck(rule, evaluateRule(rule, agentId, records, now), now));
      ruleOf.set(`rule:${rule.ruleId}`, rule);
    }
    const states = new Map((await deps.incidents.listStates(agentId)).map((s) => [s.key, s]));
    // A rule deleted or disabled while it had an incident: its metrics count as normal from now on.
    for (const s of states.values()) {
      if (s.phase === 'ok' || checks.some((c) => c.key === s.key)) continue;
      const ruleId = s.key.startsWith('rule:') ? s.key.slice(5) : null;
      checks.push({
        agentId,
        key: s.key,
        source: ruleId ? 'rule' : 'anomaly',
        family: null,
        ruleId,
        title: s.key,
        severity: null,
        normal: true,
        trigger: null,
        signals: [],
      });
    }
    for (const check of checks) {
      result.checks++;
      const policy = check.source === 'rule' ? deps.alertConfig.rulePolicy : deps.alertConfig.anomalyPolicy;
      const rule = check.ruleId ? (ruleOf.get(check.key) ?? null) : null;
      const state = states.get(check.key) ?? initialState(agentId, check.key, now);
      const out = await applyCheck(deps, state, check, now, policy, channels, rule);
      if (out.transition === 'opened') result.opened++;
      if (out.transition === 'escalated') result.escalated++;
      if (out.transition === 'resolved') result.resolved++;
      if (out.incident) touched.set(out.incident.incidentId, out.incident);
      if (out.state) states.set(check.key, out.state);
    }
    await closeOrphans(deps, agentId, states, now, touched);
  }
  for (const i of await deps.incidents.listOpen(null))
    if (!touched.has(i.incidentId)) touched.set(i.incidentId, i);
  const delivered = await deliverPending(deps, [...touched.values()], channels, now);
  result.sent = delivered.sent;
  result.failed = delivered.failed;
  return result;
}

async function applyCheck(
  deps: AlertDepsCore,
  state: AlertState,
  check: Check,
  now: number,
  policy: IncidentPolicy,
  channels: Channel[],
  rule: AlertRule | null,
): Promise<{ transition: string | null; incident: Incident | null; state: AlertState | null }> {
  const incident = state.incidentId ? await deps.incidents.get(check.agentId, state.incidentId) : null;
  const r = step(state, incident, check, now, policy);
  // The state goes first: a crash after it leaves a state pointing at a missing incident, which the next
  // check repairs (it starts over); the other order could leave an open incident nothing refers to.
  let nextState: AlertState | null = null;
  if (r.stateChanged) {
    nextState = { ...r.state, version: state.version + 1 };
    if (!(await deps.incidents.putState(nextState, state.version))) {
      deps.warn?.('alert state changed concurrently; check skipped', {
        agentId: check.agentId,
        key: check.key,
      });
      return { transition: null, incident: null, state: null };
    }
  }
  if (!r.incidentChanged || !r.incident) return { transition: null, incident: null, state: nextState };
  const next: Incident = { ...r.incident, version: (incident?.version ?? 0) + 1 };
  if (r.transition) {
    next.deliveries = planDeliveries(next, r.transition, channels, rule, now, policy.warningHoldMs);
  }
  if (!(await deps.incidents.put(next, incident?.version ?? 0))) {
    deps.warn?.('incident changed concurrently; update skipped', { incidentId: next.incidentId });
    return { transition: null, incident: null, state: nextState };
  }
  return { transition: r.transition, incident: next, state: nextState };
}

/** Open incidents their key's state no longer points at (an interrupted run) are resolved. */
async function closeOrphans(
  deps: AlertDepsCore,
  agentId: string,
  states: Map<string, AlertState>,
  now: number,
  touched: Map<string, Incident>,
): Promise<void> {
  for (const i of await deps.incidents.listOpen(agentId)) {
    if (states.get(i.key)?.incidentId === i.incidentId) continue;
    const next: Incident = {
      ...i,
      status: 'resolved',
      resolvedAt: now,
      windowTo: i.normalSince ?? now,
      timeline: [...i.timeline, { at: now, type: 'resolved', severity: null, detail: 'superseded' }],
      version: i.version + 1,
      updatedAt: now,
    };
    if (await deps.incidents.put(next, i.version)) touched.set(i.incidentId, next);
  }
}

/** Sends every pending delivery (and retries failed ones) of these incidents, recording each outcome. */
export async function deliverPending(
  deps: AlertDepsCore,
  incidents: Incident[],
  channels: Channel[],
  now: number,
): Promise<{ sent: number; failed: number }> {
  const byId = new Map(channels.map((c) => [c.channelId, c]));
  const max = deps.alertConfig.maxDeliveryAttempts;
  const out = { sent: 0, failed: 0 };
  for (const incident of incidents) {
    const due = (d: Incident['deliveries'][number]) =>
      (d.status === 'pending' && (d.notBefore ?? 0) <= now) || (d.status === 'failed' && d.attempts < max);
    if (!incident.deliveries.some(due)) continue;
    const next: Incident = { ...incident, deliveries: incident.deliveries.map((d) => ({ ...d })) };
    const tried = new Map<string, Incident['deliveries'][number]>();
    for (const d of next.deliveries) {
      if (!due(d)) continue;
      tried.set(d.deliveryId, d);
      const channel = byId.get(d.channelId);
      d.attempts++;
      d.lastAttemptAt = now;
      const error = channel
        ? await send(deps, channel, next, d.type, d.deliveryId, now)
        : `channel ${d.channelId} no longer exists`;
      d.status = error === null ? 'sent' : 'failed';
      d.error = error;
      if (!channel) d.attempts = max;
      if (error === null) out.sent++;
      else out.failed++;
      if (channel)
        await deps.channels.recordDelivery(channel.channelId, { at: now, ok: error === null, error });
    }
    next.version = incident.version + 1;
    if (await deps.incidents.put(next, incident.version)) continue;
    if (!(await recordOutcomes(deps, incident, tried))) {
      deps.warn?.('incident kept changing while delivering; outcomes not recorded', {
        incidentId: incident.incidentId,
      });
    }
  }
  return out;
}

/**
 * The incident changed while its notices were being sent (a person acknowledged or resolved it, or
 * another run): the outcomes go onto the stored version, compare-and-set again, so neither update is
 * lost. A notice that went out just as the incident was resolved by hand still earns its channel the
 * resolved notice.
 */
async function recordOutcomes(
  deps: AlertDepsCore,
  incident: Incident,
  tried: ReadonlyMap<string, Incident['deliveries'][number]>,
): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const fresh = await deps.incidents.get(incident.agentId, incident.incidentId);
    if (!fresh) return false;
    let deliveries = fresh.deliveries.map((d) => ({ ...(tried.get(d.deliveryId) ?? d) }));
    if (fresh.status === 'resolved') deliveries = ensureResolvedNotices(deliveries);
    if (await deps.incidents.put({ ...fresh, deliveries, version: fresh.version + 1 }, fresh.version)) {
      return true;
    }
  }
  return false;
}

/** Sends one notification; answers null on success, else the reason. */
async function send(
  deps: AlertDepsCore,
  channel: Channel,
  incident: Incident | null,
  type: Incident['deliveries'][number]['type'],
  deliveryId: string,
  now: number,
): Promise<string | null> {
  if (!channel.enabled) return 'channel is disabled';
  const notifier = deps.notifiers[channel.type];
  if (!notifier) return `no ${channel.type} notifier in this deployment`;
  const payload = buildPayload({
    type,
    incident,
    deliveryId,
    now,
    link: incident ? incidentLink(deps.alertConfig.dashboardUrl, incident) : null,
    channelName: channel.name,
  });
  try {
    await notifier.send(channel, payload);
    return null;
  } catch (e) {
    deps.warn?.('notification failed', { channelId: channel.channelId, type, error: (e as Error).message });
    return e instanceof Error ? e.message : String(e);
  }
}

/** The test-send button: one "test" notification through the channel, now. */
export async function testChannel(
  deps: AlertDepsCore,
  channel: Channel,
): Promise<{ ok: boolean; error: string | null }> {
  const now = deps.clock.now();
  const error = await send(deps, { ...channel, enabled: true }, null, 'test', randomUUID(), now);
  await deps.channels.recordDelivery(channel.channelId, { at: now, ok: error === null, error });
  return { ok: error === null, error };
}

/** Fails with not-found unless the incident exists for this agent. */
export async function getIncident(
  deps: AlertDepsCore,
  agentId: string,
  incidentId: string,
): Promise<Incident> {
  const i = await deps.incidents.get(agentId, incidentId);
  if (!i) throw new DomainError('not-found', `incident ${incidentId} not found for agent ${agentId}`);
  return i;
}
