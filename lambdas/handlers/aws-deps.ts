import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbStores } from '../adapters/dynamodb';
import { DynamoDbSettingsStore } from '../adapters/dynamodb/settings-store';
import { S3BlobStore } from '../adapters/s3/blob-store';
import { createTimestreamWriteClient, TimestreamSink } from '../adapters/timestream/timeseries-sink';
import { DEFAULT_INGEST_CONFIG } from '../domain/ingest';
import { Authenticator } from '../domain/keys';
import { type BlobStore, systemClock } from '../domain/ports';
import { defaultPriceBook } from '../domain/pricing/pricing';
import { AgentPriceBooks } from '../domain/settings';
import { type Env, env } from '../platform/env';
import { createLogger } from '../platform/logger';
import type { HandlerDeps } from './deps';

/**
 * Set at bundle time (esbuild `define`, infra/config/bundling.ts) from the deployment's Timestream
 * setting. Unbundled (tests, tsx) it is not defined at all, and Timestream is available.
 */
declare const VIGIL_TIMESTREAM: boolean | undefined;

/**
 * The Lambda composition root: adapters built once per container from the environment (DynamoDB
 * table, payload bucket, and Timestream only when VIGIL_TIMESTREAM_DATABASE is set).
 */
export function buildAwsDeps(
  e: Env = env(),
  clients: { dynamo?: DynamoDBClient; blobs?: BlobStore } = {},
): HandlerDeps {
  if (!e.VIGIL_TABLE_NAME) throw new Error('VIGIL_TABLE_NAME is not set');
  if (!e.VIGIL_PAYLOAD_BUCKET) throw new Error('VIGIL_PAYLOAD_BUCKET is not set');
  const logger = createLogger(e.VIGIL_LOG_LEVEL);
  const dynamo = clients.dynamo ?? new DynamoDBClient({ region: e.AWS_REGION });
  const stores = createDynamoDbStores({
    client: dynamo,
    tableName: e.VIGIL_TABLE_NAME,
    retentionDays: e.VIGIL_RETENTION_DAYS,
    eventRetentionDays: e.VIGIL_EVENT_RETENTION_DAYS,
  });
  // Written out in the condition, not hoisted into a constant: only then does esbuild fold it when the
  // define is `false` and drop the branch, and with it the sink and the Timestream SDK client.
  const timeseries =
    (typeof VIGIL_TIMESTREAM === 'undefined' || VIGIL_TIMESTREAM) && e.VIGIL_TIMESTREAM_DATABASE
      ? new TimestreamSink({
          client: createTimestreamWriteClient({ region: e.AWS_REGION }),
          database: e.VIGIL_TIMESTREAM_DATABASE,
          eventsTable: e.VIGIL_TIMESTREAM_EVENTS_TABLE,
          sessionsTable: e.VIGIL_TIMESTREAM_SESSIONS_TABLE,
        })
      : undefined;
  const settings = new DynamoDbSettingsStore({
    client: dynamo,
    tableName: e.VIGIL_TABLE_NAME,
  });
  return {
    ...stores,
    settings,
    agentPrices: new AgentPriceBooks(defaultPriceBook, settings, () => Date.now()),
    blobs:
      clients.blobs ??
      new S3BlobStore({
        bucket: e.VIGIL_PAYLOAD_BUCKET,
        region: e.AWS_REGION,
        // The DynamoDB client's own (memoized, refreshed) credentials: no S3 client, no second chain.
        credentials: () => dynamo.config.credentials(),
      }),
    clock: systemClock,
    prices: defaultPriceBook,
    config: { ...DEFAULT_INGEST_CONFIG, tagValueCap: e.VIGIL_TAG_VALUE_CAP },
    timeseries,
    auth: new Authenticator(stores.keys, () => Date.now()),
    logger,
    corsOrigins: e.VIGIL_CORS_ORIGINS,
    warn: (message, details) => logger.warn(message, details),
  };
}

let cached: HandlerDeps | undefined;

/** Deps for this container, built on first use (so importing a handler module has no side effects). */
export function awsDeps(): HandlerDeps {
  cached ??= buildAwsDeps();
  return cached;
}
