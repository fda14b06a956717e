import * as z from 'zod/mini';

const name = z.string().check(z.minLength(1));
const int = (min: number, max: number) => z.coerce.number().check(z.int(), z.gte(min), z.lte(max));

/**
 * Every setting the Lambdas read, parsed once. Nothing else reads process.env. zod/mini, as the
 * ingest contracts are: one classic zod import would bring all of classic zod back into the bundles.
 */
const schema = z.object({
  VIGIL_TABLE_NAME: z.optional(name),
  VIGIL_PAYLOAD_BUCKET: z.optional(name),
  VIGIL_TIMESTREAM_DATABASE: z.optional(name),
  VIGIL_TIMESTREAM_EVENTS_TABLE: z._default(name, 'events'),
  VIGIL_TIMESTREAM_SESSIONS_TABLE: z._default(name, 'sessions'),
  VIGIL_LOG_LEVEL: z._default(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']), 'INFO'),
  /** Days sessions and events are kept (DynamoDB TTL); unset keeps them forever. */
  VIGIL_RETENTION_DAYS: z.optional(int(1, 3650)),
  /** Days event detail is kept (DynamoDB TTL on event chunks); unset: VIGIL_RETENTION_DAYS. */
  VIGIL_EVENT_RETENTION_DAYS: z.optional(int(1, 3650)),
  VIGIL_TAG_VALUE_CAP: z._default(int(1, 10_000), 50),
  VIGIL_CORS_ORIGINS: z._default(z.string(), '*'),
  AWS_REGION: z._default(z.string(), 'us-east-1'),
  /** Alerts: the SNS topic `sns` channels publish to unless they name their own. */
  VIGIL_ALERT_TOPIC_ARN: z.optional(name),
  /** Alerts: the dashboard's base URL, for links in notifications. */
  VIGIL_DASHBOARD_URL: z.optional(z.string().check(z.url())),
  VIGIL_BASELINE_WINDOW_DAYS: z._default(int(1, 90), 14),
  VIGIL_BASELINE_WARMUP_DAYS: z._default(z.coerce.number().check(z.gte(0), z.lte(90)), 7),
  /** Days each daily baseline is kept (charts, comparisons) before the TTL or the job deletes it. */
  VIGIL_BASELINE_RETENTION_DAYS: z._default(int(1, 3650), 90),
  VIGIL_ANOMALY_MIN_WINDOW_MINUTES: z._default(int(5, 360), 20),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(source: NodeJS.ProcessEnv = process.env): Env {
  if (source !== process.env) return schema.parse(source);
  cached ??= schema.parse(source);
  return cached;
}
