import { describe, expect, it } from 'vitest';
import {
  chunk,
  eventRecord,
  sessionRecord,
  withCommonAttributes,
} from '../../../lambdas/adapters/timestream/records';
import { llmEvent, session, T0, toolEvent } from './fixtures';

describe('eventRecord', () => {
  it('turns an LLM call into one MULTI record timed at startedAt in ms and versioned by receivedAt', () => {
    // Prepare
    const event = llmEvent({ eventId: 'ev-1' });

    // Act
    const record = eventRecord(event);

    // Assess
    expect(record).toEqual({
      Dimensions: [
        { Name: 'agent_id', Value: 'agent-1' },
        { Name: 'session_id', Value: 'sess-1' },
        { Name: 'event_id', Value: 'ev-1' },
        { Name: 'event_type', Value: 'llm' },
        { Name: 'model', Value: 'gpt-4o-mini' },
        { Name: 'provider', Value: 'openai' },
      ],
      MeasureName: 'event',
      MeasureValueType: 'MULTI',
      MeasureValues: [
        { Name: 'input_tokens', Value: '1200', Type: 'BIGINT' },
        { Name: 'output_tokens', Value: '300', Type: 'BIGINT' },
        { Name: 'cached_input_tokens', Value: '200', Type: 'BIGINT' },
        { Name: 'reasoning_tokens', Value: '50', Type: 'BIGINT' },
        { Name: 'cost_usd', Value: '0.00036', Type: 'DOUBLE' },
        { Name: 'duration_ms', Value: '1420', Type: 'DOUBLE' },
        { Name: 'is_error', Value: 'false', Type: 'BOOLEAN' },
        { Name: 'unpriced', Value: 'false', Type: 'BOOLEAN' },
      ],
      Time: String(T0),
      TimeUnit: 'MILLISECONDS',
      Version: T0 + 2_000,
    });
  });

  it('leaves out empty dimensions and null measures', () => {
    // Prepare
    const event = toolEvent({ eventId: 'ev-2', model: '', provider: '   ' });

    // Act
    const record = eventRecord(event);

    // Assess
    expect(record.Dimensions?.map((d) => d.Name)).toEqual([
      'agent_id',
      'session_id',
      'event_id',
      'event_type',
    ]);
    expect(record.MeasureValues).toEqual([{ Name: 'is_error', Value: 'false', Type: 'BOOLEAN' }]);
  });

  it('marks errors with is_error and an error_category dimension', () => {
    // Prepare
    const event = llmEvent({
      error: {
        category: 'rate_limit',
        type: 'RateLimitError',
        message: '429',
        stack: null,
        origin: 'system',
        recoverable: true,
        fingerprint: 'f',
      },
    });

    // Act
    const record = eventRecord(event);

    // Assess
    expect(record.Dimensions).toContainEqual({ Name: 'error_category', Value: 'rate_limit' });
    expect(record.MeasureValues).toContainEqual({ Name: 'is_error', Value: 'true', Type: 'BOOLEAN' });
  });

  it('reports an unpriced LLM call as unpriced without a cost measure', () => {
    // Prepare
    const event = llmEvent({
      cost: { usd: null, source: 'none', clientUsd: null, serverUsd: null, priceId: null, unpriced: true },
    });

    // Act
    const names = eventRecord(event).MeasureValues?.map((m) => `${m.Name}=${m.Value}`);

    // Assess
    expect(names).toContain('unpriced=true');
    expect(names?.some((n) => n.startsWith('cost_usd'))).toBe(false);
  });

  it('drops non-finite numbers instead of sending values Timestream rejects', () => {
    // Prepare
    const event = llmEvent({ durationMs: Number.NaN, startedAt: T0 + 0.7, receivedAt: 0 });

    // Act
    const record = eventRecord(event);

    // Assess
    expect(record.MeasureValues?.some((m) => m.Name === 'duration_ms')).toBe(false);
    expect(record.Time).toBe(String(T0));
    expect(record.Version).toBe(1);
  });
});

describe('sessionRecord', () => {
  it('writes totals, duration and outcome at the fixed createdAt with updatedAt as version', () => {
    // Prepare
    const s = session();

    // Act
    const record = sessionRecord(s);

    // Assess
    expect(record.Dimensions).toEqual([
      { Name: 'agent_id', Value: 'agent-1' },
      { Name: 'session_id', Value: 'sess-1' },
    ]);
    expect(record.MeasureName).toBe('session');
    expect(record.Time).toBe(String(T0 + 500));
    expect(record.Version).toBe(T0 + 61_000);
    const byName = Object.fromEntries(
      (record.MeasureValues ?? []).map((m) => [m.Name, `${m.Type}:${m.Value}`]),
    );
    expect(byName).toMatchObject({
      cost_usd: 'DOUBLE:0.0012',
      total_tokens: 'BIGINT:3000',
      errors: 'BIGINT:1',
      duration_ms: 'DOUBLE:60000',
      success: 'BOOLEAN:true',
      finished: 'BOOLEAN:true',
      started_at_ms: `BIGINT:${T0}`,
    });
    expect(byName).not.toHaveProperty('session_eval');
  });

  it('omits success while the outcome is unknown', () => {
    // Prepare
    const s = session({
      outcome: { isSuccessful: null, isSuccessfulReason: null, sessionEval: 0.8, sessionEvalReason: null },
    });

    // Act
    const names = sessionRecord(s).MeasureValues?.map((m) => m.Name);

    // Assess
    expect(names).not.toContain('success');
    expect(names).toContain('session_eval');
  });
});

describe('chunk', () => {
  it('splits into requests of at most 100 records', () => {
    expect(chunk(Array.from({ length: 250 }, (_, i) => i)).map((c) => c.length)).toEqual([100, 100, 50]);
    expect(chunk([])).toEqual([]);
  });
});

describe('withCommonAttributes', () => {
  it('hoists dimensions and fields every record shares and keeps the rest per record, in order', () => {
    // Prepare
    const records = [eventRecord(llmEvent({ eventId: 'a' })), eventRecord(toolEvent({ eventId: 'b' }))];

    // Act
    const { CommonAttributes, Records } = withCommonAttributes(records);

    // Assess
    expect(CommonAttributes).toEqual({
      Dimensions: [
        { Name: 'agent_id', Value: 'agent-1' },
        { Name: 'session_id', Value: 'sess-1' },
      ],
      MeasureName: 'event',
      MeasureValueType: 'MULTI',
      TimeUnit: 'MILLISECONDS',
    });
    expect(Records.map((r) => r.Dimensions?.map((d) => d.Value))).toEqual([
      ['a', 'llm', 'gpt-4o-mini', 'openai'],
      ['b', 'tool'],
    ]);
    expect(Records[0]).not.toHaveProperty('MeasureName');
    expect(Records[0]).toHaveProperty('Time', String(T0));
  });

  it('keeps dimensions per record when their values differ', () => {
    // Prepare
    const records = [
      eventRecord(llmEvent({ agentId: 'a1', sessionId: 's1' })),
      eventRecord(llmEvent({ agentId: 'a2', sessionId: 's1' })),
    ];

    // Act
    const { CommonAttributes, Records } = withCommonAttributes(records);

    // Assess
    expect(CommonAttributes?.Dimensions?.map((d) => d.Name)).toEqual([
      'session_id',
      'event_type',
      'model',
      'provider',
    ]);
    expect(Records.map((r) => r.Dimensions?.[0])).toEqual([
      { Name: 'agent_id', Value: 'a1' },
      { Name: 'agent_id', Value: 'a2' },
    ]);
  });
});
