import * as z from 'zod';

/**
 * Every deployment setting, in one typed object. Values come from CDK context (`-c key=value` or
 * cdk.json) and are parsed here once; constructs receive the result by props and never read
 * process.env or context themselves.
 */
export interface VigilSettings {
  /** Names the stacks (`Vigil-<stage>-Data`, …) and tags every resource. @default 'prod' */
  stage: string;
  /** Prefix of every stack name: `Vigil-<stage>`. */
  stackPrefix: string;
  /**
   * How long sessions, events and payloads are kept: DynamoDB TTL attribute (set by the writers),
   * S3 lifecycle expiry and Timestream magnetic retention. @default 90
   */
  retentionDays: number;
  /**
   * How long event detail (the deep dive: each event, its payload and its inline payload blob) is
   * kept, at most `retentionDays`: sessions, their totals and the hourly rollups outlive it, so
   * dashboards, baselines and comparisons keep the full `retentionDays`. Events are most of the
   * table's bytes, so this sets most of its storage cost. @default 30 (or retentionDays if shorter)
   */
  eventRetentionDays: number;
  /** Email subscribed to the alert topic (agent alerts and Vigil's own alarms). @default none */
  alertEmail?: string;
  timestream: {
    /** Timestream for LiveAnalytics (closed to new customers since 2025-06-20). @default false */
    enabled: boolean;
    /** Memory store retention; keep it short, memory costs ~870× magnetic per GB. @default 24 */
    memoryRetentionHours: number;
  };
  /**
   * Origins allowed to call the APIs from a browser. `*` is safe here because every API call carries
   * a bearer credential (API key or JWT), never a cookie. @default ['*'] (or the dashboard domain)
   */
  corsOrigins: string[];
  /** Optional custom domains; each needs an ACM certificate ARN (the dashboard's in us-east-1). */
  dashboardDomain?: { domainName: string; certificateArn: string };
  apiDomain?: { domainName: string; certificateArn: string };
  /** Lambda log level (VIGIL_LOG_LEVEL). @default 'INFO' */
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Retention of Lambda and API access log groups. @default 30 */
  logRetentionDays: number;
  /** Cognito MFA: OPTIONAL lets users enrol TOTP; REQUIRED forces it on first sign-in. @default false */
  requireMfa: boolean;
  /** Steady-state requests/s and burst of the ingest + script API stage. @default 500 / 1000 */
  ingestThrottle: { rateLimit: number; burstLimit: number };
  /** Requests/s and burst of the dashboard (JWT) API stage. @default 50 / 100 */
  dashboardThrottle: { rateLimit: number; burstLimit: number };
  /** Distinct values per tag key that get their own rollup slice (VIGIL_TAG_VALUE_CAP). @default 50 */
  tagValueCap: number;
  /**
   * How the table is billed. `on-demand` (the default) absorbs any spike; `provisioned` auto-scales
   * read and write capacity (table and indexes) between 5 and the maxima, tracking 70 % use: cheaper
   * for steady traffic (see README "Cost"), but a spike faster than scaling is throttled (ingest
   * answers 503, SDKs retry).
   */
  tableCapacity:
    | { mode: 'on-demand' }
    | { mode: 'provisioned'; maxWriteCapacity: number; maxReadCapacity: number };
}

/** Context keys this app reads; `cdk synth -c <key>=<value>` sets them. */
export const CONTEXT_KEYS = [
  'stage',
  'retentionDays',
  'eventRetentionDays',
  'alertEmail',
  'timestream',
  'timestreamMemoryHours',
  'corsOrigins',
  'dashboardDomain',
  'dashboardCertificateArn',
  'apiDomain',
  'apiCertificateArn',
  'logLevel',
  'logRetentionDays',
  'requireMfa',
  'ingestRateLimit',
  'ingestBurstLimit',
  'dashboardRateLimit',
  'dashboardBurstLimit',
  'tagValueCap',
  'tableCapacity',
  'tableMaxWriteCapacity',
  'tableMaxReadCapacity',
] as const;

/** `-c flag=true` arrives as a string, cdk.json as a boolean: accept both, and nothing else. */
const flag = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean));
const acmArn = z.string().regex(/^arn:aws[\w-]*:acm:[\w-]+:\d{12}:certificate\/[\w-]+$/, {
  error: 'must be an ACM certificate ARN',
});
const domain = z.string().regex(/^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/i, { error: 'must be a DNS name' });

/** Event detail is kept 30 days unless set (Datadog keeps LLM traces 15 days, Langfuse's free tier 30). */
const DEFAULT_EVENT_RETENTION_DAYS = 30;

/** The retention values CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 3653];

const schema = z
  .object({
    stage: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,19}$/, { error: 'must be lowercase letters, digits, "-" (≤ 20)' })
      .default('prod'),
    retentionDays: int(1, 3650).default(90),
    eventRetentionDays: int(1, 3650).optional(),
    alertEmail: z.email().optional(),
    timestream: flag.default(false),
    timestreamMemoryHours: int(1, 8766).default(24),
    corsOrigins: list.optional(),
    dashboardDomain: domain.optional(),
    dashboardCertificateArn: acmArn.optional(),
    apiDomain: domain.optional(),
    apiCertificateArn: acmArn.optional(),
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    logRetentionDays: z.coerce
      .number()
      .refine((n) => LOG_RETENTION_DAYS.includes(n), {
        error: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(30),
    requireMfa: flag.default(false),
    ingestRateLimit: int(1, 10_000).default(500),
    ingestBurstLimit: int(1, 5_000).default(1000),
    dashboardRateLimit: int(1, 10_000).default(50),
    dashboardBurstLimit: int(1, 5_000).default(100),
    tagValueCap: int(1, 10_000).default(50),
    tableCapacity: z.enum(['on-demand', 'provisioned']).default('on-demand'),
    tableMaxWriteCapacity: int(5, 40_000).default(200),
    tableMaxReadCapacity: int(5, 40_000).default(200),
  })
  .refine((s) => s.eventRetentionDays === undefined || s.eventRetentionDays <= s.retentionDays, {
    error: 'must be at most retentionDays (sessions outlive their events, never the reverse)',
    path: ['eventRetentionDays'],
  })
  .refine((s) => !s.dashboardDomain === !s.dashboardCertificateArn, {
    error: 'dashboardDomain and dashboardCertificateArn go together',
    path: ['dashboardCertificateArn'],
  })
  .refine((s) => !s.apiDomain === !s.apiCertificateArn, {
    error: 'apiDomain and apiCertificateArn go together',
    path: ['apiCertificateArn'],
  })
  .refine((s) => !s.dashboardCertificateArn || s.dashboardCertificateArn.includes(':us-east-1:'), {
    error: 'CloudFront only uses certificates from us-east-1',
    path: ['dashboardCertificateArn'],
  });

export class SettingsError extends Error {}

/**
 * Parses the app's settings from a context lookup (`(key) => app.node.tryGetContext(key)`).
 * Throws SettingsError naming the context key and the rule it broke.
 */
export function settingsFromContext(get: (key: string) => unknown): VigilSettings {
  const raw: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const v = get(key);
    if (v !== undefined && v !== null && v !== '') raw[key] = v;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SettingsError(`context "${issue.path.join('.') || '?'}": ${issue.message}`);
  }
  const s = parsed.data;
  const dashboardOrigin = s.dashboardDomain ? [`https://${s.dashboardDomain}`] : ['*'];
  return {
    stage: s.stage,
    stackPrefix: `Vigil-${s.stage}`,
    retentionDays: s.retentionDays,
    eventRetentionDays: s.eventRetentionDays ?? Math.min(DEFAULT_EVENT_RETENTION_DAYS, s.retentionDays),
    alertEmail: s.alertEmail,
    timestream: { enabled: s.timestream, memoryRetentionHours: s.timestreamMemoryHours },
    corsOrigins: s.corsOrigins && s.corsOrigins.length > 0 ? s.corsOrigins : dashboardOrigin,
    dashboardDomain:
      s.dashboardDomain && s.dashboardCertificateArn
        ? { domainName: s.dashboardDomain, certificateArn: s.dashboardCertificateArn }
        : undefined,
    apiDomain:
      s.apiDomain && s.apiCertificateArn
        ? { domainName: s.apiDomain, certificateArn: s.apiCertificateArn }
        : undefined,
    logLevel: s.logLevel,
    logRetentionDays: s.logRetentionDays,
    requireMfa: s.requireMfa,
    ingestThrottle: { rateLimit: s.ingestRateLimit, burstLimit: s.ingestBurstLimit },
    dashboardThrottle: { rateLimit: s.dashboardRateLimit, burstLimit: s.dashboardBurstLimit },
    tagValueCap: s.tagValueCap,
    tableCapacity:
      s.tableCapacity === 'provisioned'
        ? {
            mode: 'provisioned',
            maxWriteCapacity: s.tableMaxWriteCapacity,
            maxReadCapacity: s.tableMaxReadCapacity,
          }
        : { mode: 'on-demand' },
  };
}
