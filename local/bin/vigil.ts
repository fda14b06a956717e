import { readLocalConfig } from '../config';
import { seedDemoIfEmpty } from '../demo';
import { createRuntime } from '../runtime';
import { createLocalServer } from '../server';

const USAGE = `Usage: npm start [-- --demo]      (or: npx tsx local/bin/vigil.ts [--demo])

Runs Vigil locally: ingest (Lucidic SDKs, OTLP, batch API), the query and alerts API and the dashboard
on one HTTP server, with the reconcile, baseline and anomaly jobs in-process. Data is one DuckDB file.

Options:
  --demo    send a month of demo traffic first (when the store is empty)
  --help    print this and exit

Environment:
  PORT (8000), HOST (127.0.0.1), VIGIL_DATA_DIR (.vigil), VIGIL_API_KEY (an admin key to create on
  first start instead of a random one), VIGIL_LOG_LEVEL (WARN), VIGIL_PUBLIC_URL,
  VIGIL_RECONCILE_INTERVAL_MS (60000)`;

const FLAGS = new Set(['--demo', '--help', '-h']);

/** `npm start`: the local runtime on 127.0.0.1:8000 (PORT, VIGIL_DATA_DIR override). */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const unknown = args.filter((a) => !FLAGS.has(a));
  if (unknown.length > 0) {
    console.error(`unknown option ${unknown.join(' ')}\n\n${USAGE}`);
    process.exit(2);
  }
  const config = readLocalConfig(process.env);
  const rt = await createRuntime(config);
  const recovered = await rt.recover();
  if (recovered.folds > 0) console.log(`recovered ${recovered.folds} interrupted fold(s) from the last run`);
  const server = createLocalServer(rt);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(config.port, config.host, () => ok());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  rt.setPublicUrl(url);
  console.log(`Vigil is running at ${url} (data: ${config.dataDir})`);
  console.log(
    `  Lucidic SDKs: LUCIDIC_BASE_URL=${url}/api   OTLP: ${url}/v1/traces   Batch API: ${url}/api/v1/batch`,
  );
  if (rt.createdAdminKey) {
    console.log('\n  Admin API key (shown once, store it now):');
    console.log(`    ${rt.createdAdminKey}\n`);
  }
  const timer = setInterval(() => {
    rt.reconcile().catch((e) => console.error('reconcile failed:', (e as Error).message));
  }, config.reconcileIntervalMs);
  // Alerting runs on the Lambdas' schedule: one baseline per agent and day (made at start-up when today's
  // is missing, then by an hourly check once the date changes), anomaly checks every 5 minutes. Today's
  // baseline is never recomputed over hours that may hold an anomaly not flagged yet.
  const runBaselines = (onlyMissing: boolean) =>
    rt.baselineJob({ onlyMissing }).catch((e) => console.error('baseline job failed:', (e as Error).message));
  const runAnomalies = () =>
    rt.anomalyJob().catch((e) => console.error('anomaly job failed:', (e as Error).message));
  void runBaselines(true);
  const alertTimers = [
    setInterval(() => runBaselines(true), 3_600_000),
    setInterval(runAnomalies, 5 * 60_000),
  ];

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping (finishing in-flight requests)…`);
    clearInterval(timer);
    for (const t of alertTimers) clearInterval(t);
    await new Promise<void>((ok) => {
      server.close(() => ok());
      server.closeIdleConnections();
    });
    await rt.close();
    console.log('stopped; all acknowledged data is on disk.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  if (process.argv.includes('--demo')) {
    seedDemoIfEmpty(rt, url)
      // The demo's month of history makes a baseline at once (no need to wait for tomorrow's run).
      .then(() => runBaselines(false))
      .catch((e) => console.error('--demo failed:', (e as Error).message));
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
