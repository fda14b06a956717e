import type { _Record, Dimension, MeasureValue } from '@aws-sdk/client-timestream-write';
import { type AgentEvent, type Session, sessionDurationMs } from '../../domain/model';

/**
 * Pure converters from the canonical model to Timestream records (no SDK calls here).
 *
 * Events: one MULTI record per event in the events table. A point's identity in Timestream is
 * (dimensions, measure name, time), so event_id is a dimension: two events of one session that start in
 * the same millisecond with the same type and model stay two points instead of one overwriting the other.
 * Version = receivedAt, so a corrected re-send of the same event (same dimensions and start) replaces it.
 *
 * Sessions: one MULTI record per session in the sessions table, rewritten as the session progresses.
 * Only immutable fields are dimensions and Time is createdAt (fixed), so every rewrite hits the same
 * point; Version = updatedAt makes the newest totals win.
 */

export const EVENT_MEASURE_NAME = 'event';
export const SESSION_MEASURE_NAME = 'session';
/** WriteRecords accepts at most 100 records per request. */
export const MAX_RECORDS_PER_WRITE = 100;

/** Measures of event records, queryable as columns of the events table. */
export type EventMeasure =
  | 'input_tokens'
  | 'output_tokens'
  | 'cached_input_tokens'
  | 'reasoning_tokens'
  | 'cost_usd'
  | 'duration_ms'
  | 'is_error'
  | 'unpriced';

/** Measures of session records, queryable as columns of the sessions table. */
export type SessionMeasure =
  | 'cost_usd'
  | 'input_tokens'
  | 'output_tokens'
  | 'cached_input_tokens'
  | 'reasoning_tokens'
  | 'total_tokens'
  | 'events'
  | 'llm_calls'
  | 'errors'
  | 'unpriced_events'
  | 'duration_ms'
  | 'started_at_ms'
  | 'success'
  | 'session_eval'
  | 'finished'
  | 'production'
  | 'sample_rate';

/** A record with the id it is reported under when Timestream rejects it. */
export interface TaggedRecord {
  id: string;
  record: _Record;
}

function dimensions(pairs: Array<[name: string, value: string | null | undefined]>): Dimension[] {
  const out: Dimension[] = [];
  for (const [name, value] of pairs) {
    // Timestream rejects a record whose dimension value is empty: leave the dimension out instead.
    if (value === null || value === undefined || value.trim() === '') continue;
    out.push({ Name: name, Value: value });
  }
  return out;
}

class Measures {
  readonly values: MeasureValue[] = [];

  bigint(name: string, value: number | null | undefined): this {
    if (typeof value === 'number' && Number.isFinite(value)) {
      this.values.push({ Name: name, Value: String(Math.round(value)), Type: 'BIGINT' });
    }
    return this;
  }

  double(name: string, value: number | null | undefined): this {
    // NaN/Infinity are not valid DOUBLE measure values: an unknown figure is left out, like null.
    if (typeof value === 'number' && Number.isFinite(value)) {
      this.values.push({ Name: name, Value: String(value), Type: 'DOUBLE' });
    }
    return this;
  }

  boolean(name: string, value: boolean | null | undefined): this {
    if (typeof value === 'boolean') this.values.push({ Name: name, Value: String(value), Type: 'BOOLEAN' });
    return this;
  }
}

/** Version must be a positive 64-bit integer. */
const version = (ms: number): number => Math.max(1, Math.trunc(ms));

export function eventRecord(event: AgentEvent): _Record {
  const m = new Measures();
  if (event.usage) {
    m.bigint('input_tokens', event.usage.inputTokens)
      .bigint('output_tokens', event.usage.outputTokens)
      .bigint('cached_input_tokens', event.usage.cachedInputTokens)
      .bigint('reasoning_tokens', event.usage.reasoningTokens);
  }
  m.double('cost_usd', event.cost?.usd)
    .double('duration_ms', event.durationMs)
    .boolean('is_error', event.error !== null || event.type === 'error')
    .boolean('unpriced', event.cost ? event.cost.unpriced : null);
  return {
    Dimensions: dimensions([
      ['agent_id', event.agentId],
      ['session_id', event.sessionId],
      ['event_id', event.eventId],
      ['event_type', event.type],
      ['model', event.model],
      ['provider', event.provider],
      ['error_category', event.error?.category],
    ]),
    MeasureName: EVENT_MEASURE_NAME,
    MeasureValueType: 'MULTI',
    MeasureValues: m.values,
    Time: String(Math.trunc(event.startedAt)),
    TimeUnit: 'MILLISECONDS',
    Version: version(event.receivedAt),
  };
}

export function sessionRecord(session: Session): _Record {
  const t = session.totals;
  const m = new Measures()
    .double('cost_usd', t.costUsd)
    .bigint('input_tokens', t.inputTokens)
    .bigint('output_tokens', t.outputTokens)
    .bigint('cached_input_tokens', t.cachedInputTokens)
    .bigint('reasoning_tokens', t.reasoningTokens)
    .bigint('total_tokens', t.inputTokens + t.outputTokens)
    .bigint('events', t.events)
    .bigint('llm_calls', t.llmCalls)
    .bigint('errors', t.errors)
    .bigint('unpriced_events', t.unpricedEvents)
    .double('duration_ms', sessionDurationMs(session))
    .bigint('started_at_ms', session.startedAt)
    .boolean('success', session.outcome.isSuccessful)
    .double('session_eval', session.outcome.sessionEval)
    .boolean('finished', session.status === 'finished')
    .boolean('production', session.production)
    .double('sample_rate', session.sampleRate);
  return {
    Dimensions: dimensions([
      ['agent_id', session.agentId],
      ['session_id', session.sessionId],
    ]),
    MeasureName: SESSION_MEASURE_NAME,
    MeasureValueType: 'MULTI',
    MeasureValues: m.values,
    Time: String(Math.trunc(session.createdAt)),
    TimeUnit: 'MILLISECONDS',
    Version: version(session.updatedAt),
  };
}

export const taggedEventRecords = (events: AgentEvent[]): TaggedRecord[] =>
  events.map((e) => ({ id: e.eventId, record: eventRecord(e) }));

/** Sessions are reported as `session:<sessionId>` so they cannot be mistaken for event ids. */
export const taggedSessionRecords = (sessions: Session[]): TaggedRecord[] =>
  sessions.map((s) => ({ id: `session:${s.sessionId}`, record: sessionRecord(s) }));

export function chunk<T>(items: readonly T[], size: number = MAX_RECORDS_PER_WRITE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const sameDimension = (a: Dimension, b: Dimension): boolean =>
  a.Name === b.Name &&
  a.Value === b.Value &&
  (a.DimensionValueType ?? 'VARCHAR') === (b.DimensionValueType ?? 'VARCHAR');

/**
 * Moves what every record of a request shares (dimensions with equal values, measure name, value type,
 * time unit) into CommonAttributes. Timestream bills repeated dimensions once per request, and the
 * request is smaller. Record order is kept, so RejectedRecords[].RecordIndex still indexes `records`.
 */
export function withCommonAttributes(records: readonly _Record[]): {
  CommonAttributes?: _Record;
  Records: _Record[];
} {
  const first = records[0];
  if (!first) return { Records: [] };
  const shared = (first.Dimensions ?? []).filter((d) =>
    records.every((r) => (r.Dimensions ?? []).some((o) => sameDimension(o, d))),
  );
  const sharedNames = new Set(shared.map((d) => d.Name));
  const common: _Record = {};
  if (shared.length > 0) common.Dimensions = shared;
  const hoisted: Array<'MeasureName' | 'MeasureValueType' | 'TimeUnit'> = [];
  for (const field of ['MeasureName', 'MeasureValueType', 'TimeUnit'] as const) {
    const value = first[field];
    if (value !== undefined && records.every((r) => r[field] === value)) {
      Object.assign(common, { [field]: value });
      hoisted.push(field);
    }
  }
  if (Object.keys(common).length === 0) return { Records: [...records] };
  const Records = records.map((r) => {
    const out: _Record = { ...r };
    const own = (r.Dimensions ?? []).filter((d) => !sharedNames.has(d.Name));
    if (own.length > 0) out.Dimensions = own;
    else delete out.Dimensions;
    for (const field of hoisted) delete out[field];
    return out;
  });
  return { CommonAttributes: common, Records };
}
