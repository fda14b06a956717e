import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  createTimestreamWriteClient,
  TimestreamSink,
} from '../../../lambdas/adapters/timestream/timeseries-sink';
import { llmEvent } from './fixtures';

/**
 * These tests run the real TimestreamWriteClient middleware stack (endpoint discovery, JSON protocol,
 * error deserialisation) against an in-process request handler answering with recorded-shape wire
 * responses, so they show that the sink leaves the SDK's endpoint discovery working.
 */

interface WireRequest {
  hostname: string;
  target: string;
  body: Record<string, unknown>;
}

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

function fakeTimestream(replies: Record<string, Reply[]>) {
  const seen: WireRequest[] = [];
  const handler = {
    handle: async (request: { hostname: string; headers: Record<string, string>; body?: unknown }) => {
      const target = (request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const text =
        request.body instanceof Uint8Array
          ? new TextDecoder().decode(request.body)
          : String(request.body ?? '');
      seen.push({ hostname: request.hostname, target, body: text ? JSON.parse(text) : {} });
      const reply = replies[target]?.shift() ?? { status: 500, body: { __type: 'InternalServerException' } };
      return {
        response: {
          statusCode: reply.status,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amzn-requestid': 'req',
            ...reply.headers,
          },
          body: Readable.from([Buffer.from(JSON.stringify(reply.body))]),
        },
      };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  const client = createTimestreamWriteClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    // biome-ignore lint/suspicious/noExplicitAny: a minimal stand-in for the node HTTP handler
    requestHandler: handler as any,
  });
  return { client, seen };
}

const endpoints = (address: string): Reply => ({
  status: 200,
  body: { Endpoints: [{ Address: address, CachePeriodInMinutes: 1440 }] },
});
const ingested: Reply = {
  status: 200,
  body: { RecordsIngested: { Total: 1, MemoryStore: 1, MagneticStore: 0 } },
};

const sinkOn = (client: ReturnType<typeof createTimestreamWriteClient>) =>
  new TimestreamSink({
    client,
    database: 'vigil',
    eventsTable: 'events',
    sessionsTable: 'sessions',
    sleep: async () => undefined,
  });

describe('TimestreamSink with the real client', () => {
  it('discovers the ingest endpoint once and sends writes to it', async () => {
    // Prepare
    const { client, seen } = fakeTimestream({
      DescribeEndpoints: [endpoints('ingest-cell2.timestream.us-east-1.amazonaws.com')],
      WriteRecords: [ingested, ingested],
    });
    const sink = sinkOn(client);

    // Act
    await sink.write([llmEvent()], []);
    await sink.write([llmEvent()], []);

    // Assess
    expect(seen.map((r) => `${r.target}@${r.hostname}`)).toEqual([
      'DescribeEndpoints@ingest.timestream.us-east-1.amazonaws.com',
      'WriteRecords@ingest-cell2.timestream.us-east-1.amazonaws.com',
      'WriteRecords@ingest-cell2.timestream.us-east-1.amazonaws.com',
    ]);
    expect(seen[1]?.body).toMatchObject({ DatabaseName: 'vigil', TableName: 'events' });
  });

  it('reads RejectedRecords from the wire error and reports them', async () => {
    // Prepare
    const event = llmEvent({ eventId: 'late-1' });
    const { client } = fakeTimestream({
      DescribeEndpoints: [endpoints('ingest-cell1.timestream.us-east-1.amazonaws.com')],
      WriteRecords: [
        {
          status: 419,
          body: {
            __type: 'com.amazonaws.timestream.v20181101#RejectedRecordsException',
            message: 'One or more records have been rejected. See RejectedRecords for details.',
            RejectedRecords: [
              {
                RecordIndex: 0,
                Reason: 'The record timestamp is outside the time range of the memory store.',
              },
            ],
          },
        },
      ],
    });

    // Act
    const result = await sinkOn(client).write([event], []);

    // Assess
    expect(result).toEqual({
      written: 0,
      rejected: [
        { id: 'late-1', reason: 'The record timestamp is outside the time range of the memory store.' },
      ],
    });
  });

  it('forgets a stale endpoint on InvalidEndpointException and rediscovers before retrying', async () => {
    // Prepare
    const { client, seen } = fakeTimestream({
      DescribeEndpoints: [
        endpoints('ingest-cell1.timestream.us-east-1.amazonaws.com'),
        endpoints('ingest-cell3.timestream.us-east-1.amazonaws.com'),
      ],
      WriteRecords: [
        {
          status: 421,
          body: {
            __type: 'com.amazonaws.timestream.v20181101#InvalidEndpointException',
            message: 'Invalid endpoint',
          },
        },
        ingested,
      ],
    });

    // Act
    const result = await sinkOn(client).write([llmEvent()], []);

    // Assess
    expect(result.written).toBe(1);
    expect(seen.map((r) => `${r.target}@${r.hostname}`)).toEqual([
      'DescribeEndpoints@ingest.timestream.us-east-1.amazonaws.com',
      'WriteRecords@ingest-cell1.timestream.us-east-1.amazonaws.com',
      'DescribeEndpoints@ingest.timestream.us-east-1.amazonaws.com',
      'WriteRecords@ingest-cell3.timestream.us-east-1.amazonaws.com',
    ]);
  });

  it('retries when endpoint discovery itself fails', async () => {
    // Prepare
    const { client, seen } = fakeTimestream({
      DescribeEndpoints: [
        { status: 500, body: { __type: 'InternalServerException', message: 'boom' } },
        endpoints('ingest-cell1.timestream.us-east-1.amazonaws.com'),
      ],
      WriteRecords: [ingested],
    });

    // Act
    const result = await sinkOn(client).write([llmEvent()], []);

    // Assess
    expect(result.written).toBe(1);
    expect(seen.map((r) => r.target)).toEqual(['DescribeEndpoints', 'DescribeEndpoints', 'WriteRecords']);
  });
});
