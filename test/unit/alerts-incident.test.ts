import { describe, expect, it } from 'vitest';
import type { AlertState, Incident, Signal } from '../../lambdas/domain/alert-ports';
import {
  acknowledged,
  type Check,
  type IncidentPolicy,
  initialState,
  resolvedByHand,
  signalKey,
  step,
} from '../../lambdas/domain/alerts/incident';

const MIN = 60_000;
const T0 = Date.parse('2026-11-10T10:00:00Z');
const policy: IncidentPolicy = { confirmChecks: 2, cooldownMs: 30 * MIN, warningHoldMs: 0 };

const signal = (over: Partial<Signal> = {}): Signal => ({
  metric: 'cost_per_session',
  slice: 'all',
  value: 0.04,
  expected: 0.01,
  lower: 0.005,
  upper: 0.015,
  z: 9,
  direction: 'up',
  severity: 'critical',
  volume: 30,
  windowFrom: T0 - 60 * MIN,
  windowTo: T0,
  at: T0,
  reason: 'anomaly',
  ...over,
});

const breach = (severity: 'warning' | 'critical', over: Partial<Signal> = {}): Check => {
  const s = signal({ severity, ...over });
  return {
    agentId: 'agent',
    key: 'anomaly:cost',
    source: 'anomaly',
    family: 'cost',
    ruleId: null,
    title: 'Cost anomaly on agent',
    severity,
    normal: false,
    elevated: [],
    trigger: s,
    signals: [s],
  };
};
const calm = (elevated: string[] = []): Check => ({
  ...breach('warning'),
  severity: null,
  normal: elevated.length === 0,
  elevated,
  trigger: null,
  signals: [],
});

/** Runs checks 5 minutes apart, carrying state and incident along (as the anomaly job does). */
function run(checks: Check[], p = policy, start = T0) {
  let state: AlertState = initialState('agent', 'anomaly:cost', start);
  let incident: Incident | null = null;
  const transitions: Array<{ at: number; t: string }> = [];
  const ids = new Set<string>();
  checks.forEach((check, i) => {
    const at = start + i * 5 * MIN;
    const r = step(state, incident, check, at, p, (now) => `inc_${now}`);
    state = r.state;
    if (r.incident) {
      incident = r.incident;
      ids.add(r.incident.incidentId);
    }
    if (r.transition) transitions.push({ at, t: r.transition });
  });
  return { state, incident: incident as Incident | null, transitions, ids };
}

describe('incident state machine', () => {
  it('opens nothing for a single odd check', () => {
    // Act
    const r = run([breach('critical'), calm(), calm()]);
    // Assess
    expect(r.incident).toBeNull();
    expect(r.state.phase).toBe('ok');
    expect(r.transitions).toEqual([]);
  });

  it('opens one incident once the breach is confirmed, dated from the first breaching window', () => {
    // Act
    const r = run([breach('warning'), breach('warning')]);
    // Assess
    expect(r.transitions).toEqual([{ at: T0 + 5 * MIN, t: 'opened' }]);
    expect(r.incident).toMatchObject({
      status: 'open',
      severity: 'warning',
      firstBreachAt: T0,
      openedAt: T0 + 5 * MIN,
      windowFrom: T0 - 60 * MIN,
    });
    expect(r.state).toMatchObject({ phase: 'open', incidentId: r.incident!.incidentId });
  });

  it('opens at the worst severity seen while confirming', () => {
    // Act
    const r = run([breach('critical'), breach('warning')]);
    // Assess
    expect(r.incident!.severity).toBe('critical');
  });

  it('keeps one incident while the breach lasts (dedupe)', () => {
    // Act
    const r = run(Array.from({ length: 20 }, () => breach('warning')));
    // Assess
    expect(r.ids.size).toBe(1);
    expect(r.transitions.map((t) => t.t)).toEqual(['opened']);
    expect(r.incident!.lastBreachAt).toBe(T0 + 19 * 5 * MIN);
  });

  it('announces an escalation to a new peak once, not a return to a level already announced', () => {
    // Act
    const r = run([
      breach('warning'),
      breach('warning'),
      breach('critical'),
      breach('warning'),
      breach('critical'),
    ]);
    // Assess
    expect(r.transitions.map((t) => t.t)).toEqual(['opened', 'escalated']);
    expect(r.incident!.peakSeverity).toBe('critical');
    expect(r.incident!.timeline.map((e) => e.type)).toEqual([
      'opened',
      'escalated',
      'deescalated',
      'escalated',
    ]);
  });

  it('resolves once the metric has been normal for the whole cooldown', () => {
    // Prepare: open, then 7 normal checks (30 minutes)
    const checks = [breach('critical'), breach('critical'), ...Array.from({ length: 7 }, () => calm())];
    // Act
    const r = run(checks);
    // Assess
    expect(r.transitions.map((t) => t.t)).toEqual(['opened', 'resolved']);
    expect(r.incident).toMatchObject({
      status: 'resolved',
      normalSince: T0 + 10 * MIN,
      resolvedAt: T0 + 40 * MIN,
      windowTo: T0 + 10 * MIN,
    });
    expect(r.state.phase).toBe('ok');
  });

  it('stays open without a new notification when the breach returns during the cooldown (no flapping)', () => {
    // Prepare: open; normal 20 minutes; breach again; then normal 30 minutes
    const checks = [
      breach('warning'),
      breach('warning'),
      calm(),
      calm(),
      calm(),
      calm(),
      breach('warning'),
      ...Array.from({ length: 7 }, () => calm()),
    ];
    // Act
    const r = run(checks);
    // Assess
    expect(r.ids.size).toBe(1);
    expect(r.transitions.map((t) => t.t)).toEqual(['opened', 'resolved']);
    expect(r.incident!.timeline.map((e) => e.type)).toEqual([
      'opened',
      'normal',
      'breach_again',
      'normal',
      'resolved',
    ]);
  });

  it('is held open by its own signals above the hysteresis level, not by unrelated ones', () => {
    // Prepare
    const own = signalKey(signal());
    const other = signalKey(signal({ metric: 'tokens_per_session' }));
    const opened = [breach('warning'), breach('warning')];
    // Act
    const heldOpen = run([...opened, ...Array.from({ length: 10 }, () => calm([own]))]);
    const resolved = run([...opened, ...Array.from({ length: 7 }, () => calm([other]))]);
    // Assess
    expect(heldOpen.incident!.status).toBe('open');
    expect(resolved.incident!.status).toBe('resolved');
  });

  it('changes nothing on a held check (a rule whose no-data policy is keep)', () => {
    // Prepare
    const opened = run([breach('warning'), breach('warning')]);
    // Act
    const r = step(opened.state, opened.incident, { ...calm(), hold: true }, T0 + 60 * MIN, policy);
    // Assess
    expect(r.incidentChanged).toBe(false);
    expect(r.stateChanged).toBe(false);
    expect(r.transition).toBeNull();
  });

  it('opens on the first breach when a policy asks for one check (rules)', () => {
    // Act
    const r = run([breach('critical')], { ...policy, confirmChecks: 1 });
    // Assess
    expect(r.transitions).toEqual([{ at: T0, t: 'opened' }]);
  });

  it('starts over when the state points at an incident that is gone', () => {
    // Prepare
    const opened = run([breach('warning'), breach('warning')]);
    // Act
    const r = step(opened.state, null, breach('warning'), T0 + 60 * MIN, policy);
    // Assess
    expect(r.state.phase).toBe('pending');
    expect(r.stateChanged).toBe(true);
  });
});

describe('manual acknowledge and resolve', () => {
  const opened = () => run([breach('warning'), breach('warning')]);

  it('stamps who acknowledged and when, once', () => {
    // Prepare
    const { incident } = opened();
    // Act
    const first = acknowledged(incident!, 'key_abc', 'looking into it', T0 + 10 * MIN);
    const again = acknowledged(first!, 'key_other', null, T0 + 20 * MIN);
    // Assess
    expect(first).toMatchObject({ acknowledgedAt: T0 + 10 * MIN, acknowledgedBy: 'key_abc', status: 'open' });
    expect(first!.timeline.at(-1)).toEqual({
      at: T0 + 10 * MIN,
      type: 'acknowledged',
      severity: null,
      detail: 'looking into it',
    });
    expect(again).toBeNull();
  });

  it('keeps evaluating an acknowledged incident: it still escalates and resolves by itself', () => {
    // Prepare
    const o = opened();
    const acked = acknowledged(o.incident!, 'key_abc', null, T0 + 10 * MIN)!;
    // Act
    const up = step(o.state, acked, breach('critical'), T0 + 15 * MIN, policy);
    let state = up.state;
    let incident = up.incident!;
    let resolvedAt: number | null = null;
    for (let i = 1; i <= 8 && resolvedAt === null; i++) {
      const r = step(state, incident, calm(), T0 + (15 + 5 * i) * MIN, policy);
      state = r.state;
      incident = r.incident ?? incident;
      if (r.transition === 'resolved') resolvedAt = T0 + (15 + 5 * i) * MIN;
    }
    // Assess
    expect(up).toMatchObject({ transition: 'escalated', incident: { severity: 'critical' } });
    expect(resolvedAt).toBe(T0 + 50 * MIN);
    expect(incident).toMatchObject({ status: 'resolved', acknowledgedBy: 'key_abc', resolvedBy: null });
  });

  it('after a resolve by hand, opens no new incident for a still-breaching metric until the cooldown has passed', () => {
    // Prepare: resolved by hand at T0 + 10 min while the metric keeps breaching
    const o = opened();
    const resolvedAt = T0 + 10 * MIN;
    const resolved = resolvedByHand(o.incident!, 'key_abc', 'deploy rolled back', resolvedAt);
    // Act: a breaching check every 5 minutes
    let state = o.state;
    let incident: Incident | null = resolved;
    const opens: number[] = [];
    for (let t = resolvedAt + 5 * MIN; t <= resolvedAt + 60 * MIN; t += 5 * MIN) {
      const r = step(state, incident, breach('warning'), t, policy, (now) => `inc_${now}`);
      state = r.state;
      if (r.incident) incident = r.incident;
      if (r.transition === 'opened') opens.push(t);
    }
    // Assess: quiet until +30 min (the cooldown), then confirmed by two checks as usual
    expect(resolved).toMatchObject({
      status: 'resolved',
      resolvedAt,
      resolvedBy: 'key_abc',
      windowTo: resolvedAt,
    });
    expect(resolved.timeline.at(-1)).toMatchObject({
      type: 'manually_resolved',
      detail: 'deploy rolled back',
    });
    expect(opens).toEqual([resolvedAt + 35 * MIN]);
  });

  it('starts over at once after an automatic resolve (its cooldown was the normal period before it)', () => {
    // Prepare
    const o = opened();
    const gone = { ...o.incident!, status: 'resolved' as const, resolvedAt: T0 + 10 * MIN };
    // Act
    const r = step(o.state, gone, breach('warning'), T0 + 15 * MIN, policy);
    // Assess
    expect(r.state).toMatchObject({ phase: 'pending', quietUntil: null });
  });
});
