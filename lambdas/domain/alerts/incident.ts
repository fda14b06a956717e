import { randomBytes } from 'node:crypto';
import type { MetricFamily, Severity } from '../../../contracts/alerts';
import type { AlertState, Incident, Signal, TimelineEntry } from '../alert-ports';

/**
 * The incident state machine, per agent and key ("anomaly:<family>", "rule:<id>"):
 *
 *   ok ──breach──▶ pending ──breach × confirmChecks──▶ open ──normal for cooldown──▶ (resolved) ok
 *                     └──no breach──▶ ok                 │ breach: same incident (dedupe), may escalate
 *                                                        └ normal again resets the cooldown clock
 *
 * A breach that is not confirmed never becomes an incident (one odd window is not a page). While an
 * incident is open every further breach joins it. It resolves itself once its metrics have been back to
 * normal (below the hysteresis level) for the whole cooldown; a breach during the cooldown keeps it open
 * without a new notification — that is what stops flapping. A person may resolve an open incident by hand
 * (resolvedByHand): the next check then keeps the key quiet for one cooldown from that moment, so a
 * metric still breaching opens a new incident only after it. Pure: no I/O, the caller stores the result.
 */

export interface Check {
  agentId: string;
  key: string;
  source: 'anomaly' | 'rule';
  family: MetricFamily | null;
  ruleId: string | null;
  title: string;
  /** Worst severity this check saw (null: no breach). */
  severity: Severity | null;
  /** Clearly normal: counts toward resolution. */
  normal: boolean;
  /**
   * Signals (`signalKey`) above the hysteresis level but below warning. When given, only these of the
   * incident's own signals hold it open: an unrelated noisy metric of the family does not.
   */
  elevated?: string[];
  /** Leave everything as it is (a rule's "keep" no-data policy). */
  hold?: boolean;
  /** The strongest breaching signal (null without a breach). */
  trigger: Signal | null;
  /** Every breaching signal. */
  signals: Signal[];
}

export interface IncidentPolicy {
  /** Consecutive breaching checks before an incident opens. */
  confirmChecks: number;
  /** How long metrics must stay normal before an open incident resolves. */
  cooldownMs: number;
  /**
   * How long the first notification of a warning-level incident waits: if it turns critical meanwhile,
   * channels hear once, at critical. Critical incidents notify at once.
   */
  warningHoldMs: number;
}

export type Transition = 'opened' | 'escalated' | 'resolved';

export interface StepResult {
  state: AlertState;
  /** The incident after this check (null when none is involved). */
  incident: Incident | null;
  /** Whether `incident` differs from the one given (it must be stored). */
  incidentChanged: boolean;
  stateChanged: boolean;
  /** What the outside world should hear about. */
  transition: Transition | null;
}

export const signalKey = (s: Pick<Signal, 'metric' | 'slice'>): string => `${s.metric}\u0000${s.slice}`;

export const severityRank = (s: Severity | null): number => (s === 'critical' ? 2 : s === 'warning' ? 1 : 0);
export const maxSeverity = (a: Severity | null, b: Severity | null): Severity | null =>
  severityRank(a) >= severityRank(b) ? a : b;

const MAX_SIGNALS = 20;
const MAX_TIMELINE = 200;

/** Time-ordered incident ids: "inc_" + opening time (base 36, fixed width) + random. */
export function newIncidentId(now: number): string {
  return `inc_${Math.max(0, Math.floor(now)).toString(36).padStart(10, '0')}${randomBytes(5).toString('hex')}`;
}

export function initialState(agentId: string, key: string, now: number): AlertState {
  return {
    agentId,
    key,
    phase: 'ok',
    pendingChecks: 0,
    pendingSince: null,
    pendingSeverity: null,
    pendingWindowFrom: null,
    incidentId: null,
    version: 0,
    updatedAt: now,
  };
}

const reset = (state: AlertState, now: number, quietUntil: number | null = null): AlertState => ({
  ...state,
  phase: 'ok',
  pendingChecks: 0,
  pendingSince: null,
  pendingSeverity: null,
  pendingWindowFrom: null,
  incidentId: null,
  quietUntil,
  updatedAt: now,
});

/** An incident as stored before manual acknowledge/resolve existed gets their fields, empty. */
export function withIncidentDefaults(i: Incident): Incident {
  return {
    ...i,
    acknowledgedAt: i.acknowledgedAt ?? null,
    acknowledgedBy: i.acknowledgedBy ?? null,
    resolvedBy: i.resolvedBy ?? null,
  };
}

/** Keeps the newest signal per metric and slice, breaching ones first, at most MAX_SIGNALS. */
export function mergeSignals(old: Signal[], fresh: Signal[]): Signal[] {
  const byKey = new Map<string, Signal>();
  for (const s of [...old, ...fresh]) byKey.set(signalKey(s), s);
  return [...byKey.values()]
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.at - a.at)
    .slice(0, MAX_SIGNALS);
}

const entry = (
  at: number,
  type: TimelineEntry['type'],
  severity: Severity | null,
  detail: string | null,
) => ({
  at,
  type,
  severity,
  detail,
});

function push(incident: Incident, e: TimelineEntry): void {
  incident.timeline = [...incident.timeline, e].slice(-MAX_TIMELINE);
}

function describe(signal: Signal | null): string | null {
  if (!signal) return null;
  const v = signal.value === null ? 'no data' : String(signal.value);
  const exp = signal.expected === null ? '' : ` (expected ${signal.expected})`;
  return `${signal.metric}${signal.slice === 'all' ? '' : ` [${signal.slice}]`} = ${v}${exp}`;
}

export function step(
  state: AlertState,
  incident: Incident | null,
  check: Check,
  now: number,
  policy: IncidentPolicy,
  newId: (now: number) => string = newIncidentId,
): StepResult {
  const none: StepResult = {
    state,
    incident,
    incidentChanged: false,
    stateChanged: false,
    transition: null,
  };
  if (check.hold) return none;

  if (state.phase === 'open' && incident?.status !== 'open') {
    // The incident was resolved or lost elsewhere: start over from this check. A person's resolve starts
    // the cooldown an automatic resolve has behind it: no new incident for the key until it has passed.
    const quiet =
      incident?.resolvedBy && incident.resolvedAt !== null ? incident.resolvedAt + policy.cooldownMs : null;
    return {
      ...step(
        reset(state, now, quiet !== null && quiet > now ? quiet : null),
        null,
        check,
        now,
        policy,
        newId,
      ),
      stateChanged: true,
    };
  }

  if (state.phase === 'ok' && (state.quietUntil ?? null) !== null) {
    if (now < state.quietUntil!) return none;
    // The quiet period is over: from now on a breach is judged as usual.
    return { ...step(reset(state, now), null, check, now, policy, newId), stateChanged: true };
  }

  if (state.phase === 'ok' || state.phase === 'pending') {
    if (!check.severity || !check.trigger) {
      if (state.phase === 'ok') return none;
      return { ...none, state: reset(state, now), stateChanged: true };
    }
    const pending: AlertState = {
      ...state,
      phase: 'pending',
      pendingChecks: state.phase === 'pending' ? state.pendingChecks + 1 : 1,
      pendingSince: state.phase === 'pending' ? state.pendingSince : now,
      pendingSeverity: maxSeverity(state.phase === 'pending' ? state.pendingSeverity : null, check.severity),
      pendingWindowFrom: Math.min(
        state.pendingWindowFrom ?? Number.POSITIVE_INFINITY,
        check.trigger.windowFrom,
      ),
      updatedAt: now,
    };
    if (pending.pendingChecks < Math.max(1, policy.confirmChecks)) {
      return { ...none, state: pending, stateChanged: true };
    }
    const severity = pending.pendingSeverity ?? check.severity;
    const opened: Incident = {
      incidentId: newId(now),
      agentId: check.agentId,
      key: check.key,
      source: check.source,
      family: check.family,
      ruleId: check.ruleId,
      title: check.title,
      status: 'open',
      severity,
      peakSeverity: severity,
      firstBreachAt: pending.pendingSince ?? now,
      openedAt: now,
      lastBreachAt: now,
      normalSince: null,
      resolvedAt: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedBy: null,
      windowFrom: pending.pendingWindowFrom ?? check.trigger.windowFrom,
      windowTo: null,
      trigger: check.trigger,
      signals: mergeSignals([], check.signals),
      timeline: [entry(now, 'opened', severity, describe(check.trigger))],
      deliveries: [],
      version: 1,
      updatedAt: now,
    };
    return {
      state: {
        ...pending,
        phase: 'open',
        incidentId: opened.incidentId,
        pendingChecks: 0,
        pendingSince: null,
        pendingSeverity: null,
        pendingWindowFrom: null,
      },
      incident: opened,
      incidentChanged: true,
      stateChanged: true,
      transition: 'opened',
    };
  }

  // phase open, incident open
  const inc: Incident = { ...incident!, updatedAt: now };
  if (check.severity) {
    inc.lastBreachAt = now;
    inc.signals = mergeSignals(inc.signals, check.signals);
    if (inc.normalSince !== null) {
      push(inc, entry(now, 'breach_again', check.severity, describe(check.trigger)));
      inc.normalSince = null;
    }
    let transition: Transition | null = null;
    if (severityRank(check.severity) > severityRank(inc.severity)) {
      // Only a new peak is news: back up to a level already announced is not announced again.
      if (severityRank(check.severity) > severityRank(inc.peakSeverity)) transition = 'escalated';
      inc.severity = check.severity;
      inc.peakSeverity = maxSeverity(inc.peakSeverity, check.severity)!;
      push(inc, entry(now, 'escalated', check.severity, describe(check.trigger)));
    } else if (severityRank(check.severity) < severityRank(inc.severity)) {
      inc.severity = check.severity;
      push(inc, entry(now, 'deescalated', check.severity, describe(check.trigger)));
    }
    return { ...none, incident: inc, incidentChanged: true, transition };
  }
  const own = new Set(inc.signals.map(signalKey));
  const elevated = check.elevated ? check.elevated.some((k) => own.has(k)) : !check.normal;
  if (elevated) {
    // Its metrics are below the warning level but above the hysteresis level: not yet back to normal.
    if (inc.normalSince === null) return none;
    inc.normalSince = null;
    return { ...none, incident: inc, incidentChanged: true };
  }
  if (inc.normalSince === null) {
    inc.normalSince = now;
    push(inc, entry(now, 'normal', null, null));
  }
  if (now - inc.normalSince < policy.cooldownMs) {
    return { ...none, incident: inc, incidentChanged: inc.normalSince === now };
  }
  inc.status = 'resolved';
  inc.resolvedAt = now;
  inc.windowTo = inc.normalSince;
  push(inc, entry(now, 'resolved', null, 'back to normal'));
  return {
    state: reset(state, now),
    incident: inc,
    incidentChanged: true,
    stateChanged: true,
    transition: 'resolved',
  };
}

/**
 * A person acknowledges an open incident: it keeps being evaluated (it may still escalate or resolve),
 * but channels hear nothing more of it except that it resolved (see planDeliveries). Null when it was
 * acknowledged already (acknowledging is idempotent).
 */
export function acknowledged(
  incident: Incident,
  by: string,
  note: string | null,
  now: number,
): Incident | null {
  if (incident.acknowledgedAt !== null) return null;
  const next: Incident = { ...incident, acknowledgedAt: now, acknowledgedBy: by, updatedAt: now };
  push(next, entry(now, 'acknowledged', null, note));
  return next;
}

/** A person resolves an open incident now; the caller plans the resolved notices. */
export function resolvedByHand(incident: Incident, by: string, note: string | null, now: number): Incident {
  const next: Incident = {
    ...incident,
    status: 'resolved',
    resolvedAt: now,
    resolvedBy: by,
    windowTo: incident.normalSince ?? now,
    updatedAt: now,
  };
  push(next, entry(now, 'manually_resolved', null, note));
  return next;
}
