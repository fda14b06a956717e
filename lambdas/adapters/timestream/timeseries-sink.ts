import {
  type RejectedRecord,
  TimestreamWriteClient,
  type TimestreamWriteClientConfig,
  WriteRecordsCommand,
  type WriteRecordsRequest,
} from '@aws-sdk/client-timestream-write';
import { DomainError } from '../../domain/errors';
import type { AgentEvent, Session } from '../../domain/model';
import type { TimeSeriesSink } from '../../domain/ports';
import {
  chunk,
  type TaggedRecord,
  taggedEventRecords,
  taggedSessionRecords,
  withCommonAttributes,
} from './records';

export interface TimestreamSinkOptions {
  /**
   * Build it once per process (module scope) and share it: the client caches the endpoint it discovers
   * (Timestream requires endpoint discovery), so a client per call would run DescribeEndpoints every time.
   * Prefer {@link createTimestreamWriteClient}.
   */
  client: TimestreamWriteClient;
  database: string;
  eventsTable: string;
  sessionsTable: string;
  /**
   * Tries per request chunk on throttling and server errors, the first one included.
   * @default 4
   */
  maxAttempts?: number;
  /** @default setTimeout-based */
  sleep?: (ms: number) => Promise<void>;
  /** Source of jitter in [0, 1). @default Math.random */
  random?: () => number;
  /**
   * First backoff cap in ms; doubles per retry up to `maxDelayMs`.
   * @default 100
   */
  baseDelayMs?: number;
  /** @default 2000 */
  maxDelayMs?: number;
}

type WriteResult = Awaited<ReturnType<TimeSeriesSink['write']>>;
type Rejection = WriteResult['rejected'][number];

/**
 * A write client with Timestream's endpoint discovery intact: no custom `endpoint` (that turns discovery
 * off and sends writes to the wrong host) and `endpointDiscoveryEnabled` left to its default (Timestream
 * refuses to work with it false). The SDK's own retries are off because {@link TimestreamSink} retries
 * throttling and server errors itself; both layers together would multiply attempts.
 */
export function createTimestreamWriteClient(
  config: Omit<TimestreamWriteClientConfig, 'endpoint' | 'endpointDiscoveryEnabled' | 'maxAttempts'> = {},
): TimestreamWriteClient {
  return new TimestreamWriteClient({ ...config, maxAttempts: 1 });
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
  RejectedRecords?: RejectedRecord[];
}

const asSdkError = (e: unknown): SdkErrorShape =>
  typeof e === 'object' && e !== null ? (e as SdkErrorShape) : {};

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'InternalServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'InvalidEndpointException',
]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

/** Throttling, server faults (5xx), timeouts, dropped connections and failed endpoint discovery. */
export function isRetryable(e: unknown): boolean {
  const err = asSdkError(e);
  const status = err.$metadata?.httpStatusCode;
  if (err.name && RETRYABLE_NAMES.has(err.name)) return true;
  if (err.$fault === 'server' || err.$retryable !== undefined) return true;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (err.code && RETRYABLE_CODES.has(err.code)) return true;
  // The discovery middleware wraps a failed DescribeEndpoints in a plain Error with this message.
  return (
    typeof err.message === 'string' && err.message.startsWith('The operation to discover endpoint failed')
  );
}

/**
 * TimeSeriesSink on Timestream for LiveAnalytics: one MULTI record per event and per session (see
 * records.ts), written in requests of 100. Rejected records are data, not errors; a chunk that stays
 * throttled or failing after `maxAttempts` throws DomainError('unavailable'). Chunks are written in
 * order, one at a time; a retry of the whole call is safe because records carry versions.
 */
export class TimestreamSink implements TimeSeriesSink {
  private readonly client: TimestreamWriteClient;
  private readonly database: string;
  private readonly eventsTable: string;
  private readonly sessionsTable: string;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(options: TimestreamSinkOptions) {
    this.client = options.client;
    this.database = options.database;
    this.eventsTable = options.eventsTable;
    this.sessionsTable = options.sessionsTable;
    this.maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 4));
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 2000;
  }

  async write(events: AgentEvent[], sessions: Session[]): Promise<WriteResult> {
    const result: WriteResult = { written: 0, rejected: [] };
    const tables: Array<[string, TaggedRecord[]]> = [
      [this.eventsTable, taggedEventRecords(events)],
      [this.sessionsTable, taggedSessionRecords(sessions)],
    ];
    for (const [table, records] of tables) {
      for (const part of chunk(records)) {
        const { written, rejected } = await this.writeChunk(table, part);
        result.written += written;
        result.rejected.push(...rejected);
      }
    }
    return result;
  }

  private async writeChunk(table: string, part: TaggedRecord[]): Promise<WriteResult> {
    const { CommonAttributes, Records } = withCommonAttributes(part.map((p) => p.record));
    const input: WriteRecordsRequest = {
      DatabaseName: this.database,
      TableName: table,
      ...(CommonAttributes ? { CommonAttributes } : {}),
      Records,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(new WriteRecordsCommand(input));
        return { written: part.length, rejected: [] };
      } catch (e) {
        const err = asSdkError(e);
        if (err.name === 'RejectedRecordsException') {
          // The records not listed were ingested; the listed ones would be rejected again as sent.
          const rejected = rejections(part, err);
          return { written: part.length - rejected.length, rejected };
        }
        if (err.name === 'ValidationException') {
          const reason = err.message || 'ValidationException';
          return { written: 0, rejected: part.map((p) => ({ id: p.id, reason })) };
        }
        if (err.name === 'InvalidEndpointException') this.forgetDiscoveredEndpoints();
        if (!isRetryable(e)) {
          const message = `Timestream write to ${table} failed: ${err.name ?? 'error'}`;
          throw new DomainError('unavailable', message, { cause: e });
        }
        if (attempt >= this.maxAttempts) {
          throw new DomainError(
            'unavailable',
            `Timestream write to ${table} failed after ${attempt} attempts: ${err.name ?? 'error'}`,
            { cause: e },
          );
        }
        await this.sleep(this.backoffMs(attempt));
      }
    }
  }

  /** Equal jitter: half the exponential cap plus a random share of the other half. */
  private backoffMs(attempt: number): number {
    const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(cap / 2 + this.random() * (cap / 2));
  }

  /**
   * InvalidEndpointException means the cached discovered endpoint no longer serves this account/table.
   * The SDK keeps using a cached endpoint until it expires, so drop the cache to rediscover on the retry.
   */
  private forgetDiscoveredEndpoints(): void {
    const config = this.client.config as { endpointCache?: { clear(): void } };
    config.endpointCache?.clear();
  }
}

function rejections(part: TaggedRecord[], err: SdkErrorShape): Rejection[] {
  const listed = err.RejectedRecords ?? [];
  if (listed.length === 0) {
    // Never seen in practice; without indexes nothing can be attributed, so report the whole chunk.
    const reason = err.message || 'RejectedRecordsException';
    return part.map((p) => ({ id: p.id, reason }));
  }
  const out: Rejection[] = [];
  for (const r of listed) {
    const tagged = r.RecordIndex === undefined ? undefined : part[r.RecordIndex];
    if (!tagged) continue;
    const reason = r.Reason ?? err.message ?? 'rejected';
    out.push({
      id: tagged.id,
      reason: r.ExistingVersion === undefined ? reason : `${reason} (existing version ${r.ExistingVersion})`,
    });
  }
  return out;
}
