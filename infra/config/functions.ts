import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The repository root: entry paths below are relative to it. */
export const REPO_ROOT = resolve(import.meta.dirname, '../..');

/**
 * What a function may do with the Vigil table. The action lists are the exact DynamoDB calls the
 * adapters make on each path: test/handlers/iam-usage.test.ts runs every function's flows on dynalite,
 * records each call, and fails when one is outside these lists.
 * - `ingest`: sessions, rollups and tag sets are read by key and written with Put/Update; a session's
 *   event chunks are read with a Query on the table (the dedupe before a new chunk, never an index);
 *   pending-fold items are deleted once their fold is done.
 * - `read`: the query API reads by key, by query (table and both indexes) and by BatchGetItem.
 * - `worker`: the jobs read work queues on gsi2 (Query + BatchGetItem) and write like ingest (the
 *   reconcile job deletes the pending folds it finishes).
 * - `keys`: key management puts, lists, revokes and (when a key id is reused) deletes key items, and
 *   reads/writes per-agent price overrides.
 * - `alerts`: the alerts API creates, lists, updates and deletes rules and channels, and reads
 *   baselines, incidents (open ones through gsi1) and rollups.
 */
export type TableAccess = 'ingest' | 'read' | 'worker' | 'keys' | 'alerts';

export const TABLE_ACTIONS: Record<TableAccess, readonly string[]> = {
  ingest: [
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
  ],
  read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
  worker: [
    'dynamodb:BatchGetItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
  ],
  keys: [
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
  ],
  alerts: [
    'dynamodb:BatchGetItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
  ],
};

/** Whether the access queries the table's indexes (Query is also used on the table itself). */
export const TABLE_INDEX_ACCESS: Record<TableAccess, boolean> = {
  ingest: false,
  read: true,
  worker: true,
  // Key listing queries the KEYS partition of the table, never an index.
  keys: false,
  alerts: true,
};

/** Which grants a function gets; each grant also injects the environment variables that go with it. */
export interface FunctionAccess {
  table: TableAccess;
  /** `write`: PutObject (and presigned PUT URLs); `read`: GetObject + ListBucket (misses are 404s). */
  payloads?: 'read' | 'write';
  /** Only when Timestream is enabled: WriteRecords or Select, plus DescribeEndpoints. */
  timestream?: 'read' | 'write';
  /**
   * Publishes to the alert topic: sns:Publish, VIGIL_ALERT_TOPIC_ARN, and VIGIL_DASHBOARD_URL (links in
   * notifications) when the dashboard has a custom domain.
   */
  alerts?: boolean;
}

export interface FunctionSpec {
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  /** One line for the console and the template. */
  description: string;
  /** @default 512 */
  memoryMb?: number;
  timeoutSeconds: number;
  access: FunctionAccess;
}

/** The HTTP Lambdas. */
export const API_FUNCTIONS = {
  ingest: {
    entry: 'lambdas/handlers/ingest.ts',
    description: 'Vigil ingest: Lucidic protocol, batch API and OTLP traces',
    // Latency-bound (DynamoDB round trips), not CPU-bound: more memory buys little.
    memoryMb: 512,
    // API Gateway gives up after 30 s; stop work before it so a retry never races a live request.
    timeoutSeconds: 25,
    access: { table: 'ingest', payloads: 'write', timestream: 'write' },
  },
  query: {
    entry: 'lambdas/handlers/query.ts',
    description: 'Vigil read API: metrics, series, sessions, agents',
    // Sketch merges and CSV exports are CPU work.
    memoryMb: 1024,
    timeoutSeconds: 25,
    access: { table: 'read', payloads: 'read', timestream: 'read' },
  },
  admin: {
    entry: 'lambdas/handlers/admin.ts',
    description: 'Vigil key management and per-agent price overrides',
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: 'keys' },
  },
  alerts: {
    entry: 'lambdas/handlers/alerts.ts',
    description: 'Vigil alerts API: baselines, incidents, alert rules, channels',
    timeoutSeconds: 25,
    // Channel tests publish to SNS (or call a webhook).
    access: { table: 'alerts', alerts: true },
  },
} as const satisfies Record<string, FunctionSpec>;

export type ApiFunctionName = keyof typeof API_FUNCTIONS;

/**
 * One HTTP API route. `api: 'public'` is the ingest + script API (API keys checked in the Lambdas);
 * `api: 'dashboard'` is the Cognito-protected twin the dashboard calls with a JWT.
 */
export interface RouteSpec {
  api: 'public' | 'dashboard';
  method: 'ANY' | 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  target: ApiFunctionName;
}

const ingest = (method: RouteSpec['method'], path: string): RouteSpec => ({
  api: 'public',
  method,
  path,
  target: 'ingest',
});

/** Every route, on both APIs: the dashboard's twin takes a JWT instead of an API key. */
const both = (method: RouteSpec['method'], path: string, target: ApiFunctionName): RouteSpec[] => [
  { api: 'public', method, path, target },
  { api: 'dashboard', method, path, target },
];

/**
 * Routes mirror local/server.ts (pickLambda): the ingest paths go to the ingest Lambda, /api/admin/* to
 * key management, the alert paths to the alerts API, every other /api/* path to the read API (so new
 * read endpoints need no infra change). API Gateway picks the most specific route, as the local
 * server's order does.
 */
export const ROUTES: readonly RouteSpec[] = [
  // Lucidic SDKs (base URL …/api)
  ingest('POST', '/api/initsession'),
  ingest('PUT', '/api/updatesession'),
  ingest('POST', '/api/events'),
  ingest('POST', '/api/sdk/evals'),
  // Vigil batch API
  ingest('POST', '/api/v1/batch'),
  // OTLP/HTTP traces (JSON or protobuf)
  ingest('POST', '/v1/traces'),
  ...both('ANY', '/api/admin/{proxy+}', 'admin'),
  // Alerts (local/server.ts ALERT_PATHS)
  ...['/api/alert-rules', '/api/channels', '/api/incidents'].flatMap((p) => [
    ...both('ANY', p, 'alerts'),
    ...both('ANY', `${p}/{proxy+}`, 'alerts'),
  ]),
  ...['baselines', 'incidents'].flatMap((p) => [
    ...both('ANY', `/api/agents/{agent_id}/${p}`, 'alerts'),
    ...both('ANY', `/api/agents/{agent_id}/${p}/{proxy+}`, 'alerts'),
  ]),
  ...both('ANY', '/api/{proxy+}', 'query'),
];

/** A Lambda run on a schedule by EventBridge Scheduler. */
export interface ScheduledJobSpec extends FunctionSpec {
  /** Construct id and name stem, e.g. `Reconcile`. */
  id: string;
  /** EventBridge Scheduler expression (UTC): `rate(5 minutes)`, `cron(15 0 * * ? *)`. */
  schedule: string;
  /** Include the job only once its entry file exists (jobs that other work adds). */
  whenEntryExists?: boolean;
  /** Extra environment for this job only. */
  env?: Record<string, string>;
}

/**
 * Every scheduled job. Adding one is an entry here; the jobs stack builds the function, the schedule,
 * its grants and its alarms from it. Timeouts stay below the period so runs never overlap.
 */
export const SCHEDULED_JOBS: readonly ScheduledJobSpec[] = [
  {
    id: 'Reconcile',
    entry: 'lambdas/handlers/reconcile-job.ts',
    description: 'Vigil reconcile: writes queued rollups, replays interrupted folds, settles idle sessions',
    // Every minute: dashboards see new events once this run writes the queued rollup deltas.
    schedule: 'rate(1 minute)',
    timeoutSeconds: 55,
    access: { table: 'worker' },
  },
  {
    id: 'Baseline',
    entry: 'lambdas/handlers/baseline-job.ts',
    description: 'Vigil baselines: daily per-agent baselines from rollups',
    schedule: 'cron(15 0 * * ? *)',
    timeoutSeconds: 600,
    memoryMb: 1024,
    access: { table: 'worker' },
    whenEntryExists: true,
  },
  {
    id: 'Anomaly',
    entry: 'lambdas/handlers/anomaly-job.ts',
    description: 'Vigil anomaly check: compares recent rollups with baselines, raises alerts',
    schedule: 'rate(5 minutes)',
    timeoutSeconds: 240,
    access: { table: 'worker', alerts: true },
    whenEntryExists: true,
  },
];

/** The jobs to deploy: optional ones only when their handler file is present. */
export function scheduledJobs(
  exists: (path: string) => boolean = existsSync,
  jobs: readonly ScheduledJobSpec[] = SCHEDULED_JOBS,
): ScheduledJobSpec[] {
  return jobs.filter((j) => !j.whenEntryExists || exists(resolve(REPO_ROOT, j.entry)));
}

/** The dashboard build, and the placeholder deployed when it has not been built. */
export const DASHBOARD_DIST = 'frontend/dist';
export const DASHBOARD_PLACEHOLDER = 'infra/assets/dashboard-placeholder';

export function dashboardAssets(exists: (path: string) => boolean = existsSync): {
  path: string;
  placeholder: boolean;
} {
  const dist = resolve(REPO_ROOT, DASHBOARD_DIST);
  return exists(resolve(dist, 'index.html'))
    ? { path: dist, placeholder: false }
    : { path: resolve(REPO_ROOT, DASHBOARD_PLACEHOLDER), placeholder: true };
}

/** The Cognito group whose members get the admin scope in the dashboard (key management). */
export const ADMIN_GROUP = 'vigil-admins';
