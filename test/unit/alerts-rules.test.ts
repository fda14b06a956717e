import { describe, expect, it } from 'vitest';
import { alertRuleBody, channelBody } from '../../contracts/alerts';
import {
  evaluateRule,
  ruleCheck,
  ruleFromBody,
  ruleSlice,
  ruleValue,
} from '../../lambdas/domain/alerts/rules';
import { isDomainError } from '../../lambdas/domain/errors';
import { hourRecord, seeded } from '../helpers/rollups';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-10T10:30:00Z');
const rule = (over: Record<string, unknown>) =>
  ruleFromBody(
    alertRuleBody.parse({ name: 'r', metric: 'cost', aggregation: 'sum', warning: 1, ...over }),
    'rule_1',
    NOW,
  );
const records = (shape: Parameters<typeof hourRecord>[2]) => {
  const rand = seeded(3);
  const h = Math.floor(NOW / HOUR);
  return [hourRecord('agent', h - 1, shape, rand), hourRecord('agent', h, shape, rand)];
};

describe('alert rule contract', () => {
  it('fills defaults and accepts a complete rule', () => {
    // Act
    const body = alertRuleBody.parse({ name: 'p95 cost', metric: 'cost', aggregation: 'p95', critical: 0.5 });
    // Assess
    expect(body).toMatchObject({
      agent_id: '*',
      window_minutes: 60,
      comparator: '>',
      warning: null,
      filters: { production: true },
      min_volume: 1,
      no_data: 'ok',
      channel_ids: [],
      enabled: true,
    });
  });

  it('names the field and the rule it broke', () => {
    // Act
    const wrongAggregation = alertRuleBody.safeParse({
      name: 'x',
      metric: 'errors',
      aggregation: 'p95',
      warning: 1,
    });
    const noLevel = alertRuleBody.safeParse({ name: 'x', metric: 'errors', aggregation: 'count' });
    const inverted = alertRuleBody.safeParse({
      name: 'x',
      metric: 'cost',
      aggregation: 'sum',
      warning: 10,
      critical: 5,
    });
    const twoSlices = alertRuleBody.safeParse({
      name: 'x',
      metric: 'errors',
      aggregation: 'count',
      warning: 1,
      filters: { tag: 'tier:pro', model: 'gpt-4o' },
    });
    // Assess
    expect(wrongAggregation.error?.issues[0]).toMatchObject({
      path: ['aggregation'],
      message: 'errors takes count',
    });
    expect(noLevel.error?.issues[0]?.path).toEqual(['warning']);
    expect(inverted.error?.issues[0]?.path).toEqual(['critical']);
    expect(twoSlices.error?.issues[0]?.path).toEqual(['filters', 'model']);
  });

  it('refuses a per-session figure under an event-only filter', () => {
    // Act
    let error: unknown;
    try {
      rule({ metric: 'session_duration', aggregation: 'p95', filters: { model: 'gpt-4o' } });
    } catch (e) {
      error = e;
    }
    // Assess
    expect(isDomainError(error) && error.field).toBe('filters');
  });

  it('requires a signing secret for webhooks and an http(s) URL', () => {
    expect(channelBody.safeParse({ type: 'webhook', name: 'w', url: 'https://x.example/h' }).success).toBe(
      false,
    );
    expect(channelBody.safeParse({ type: 'slack', name: 's', webhook_url: 'ftp://x' }).success).toBe(false);
    expect(
      channelBody.safeParse({
        type: 'sns',
        name: 'e',
        topic_arn: 'arn:aws:sns:eu-west-1:123456789012:alerts',
      }).success,
    ).toBe(true);
  });
});

describe('rule evaluation', () => {
  it('reads one slice: a tag, a model, an experiment, an event type or an error type', () => {
    expect(ruleSlice({ production: true, tag: 'tier:pro' })).toEqual({
      slice: 'tag:tier=pro',
      production: true,
    });
    expect(ruleSlice({ production: 'all', model: 'gpt-4o' })).toEqual({
      slice: 'model:gpt-4o',
      production: null,
    });
    expect(ruleSlice({ production: false, error_type: 'timeout' }).slice).toBe('err:timeout');
    expect(ruleSlice({ production: true }).slice).toBe('all');
  });

  it('aggregates sums, averages, percentiles, counts and rates from rollups', () => {
    // Prepare
    const [r] = records({ sessions: 10, costUsd: 0.02, errorShare: 0.3, latencyMs: 1000 });
    // Act / Assess
    expect(ruleValue({ metric: 'cost', aggregation: 'sum' }, r!).value).toBeCloseTo(0.2, 1);
    expect(ruleValue({ metric: 'cost', aggregation: 'avg' }, r!)).toMatchObject({ volume: 10 });
    expect(ruleValue({ metric: 'event_latency', aggregation: 'p95' }, r!).value).toBeGreaterThan(1000);
    expect(ruleValue({ metric: 'errors', aggregation: 'count' }, r!).value).toBe(3);
    expect(ruleValue({ metric: 'error_rate', aggregation: 'rate' }, r!).value).toBeCloseTo(0.3, 5);
    expect(ruleValue({ metric: 'sessions', aggregation: 'count' }, r!).value).toBe(10);
  });

  it('gives critical over warning, and nothing below both', () => {
    // Prepare
    const r = rule({ metric: 'errors', aggregation: 'count', warning: 2, critical: 5 });
    // Act
    const crit = evaluateRule(r, 'agent', records({ sessions: 10, errorShare: 0.3 }), NOW);
    const warn = evaluateRule(r, 'agent', records({ sessions: 10, errorShare: 0.15 }), NOW);
    const ok = evaluateRule(r, 'agent', records({ sessions: 10, errorShare: 0 }), NOW);
    // Assess
    expect([crit.severity, warn.severity, ok.severity]).toEqual(['critical', 'warning', null]);
    expect(crit.value).toBe(6);
    expect(crit.windowFrom).toBe(Math.floor(NOW / HOUR - 1) * HOUR);
  });

  it('compares downwards with < and <=', () => {
    // Prepare
    const r = rule({
      metric: 'sessions',
      aggregation: 'count',
      comparator: '<',
      warning: 50,
      critical: 5,
      min_volume: 0,
    });
    // Act
    const e = evaluateRule(r, 'agent', records({ sessions: 10 }), NOW);
    // Assess
    expect(e.severity).toBe('warning');
    expect(ruleCheck(r, e, NOW).trigger).toMatchObject({
      direction: 'down',
      lower: 50,
      upper: null,
      expected: 50,
    });
  });

  it('applies the no-data policy when the window is empty or thinner than min_volume', () => {
    // Prepare
    const empty = records({ sessions: 0 });
    const check = (no_data: string) => {
      const r = rule({ metric: 'cost', aggregation: 'p95', no_data });
      return ruleCheck(r, evaluateRule(r, 'agent', empty, NOW), NOW);
    };
    // Act / Assess
    expect(check('ok')).toMatchObject({ severity: null, normal: true, hold: false });
    expect(check('keep')).toMatchObject({ severity: null, hold: true });
    expect(check('critical')).toMatchObject({ severity: 'critical', trigger: { reason: 'no_data' } });
  });

  it('keys rule incidents by rule and titles them with the agent', () => {
    // Prepare
    const r = rule({});
    // Act
    const c = ruleCheck(
      r,
      evaluateRule(r, 'support-bot', records({ sessions: 100, costUsd: 0.5 }), NOW),
      NOW,
    );
    // Assess
    expect(c).toMatchObject({
      key: 'rule:rule_1',
      source: 'rule',
      title: 'r (support-bot)',
      severity: 'warning',
    });
  });
});
