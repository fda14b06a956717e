import * as z from 'zod';

/** Every setting the Lambdas read, parsed once. Nothing else reads process.env. */
const schema = z.object({
  VIGIL_TABLE_NAME: z.string().min(1).optional(),
  VIGIL_PAYLOAD_BUCKET: z.string().min(1).optional(),
  VIGIL_TIMESTREAM_DATABASE: z.string().min(1).optional(),
  VIGIL_TIMESTREAM_EVENTS_TABLE: z.string().min(1).default('events'),
  VIGIL_TIMESTREAM_SESSIONS_TABLE: z.string().min(1).default('sessions'),
  VIGIL_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),
  /** Days sessions and events are kept (DynamoDB TTL); unset keeps them forever. */
  VIGIL_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).optional(),
  /** Days event detail is kept (DynamoDB TTL on event chunks); unset: VIGIL_RETENTION_DAYS. */
  VIGIL_EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).optional(),
  VIGIL_TAG_VALUE_CAP: z.coerce.number().int().min(1).max(10_000).default(50),
  VIGIL_CORS_ORIGINS: z.string().default('*'),
  AWS_REGION: z.string().default('us-east-1'),
  /** Alerts: the SNS topic `sns` channels publish to unless they name their own. */
  VIGIL_ALERT_TOPIC_ARN: z.string().min(1).optional(),
  /** Alerts: the dashboard's base URL, for links in notifications. */
  VIGIL_DASHBOARD_URL: z.string().url().optional(),
  VIGIL_BASELINE_WINDOW_DAYS: z.coerce.number().int().min(1).max(90).default(14),
  VIGIL_BASELINE_WARMUP_DAYS: z.coerce.number().min(0).max(90).default(7),
  /** Days each daily baseline is kept (charts, comparisons) before the TTL or the job deletes it. */
  VIGIL_BASELINE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  VIGIL_ANOMALY_MIN_WINDOW_MINUTES: z.coerce.number().int().min(5).max(360).default(20),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(source: NodeJS.ProcessEnv = process.env): Env {
  if (source !== process.env) return schema.parse(source);
  cached ??= schema.parse(source);
  return cached;
}
