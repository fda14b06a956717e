import {
  AccessDeniedException,
  InternalServerException,
  RejectedRecordsException,
  ThrottlingException,
  TimestreamWriteClient,
  ValidationException,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { TimestreamSink } from '../../../lambdas/adapters/timestream/timeseries-sink';
import { DomainError } from '../../../lambdas/domain/errors';
import { llmEvent, session, T0, toolEvent } from './fixtures';

const tsMock = mockClient(TimestreamWriteClient);

const throttled = () =>
  new ThrottlingException({
    $metadata: { httpStatusCode: 400 },
    message: 'Rate exceeded',
    Message: 'Rate exceeded',
  });

function makeSink(overrides: { maxAttempts?: number } = {}) {
  const sleep = vi.fn(async (_ms: number) => undefined);
  const sink = new TimestreamSink({
    client: new TimestreamWriteClient({ region: 'us-east-1' }),
    database: 'vigil',
    eventsTable: 'events',
    sessionsTable: 'sessions',
    sleep,
    random: () => 0.5,
    ...overrides,
  });
  return { sink, sleep };
}

/** 250 events of one session: every fifth is a tool call without model, usage or cost. */
const manyEvents = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    i % 5 === 4
      ? toolEvent({ eventId: `ev-${i}`, startedAt: T0 + i })
      : llmEvent({ eventId: `ev-${i}`, startedAt: T0 + i }),
  );

const writes = () => tsMock.commandCalls(WriteRecordsCommand).map((c) => c.args[0].input);

describe('TimestreamSink', () => {
  beforeEach(() => {
    tsMock.reset();
  });

  it('writes 250 events as requests of 100, 100 and 50 with shared dimensions in CommonAttributes', async () => {
    // Prepare
    tsMock
      .on(WriteRecordsCommand)
      .resolves({ RecordsIngested: { Total: 100, MemoryStore: 100, MagneticStore: 0 } });
    const { sink } = makeSink();
    const events = manyEvents(250);

    // Act
    const result = await sink.write(events, []);

    // Assess
    expect(result).toEqual({ written: 250, rejected: [] });
    const inputs = writes();
    expect(inputs.map((i) => i.Records?.length)).toEqual([100, 100, 50]);
    const first = inputs[0]!;
    expect(first.DatabaseName).toBe('vigil');
    expect(first.TableName).toBe('events');
    expect(first.CommonAttributes).toEqual({
      Dimensions: [
        { Name: 'agent_id', Value: 'agent-1' },
        { Name: 'session_id', Value: 'sess-1' },
      ],
      MeasureName: 'event',
      MeasureValueType: 'MULTI',
      TimeUnit: 'MILLISECONDS',
    });
    expect(first.Records?.[0]).toEqual({
      Dimensions: [
        { Name: 'event_id', Value: 'ev-0' },
        { Name: 'event_type', Value: 'llm' },
        { Name: 'model', Value: 'gpt-4o-mini' },
        { Name: 'provider', Value: 'openai' },
      ],
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
      Version: T0 + 2_000,
    });
    expect(first.Records?.[4]).toEqual({
      Dimensions: [
        { Name: 'event_id', Value: 'ev-4' },
        { Name: 'event_type', Value: 'tool' },
      ],
      MeasureValues: [{ Name: 'is_error', Value: 'false', Type: 'BOOLEAN' }],
      Time: String(T0 + 4),
      Version: T0 + 2_000,
    });
    const ids = inputs.flatMap((i) => i.Records?.map((r) => r.Dimensions?.[0]?.Value));
    expect(ids).toEqual(events.map((e) => e.eventId));
  });

  it('writes sessions to the sessions table', async () => {
    // Prepare
    tsMock.on(WriteRecordsCommand).resolves({});
    const { sink } = makeSink();

    // Act
    const result = await sink.write([llmEvent()], [session(), session({ sessionId: 'sess-2' })]);

    // Assess
    expect(result.written).toBe(3);
    const inputs = writes();
    expect(inputs.map((i) => i.TableName)).toEqual(['events', 'sessions']);
    expect(inputs[1]?.CommonAttributes).toMatchObject({
      Dimensions: [{ Name: 'agent_id', Value: 'agent-1' }],
      MeasureName: 'session',
    });
    expect(inputs[1]?.Records?.map((r) => r.Dimensions)).toEqual([
      [{ Name: 'session_id', Value: 'sess-1' }],
      [{ Name: 'session_id', Value: 'sess-2' }],
    ]);
  });

  it('sends nothing for an empty write', async () => {
    const { sink } = makeSink();
    expect(await sink.write([], [])).toEqual({ written: 0, rejected: [] });
    expect(writes()).toHaveLength(0);
  });

  it('reports records of a RejectedRecordsException by event id without retrying them', async () => {
    // Prepare: the second request (events 100..149) has two records rejected.
    tsMock
      .on(WriteRecordsCommand)
      .resolvesOnce({})
      .rejectsOnce(
        new RejectedRecordsException({
          $metadata: { httpStatusCode: 419, requestId: 'req-1' },
          message: 'One or more records have been rejected. See RejectedRecords for details.',
          Message: 'One or more records have been rejected. See RejectedRecords for details.',
          RejectedRecords: [
            {
              RecordIndex: 3,
              Reason:
                'The record timestamp is outside the time range [2026-01-05T09:00:00Z, 2026-01-05T10:15:00Z) of the memory store.',
            },
            {
              RecordIndex: 49,
              Reason:
                'A record with the same dimensions, timestamp and measure name but a different value exists.',
              ExistingVersion: 7,
            },
          ],
        }),
      );
    const { sink, sleep } = makeSink();

    // Act
    const result = await sink.write(manyEvents(150), []);

    // Assess
    expect(result.written).toBe(148);
    expect(result.rejected).toEqual([
      {
        id: 'ev-103',
        reason:
          'The record timestamp is outside the time range [2026-01-05T09:00:00Z, 2026-01-05T10:15:00Z) of the memory store.',
      },
      {
        id: 'ev-149',
        reason:
          'A record with the same dimensions, timestamp and measure name but a different value exists. (existing version 7)',
      },
    ]);
    expect(writes()).toHaveLength(2);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('rejects every record of a request that fails validation and goes on with the next', async () => {
    // Prepare
    tsMock
      .on(WriteRecordsCommand)
      .rejectsOnce(
        new ValidationException({
          $metadata: { httpStatusCode: 400 },
          message: 'Dimension value cannot be empty.',
          Message: 'Dimension value cannot be empty.',
        }),
      )
      .resolves({});
    const { sink } = makeSink();

    // Act
    const result = await sink.write(manyEvents(120), []);

    // Assess
    expect(result.written).toBe(20);
    expect(result.rejected).toHaveLength(100);
    expect(result.rejected[0]).toEqual({ id: 'ev-0', reason: 'Dimension value cannot be empty.' });
    expect(writes()).toHaveLength(2);
  });

  it('retries a throttled request with backoff and then succeeds', async () => {
    // Prepare
    tsMock.on(WriteRecordsCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({});
    const { sink, sleep } = makeSink();
    const events = manyEvents(3);

    // Act
    const result = await sink.write(events, []);

    // Assess
    expect(result).toEqual({ written: 3, rejected: [] });
    const inputs = writes();
    expect(inputs).toHaveLength(3);
    expect(inputs[2]).toEqual(inputs[0]);
    // Equal jitter with random() = 0.5: caps 100 ms then 200 ms → 75 and 150.
    expect(sleep.mock.calls.map((c) => c[0])).toEqual([75, 150]);
  });

  it('retries server errors (InternalServerException, any 5xx)', async () => {
    // Prepare
    const fiveHundred = Object.assign(new Error('Service Unavailable'), {
      name: 'ServiceUnavailable',
      $fault: 'server',
      $metadata: { httpStatusCode: 503 },
    });
    tsMock
      .on(WriteRecordsCommand)
      .rejectsOnce(
        new InternalServerException({ $metadata: { httpStatusCode: 500 }, message: 'x', Message: 'x' }),
      )
      .rejectsOnce(fiveHundred)
      .resolves({});
    const { sink } = makeSink();

    // Act
    const result = await sink.write([llmEvent()], []);

    // Assess
    expect(result.written).toBe(1);
    expect(writes()).toHaveLength(3);
  });

  it('gives up after maxAttempts of throttling with DomainError unavailable carrying the cause', async () => {
    // Prepare
    const cause = throttled();
    tsMock.on(WriteRecordsCommand).rejects(cause);
    const { sink, sleep } = makeSink({ maxAttempts: 3 });

    // Act
    const error = await sink.write([llmEvent()], []).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'unavailable', cause });
    expect((error as Error).message).toContain('after 3 attempts');
    expect(writes()).toHaveLength(3);
    expect(sleep).toHaveBeenCalledTimes(2);
  });

  it('does not retry errors that a retry cannot fix', async () => {
    // Prepare
    tsMock
      .on(WriteRecordsCommand)
      .rejects(
        new AccessDeniedException({ $metadata: { httpStatusCode: 403 }, message: 'no', Message: 'no' }),
      );
    const { sink, sleep } = makeSink();

    // Act
    const error = await sink.write([llmEvent()], []).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ kind: 'unavailable' });
    expect(writes()).toHaveLength(1);
    expect(sleep).not.toHaveBeenCalled();
  });
});
