import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type DuckDbStores, openDuckDbStores } from '../lambdas/adapters/duckdb';
import { createDuckDbAlertStores } from '../lambdas/adapters/duckdb/alert-stores';
import { DuckDbSettingsStore } from '../lambdas/adapters/duckdb/settings-store';
import { LocalFsBlobStore, verifyUploadToken } from '../lambdas/adapters/local-fs/blob-store';
import { createNotifiers } from '../lambdas/adapters/notify';
import type { AnomalyRunResult } from '../lambdas/domain/alerts/service';
import { DEFAULT_INGEST_CONFIG, reconcile } from '../lambdas/domain/ingest';
import { Authenticator, createKey, hashKey } from '../lambdas/domain/keys';
import { type Clock, systemClock } from '../lambdas/domain/ports';
import { defaultPriceBook } from '../lambdas/domain/pricing/pricing';
import { CachingRollupStore } from '../lambdas/domain/query/reader';
import { AgentPriceBooks } from '../lambdas/domain/settings';
import { createAdminHandler } from '../lambdas/handlers/admin';
import { type AlertDeps, alertConfigFromEnv } from '../lambdas/handlers/alert-deps';
import { createAlertsHandler } from '../lambdas/handlers/alerts';
import { createAnomalyJob } from '../lambdas/handlers/anomaly-job';
import { createBaselineJob } from '../lambdas/handlers/baseline-job';
import type { HandlerDeps } from '../lambdas/handlers/deps';
import { createIngestHandler } from '../lambdas/handlers/ingest';
import { createQueryHandler } from '../lambdas/handlers/query';
import { createReconcileJob } from '../lambdas/handlers/reconcile-job';
import { env } from '../lambdas/platform/env';
import { createLogger } from '../lambdas/platform/logger';
import type { LocalConfig } from './config';

type Lambda = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface Runtime {
  deps: HandlerDeps;
  stores: DuckDbStores;
  ingest: Lambda;
  query: Lambda;
  admin: Lambda;
  /** Baselines, incidents, alert rules, channels; `alertDeps` holds their stores and notifiers. */
  alerts: Lambda;
  alertDeps: AlertDeps;
  /** The scheduled jobs, run in-process by local/bin/vigil.ts (daily and every 5 minutes). */
  baselineJob: ReturnType<typeof createBaselineJob>;
  anomalyJob: () => Promise<AnomalyRunResult>;
  reconcile: () => Promise<{ folds: number; settled: number }>;
  /** At start-up, before serving: finish every fold a crash left pending (no writer can be mid-fold). */
  recover: () => Promise<{ folds: number; settled: number }>;
  /** The admin key when this start created it (shown once), else null. */
  createdAdminKey: string | null;
  /** Sets the URL clients reach this runtime at (blob upload URLs point there); call after listen. */
  setPublicUrl(url: string): void;
  close(): Promise<void>;
}

function secretFor(dataDir: string): string {
  const file = join(dataDir, 'upload-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** Builds the same handlers the Lambdas run, on the embedded adapters (one DuckDB file). */
export async function createRuntime(config: LocalConfig, clock: Clock = systemClock): Promise<Runtime> {
  mkdirSync(config.dataDir, { recursive: true });
  const stores = await openDuckDbStores(join(config.dataDir, 'vigil.duckdb'));
  const baseUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
  const secret = secretFor(config.dataDir);
  const blobs = new LocalFsBlobStore({ root: join(config.dataDir, 'blobs'), baseUrl, secret });
  const logger = createLogger(config.logLevel === 'SILENT' ? 'SILENT' : config.logLevel, 'vigil-local');
  const settings = new DuckDbSettingsStore(stores.db);
  const deps: HandlerDeps = {
    settings,
    agentPrices: new AgentPriceBooks(defaultPriceBook, settings, () => clock.now()),
    sessions: stores.sessions,
    events: stores.events,
    // The query API reads merged days from this cache; every rollup write in this process goes through it.
    rollups: new CachingRollupStore(stores.rollups),
    agents: stores.agents,
    keys: stores.keys,
    blobs,
    clock,
    prices: defaultPriceBook,
    config: DEFAULT_INGEST_CONFIG,
    auth: new Authenticator(stores.keys, () => clock.now()),
    logger,
    corsOrigins: '*',
    verifyUploadToken: (token, now) => verifyUploadToken(secret, token, now),
    warn: (message, details) => logger.warn(message, details),
    sync: () => stores.db.sync(),
  };
  const createdAdminKey = await ensureAdminKey(deps, config.apiKey);
  // Alerts: the same stores file; the `log` channel prints to this terminal; no SNS locally.
  const alertDeps: AlertDeps = {
    ...deps,
    ...createDuckDbAlertStores(stores.db),
    notifiers: createNotifiers({ clock, log: (line) => console.log(line) }),
    alertConfig: { ...alertConfigFromEnv(env()), dashboardUrl: config.publicUrl ?? baseUrl },
  };
  return {
    deps,
    stores,
    ingest: createIngestHandler(deps) as unknown as Lambda,
    query: createQueryHandler(deps) as unknown as Lambda,
    admin: createAdminHandler(deps) as unknown as Lambda,
    alerts: createAlertsHandler(alertDeps) as unknown as Lambda,
    alertDeps,
    baselineJob: createBaselineJob(alertDeps),
    anomalyJob: createAnomalyJob(alertDeps),
    reconcile: createReconcileJob(deps),
    recover: () => reconcile({ ...deps, config: { ...deps.config, foldGraceMs: 0 } }, 100_000),
    createdAdminKey,
    setPublicUrl: (url) => {
      if (!config.publicUrl)
        deps.blobs = new LocalFsBlobStore({ root: join(config.dataDir, 'blobs'), baseUrl: url, secret });
    },
    close: () => stores.db.close(),
  };
}

/** First start: create an admin key and return it (printed once). VIGIL_API_KEY: accept that key. */
async function ensureAdminKey(deps: HandlerDeps, preset: string | undefined): Promise<string | null> {
  const now = deps.clock.now();
  if (preset) {
    if (!(await deps.keys.getByHash(hashKey(preset)))) {
      await createKey(
        deps.keys,
        { name: 'admin (VIGIL_API_KEY)', scopes: ['admin', 'ingest', 'read'], agents: '*' },
        now,
        preset,
      );
    }
    return null;
  }
  if ((await deps.keys.list()).some((k) => k.scopes.includes('admin') && k.revokedAt === null)) return null;
  const { key } = await createKey(
    deps.keys,
    { name: 'admin', scopes: ['admin', 'ingest', 'read'], agents: '*' },
    now,
  );
  return key;
}
