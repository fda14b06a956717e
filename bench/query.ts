import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbDatabase } from '../lambdas/adapters/duckdb/database';
import { SKETCH_RELATIVE_ACCURACY } from '../lambdas/domain/sketch';
import { spawnVigil } from '../test/helpers/vigil-process';

/**
 * Dashboard query latency: the overview, cost and latency API calls of the local runtime against the
 * same aggregates computed by PostgreSQL over the raw rows (the do-it-yourself baseline).
 *
 * Seeding: ingest over HTTP runs at a few thousand events a second here, so 20M events would take
 * hours. Instead the raw sessions and events are generated in DuckDB SQL (deterministic hashes), and the
 * rollups are computed from them in SQL exactly as ingest folds them (same slices, counters and DDSketch
 * bin keys) and written straight into the runtime's DuckDB file. The same raw rows are loaded into
 * PostgreSQL with COPY.
 */

export interface QueryBenchOptions {
  /** @default 1_000_000 */
  sessions?: number;
  /** Events per session. @default 20 */
  eventsPerSession?: number;
  /** Runs per API call. @default 20 */
  runs?: number;
  /** Runs per PostgreSQL query (each scans the raw rows: seconds apiece at 20M events). @default 5 */
  pgRuns?: number;
  log?: (line: string) => void;
}

export interface Timing {
  name: string;
  /** The first call after the runtime started (empty day cache), ms. */
  cold?: number;
  median: number;
  p95: number;
  runs: number;
}

export interface QueryBenchResult {
  sessions: number;
  events: number;
  rollupRows: number;
  seedSeconds: number;
  pgLoadSeconds: number;
  vigil: Timing[];
  postgres: Timing[];
}

const AGENT = 'bench-agent';
const KEY = 'vgl_bench_query_key_0123456789abcdef';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function pct(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function summarise(name: string, ms: number[]): Timing {
  const s = [...ms].sort((a, b) => a - b);
  return { name, median: pct(s, 0.5), p95: pct(s, 0.95), runs: s.length };
}

/** Model, USD per million input / output tokens (the price table's figures). */
const MODEL_PRICES: Array<[string, number, number]> = [
  ['gpt-4o', 2.5, 10],
  ['gpt-4o-mini', 0.15, 0.6],
  ['claude-sonnet-4-5', 3, 15],
  ['gemini-2.5-flash', 0.3, 2.5],
];

/** Raw rows: sessions `s` and events `e`, in the 30 days before `end`. */
export function rawSql(n: number, perSession: number, end: number): string {
  const span = 30 * DAY - HOUR;
  const from = end - span;
  return `
CREATE MACRO u(i, salt) AS (hash(i, salt) % 1000000007) / 1000000007.0;
CREATE MACRO z(i, salt) AS (u(i, salt || 'a') + u(i, salt || 'b') + u(i, salt || 'c') - 1.5) * 2.0;
CREATE TABLE s0 AS SELECT i AS sid,
    ${from} + CAST(floor((i + u(i, 'start')) * ${span} / ${n}) AS BIGINT) AS started_at,
    hash(i, 'prod') % 20 <> 0 AS production,
    ['free', 'pro', 'enterprise'][1 + CAST(hash(i, 'tier') % 3 AS INTEGER)] AS tier
  FROM range(${n}) t(i);
CREATE TABLE e AS
  WITH raw AS (
    SELECT s0.sid, s0.production, s0.tier, s0.sid * ${perSession} + j AS eid,
      s0.started_at + j * 1500 + CAST(u(s0.sid * ${perSession} + j, 'off') * 1000 AS BIGINT) AS started_at,
      u(s0.sid * ${perSession} + j, 'type') AS ut
    FROM s0, range(${perSession}) r(j))
  SELECT sid, production, tier, eid, started_at,
    CASE WHEN ut < 0.5 THEN 'llm' WHEN ut < 0.8 THEN 'tool' WHEN ut < 0.97 THEN 'generic' ELSE 'error' END AS type,
    CASE WHEN ut < 0.5 THEN ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-5', 'gemini-2.5-flash'][1 + CAST(hash(eid, 'm') % 4 AS INTEGER)] END AS model,
    round(exp(ln(CASE WHEN ut < 0.5 THEN 1200 WHEN ut < 0.8 THEN 300 WHEN ut < 0.97 THEN 40 ELSE 150 END) + 0.6 * z(eid, 'd')), 1) AS duration_ms,
    CASE WHEN ut < 0.5 THEN 300 + CAST(u(eid, 'in') * 6000 AS INTEGER) END AS input_tokens,
    CASE WHEN ut < 0.5 THEN 40 + CAST(u(eid, 'out') * 900 AS INTEGER) END AS output_tokens,
    CASE WHEN ut >= 0.97 THEN ['tool', 'api', 'validation', 'unknown'][1 + CAST(hash(eid, 'c') % 4 AS INTEGER)]
         WHEN ut < 0.5 AND u(eid, 'le') < 0.01 THEN ['rate_limit', 'timeout'][1 + CAST(hash(eid, 'lc') % 2 AS INTEGER)] END AS error_category
  FROM raw;
ALTER TABLE e ADD COLUMN cost_usd DOUBLE;
UPDATE e SET cost_usd = (input_tokens * CASE model ${MODEL_PRICES.map(([m, i]) => `WHEN '${m}' THEN ${i}`).join(' ')} END
  + output_tokens * CASE model ${MODEL_PRICES.map(([m, , o]) => `WHEN '${m}' THEN ${o}`).join(' ')} END) / 1e6 WHERE model IS NOT NULL;
CREATE TABLE s AS SELECT s0.*, coalesce(a.cost, 0) AS cost_usd,
    greatest(0, a.last_end - s0.started_at) AS duration_ms, a.errors > 0 AS errored,
    a.errors = 0 AND u(s0.sid, 'ok') > 0.1 AS succeeded
  FROM s0 JOIN (SELECT sid, sum(cost_usd) AS cost, max(started_at + duration_ms) AS last_end,
    count(error_category) AS errors FROM e GROUP BY sid) a USING (sid);
DROP TABLE s0;`;
}

/** Rollups from the raw rows, as ingest folds them (lambdas/domain/ingest.ts), one row per (hour, production, slice). */
export function rollupSql(): string {
  const lg = Math.log((1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY));
  const bin = (v: string) =>
    `CASE WHEN ${v} > 1e-9 THEN CAST(CAST(ceil(ln(${v}) / ${lg}) AS BIGINT) AS VARCHAR) ELSE 'z' END`;
  return `
CREATE TABLE ev AS SELECT CAST(floor(started_at / ${HOUR}) AS INTEGER) AS hour, production, slice,
    type, duration_ms, input_tokens, output_tokens, cost_usd, error_category
  FROM e, unnest(list_filter(['all', 'type:' || type, 'model:' || model, 'err:' || error_category, 'tag:tier=' || tier], x -> x IS NOT NULL)) t(slice);
CREATE TABLE ss AS SELECT CAST(floor(started_at / ${HOUR}) AS INTEGER) AS hour, production, slice, cost_usd, duration_ms, errored, succeeded
  FROM s, unnest(['all', 'tag:tier=' || tier]) t(slice);
CREATE TABLE ev_c AS SELECT hour, production, slice, count(*) AS events, count(*) FILTER (WHERE type = 'llm') AS llm,
    count(error_category) AS errors, coalesce(sum(input_tokens), 0) AS input, coalesce(sum(output_tokens), 0) AS output,
    coalesce(sum(cost_usd), 0) AS cost, sum(duration_ms) AS lat_sum, count(duration_ms) AS lat_n
  FROM ev GROUP BY ALL;
CREATE TABLE ss_c AS SELECT hour, production, slice, count(*) AS sessions, count(*) FILTER (WHERE errored) AS errored,
    count(*) FILTER (WHERE succeeded) AS succeeded, count(*) FILTER (WHERE NOT succeeded) AS failed,
    sum(cost_usd) AS cost_sum, sum(duration_ms) AS dur_sum, count(duration_ms) AS dur_n
  FROM ss GROUP BY ALL;
CREATE TABLE bins AS
  SELECT hour, production, slice, name, CAST(json_group_object(k, w) AS VARCHAR) AS bins FROM (
    SELECT hour, production, slice, 'eventLatency' AS name, ${bin('duration_ms')} AS k, count(*)::DOUBLE AS w FROM ev GROUP BY ALL
    UNION ALL SELECT hour, production, slice, 'llmTokens', ${bin('(input_tokens + output_tokens)')}, count(*)::DOUBLE FROM ev WHERE type = 'llm' GROUP BY ALL
    UNION ALL SELECT hour, production, slice, 'llmCost', ${bin('cost_usd')}, count(*)::DOUBLE FROM ev WHERE type = 'llm' GROUP BY ALL
    UNION ALL SELECT hour, production, slice, 'sessionCost', ${bin('cost_usd')}, count(*)::DOUBLE FROM ss GROUP BY ALL
    UNION ALL SELECT hour, production, slice, 'sessionDuration', ${bin('duration_ms')}, count(*)::DOUBLE FROM ss GROUP BY ALL
  ) GROUP BY hour, production, slice, name;
CREATE TABLE rollup_rows AS
  WITH keys AS (SELECT hour, production, slice FROM ev_c UNION SELECT hour, production, slice FROM ss_c),
  sk AS (SELECT hour, production, slice, '{' || string_agg('"' || name || '":' || bins, ',') || '}' AS sketches FROM bins GROUP BY ALL)
  SELECT '${AGENT}' AS agent_id, k.production, k.slice, k.hour,
    CAST(json_object('events', coalesce(ev_c.events, 0), 'llmCalls', coalesce(ev_c.llm, 0), 'errors', coalesce(ev_c.errors, 0),
      'inputTokens', coalesce(ev_c.input, 0), 'outputTokens', coalesce(ev_c.output, 0), 'costUsd', coalesce(ev_c.cost, 0),
      'latencySumMs', coalesce(ev_c.lat_sum, 0), 'latencyCount', coalesce(ev_c.lat_n, 0),
      'sessions', coalesce(ss_c.sessions, 0), 'settledSessions', coalesce(ss_c.sessions, 0),
      'erroredSessions', coalesce(ss_c.errored, 0), 'succeededSessions', coalesce(ss_c.succeeded, 0),
      'failedSessions', coalesce(ss_c.failed, 0), 'sessionCostSum', coalesce(ss_c.cost_sum, 0),
      'sessionDurationSum', coalesce(ss_c.dur_sum, 0), 'sessionDurationCount', coalesce(ss_c.dur_n, 0)) AS VARCHAR) AS counters,
    coalesce(sk.sketches, '{}') AS sketches
  FROM keys k LEFT JOIN ev_c USING (hour, production, slice) LEFT JOIN ss_c USING (hour, production, slice)
    LEFT JOIN sk USING (hour, production, slice);`;
}

/** The DIY baseline: the same aggregates in SQL over raw rows (session totals kept on the session row). */
function pgQueries(from: number, to: number): Record<string, string> {
  const prev = from - (to - from);
  const w = (a: number, b: number) =>
    `agent_id = '${AGENT}' AND production AND started_at >= ${a} AND started_at < ${b}`;
  const monthStart = Date.UTC(new Date(to).getUTCFullYear(), new Date(to).getUTCMonth(), 1);
  return {
    overview: `SELECT
      (SELECT count(*) FROM sessions WHERE ${w(from, to)}), (SELECT count(*) FROM sessions WHERE ${w(prev, from)}),
      (SELECT avg(duration_ms) FROM sessions WHERE ${w(from, to)}), (SELECT avg(duration_ms) FROM sessions WHERE ${w(prev, from)}),
      (SELECT avg(errored::int) FROM sessions WHERE ${w(from, to)}), (SELECT avg(errored::int) FROM sessions WHERE ${w(prev, from)}),
      (SELECT avg(succeeded::int) FROM sessions WHERE ${w(from, to)}),
      (SELECT row(sum(cost_usd), sum(input_tokens + output_tokens), count(*) FILTER (WHERE type = 'llm'), count(error_category)) FROM events WHERE ${w(from, to)}),
      (SELECT row(sum(cost_usd), sum(input_tokens + output_tokens), count(*) FILTER (WHERE type = 'llm'), count(error_category)) FROM events WHERE ${w(prev, from)})`,
    'cost series': `SELECT floor((started_at - ${prev}) / ${DAY}) AS day, sum(cost_usd), count(*) FILTER (WHERE type = 'llm'),
        sum(input_tokens + output_tokens) FROM events WHERE ${w(prev, to)} GROUP BY 1 ORDER BY 1;
      SELECT floor((started_at - ${from}) / ${DAY}) AS day, count(*) FROM sessions WHERE ${w(from, to)} GROUP BY 1;
      SELECT sum(cost_usd) FILTER (WHERE started_at >= ${monthStart}), sum(cost_usd) FILTER (WHERE started_at >= ${to - 7 * DAY})
        FROM events WHERE ${w(Math.min(monthStart, to - 7 * DAY), to)}`,
    percentiles: `SELECT percentile_cont(array[0.5, 0.75, 0.9, 0.95, 0.99]) WITHIN GROUP (ORDER BY cost_usd), avg(cost_usd), max(cost_usd),
        percentile_cont(array[0.5, 0.75, 0.9, 0.95, 0.99]) WITHIN GROUP (ORDER BY duration_ms), avg(duration_ms), max(duration_ms)
        FROM sessions WHERE ${w(from, to)};
      SELECT percentile_cont(array[0.5, 0.75, 0.9, 0.95, 0.99]) WITHIN GROUP (ORDER BY duration_ms), avg(duration_ms) FROM events WHERE ${w(from, to)};
      SELECT percentile_cont(array[0.5, 0.75, 0.9, 0.95, 0.99]) WITHIN GROUP (ORDER BY cost_usd),
        percentile_cont(array[0.5, 0.75, 0.9, 0.95, 0.99]) WITHIN GROUP (ORDER BY input_tokens + output_tokens)
        FROM events WHERE ${w(from, to)} AND type = 'llm'`,
    latency: `SELECT percentile_cont(array[0.5, 0.75, 0.9, 0.95, 0.99]) WITHIN GROUP (ORDER BY duration_ms), avg(duration_ms)
        FROM sessions WHERE ${w(from, to)};
      SELECT width_bucket(duration_ms, array[0, 100, 250, 500, 1000, 2000, 5000, 10000, 20000, 30000, 60000, 120000, 300000, 600000, 1800000, 3600000]::float8[]), count(*)
        FROM sessions WHERE ${w(from, to)} GROUP BY 1;
      SELECT type, percentile_cont(array[0.5, 0.75, 0.9, 0.95, 0.99]) WITHIN GROUP (ORDER BY duration_ms), avg(duration_ms)
        FROM events WHERE ${w(from, to)} GROUP BY type;
      SELECT model, percentile_cont(array[0.5, 0.75, 0.9, 0.95, 0.99]) WITHIN GROUP (ORDER BY duration_ms), avg(duration_ms)
        FROM events WHERE ${w(from, to)} AND model IS NOT NULL GROUP BY model;
      SELECT floor((started_at - ${from}) / ${DAY}), percentile_cont(array[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY duration_ms)
        FROM sessions WHERE ${w(from, to)} GROUP BY 1;
      SELECT floor((started_at - ${from}) / ${DAY}), percentile_cont(array[0.5, 0.95]) WITHIN GROUP (ORDER BY duration_ms)
        FROM events WHERE ${w(from, to)} GROUP BY 1`,
  };
}

function findPgBin(): string | null {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort() : [];
  const v = versions[versions.length - 1];
  return v && existsSync(`/usr/lib/postgresql/${v}/bin/initdb`) ? `/usr/lib/postgresql/${v}/bin` : null;
}

/** Debian's PostgreSQL binaries; installed with apt-get when missing and running as root (as CI does). */
function pgBin(log: (s: string) => void): string {
  const found = findPgBin();
  if (found) return found;
  if (process.getuid?.() === 0) {
    log('PostgreSQL is not installed: apt-get update && apt-get install -y postgresql');
    execFileSync('apt-get', ['update'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', 'postgresql'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    const installed = findPgBin();
    if (installed) return installed;
  }
  throw new Error(
    "PostgreSQL is not installed: run 'apt-get update && apt-get install -y postgresql', then the bench again",
  );
}

/** Runs a command as the postgres user (PostgreSQL refuses to run as root). */
function asPostgres(cmd: string[], opts: { input?: string } = {}): string {
  const asRoot = process.getuid?.() === 0;
  const [file, args] = asRoot ? ['runuser', ['-u', 'postgres', '--', ...cmd]] : [cmd[0]!, cmd.slice(1)];
  return execFileSync(file, args, { input: opts.input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

async function startPostgres(
  dir: string,
  log: (s: string) => void,
): Promise<{ psql: (sql: string) => string; stop: () => void }> {
  const bin = pgBin(log);
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0)
    chownSync(dir, Number(asPostgres(['id', '-u']).trim()), Number(asPostgres(['id', '-g']).trim()));
  asPostgres([`${bin}/initdb`, '-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  const port = String(54_000 + Math.floor(Math.random() * 1000));
  asPostgres([
    `${bin}/pg_ctl`,
    '-D',
    join(dir, 'data'),
    '-l',
    join(dir, 'pg.log'),
    '-w',
    'start',
    '-o',
    `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c shared_buffers=2GB -c work_mem=256MB -c max_parallel_workers_per_gather=2 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
  ]);
  log(`PostgreSQL (${bin}) on 127.0.0.1:${port}`);
  const psql = (sql: string) =>
    asPostgres(
      [
        'psql',
        '-h',
        '127.0.0.1',
        '-p',
        port,
        '-U',
        'postgres',
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-f',
        '-',
      ],
      { input: sql },
    );
  return { psql, stop: () => asPostgres([`${bin}/pg_ctl`, '-D', join(dir, 'data'), '-m', 'fast', 'stop']) };
}

/** Times each query `runs` times in one psql session (\timing: client-observed, no process start-up). */
function timePg(psql: (sql: string) => string, queries: Record<string, string>, runs: number): Timing[] {
  const out: Timing[] = [];
  for (const [name, sql] of Object.entries(queries)) {
    const statements = sql.split(';').filter((s) => s.trim()).length;
    const script = `\\timing on\n${Array.from({ length: runs + 1 }, () => `${sql};\n`).join('')}`;
    const times = [...psql(script).matchAll(/^Time: ([\d.]+) ms/gm)].map((m) => Number(m[1]));
    const perRun: number[] = [];
    for (let i = 0; i < times.length; i += statements)
      perRun.push(times.slice(i, i + statements).reduce((a, b) => a + b, 0));
    out.push(summarise(name, perRun.slice(1)));
  }
  return out;
}

/**
 * Each call against a freshly started runtime: the first request meets an empty day cache (cold: the
 * hourly rollups are read from DuckDB and merged), the next `runs` are timed warm.
 */
async function timeApi(
  dataDir: string,
  paths: Record<string, string>,
  runs: number,
  check: (name: string, body: string) => void,
): Promise<Timing[]> {
  const out: Timing[] = [];
  for (const [name, path] of Object.entries(paths)) {
    const v = await spawnVigil(dataDir, KEY);
    try {
      const ms: number[] = [];
      let cold = 0;
      for (let i = 0; i <= runs; i++) {
        const t0 = performance.now();
        const res = await fetch(v.url + path, { headers: { authorization: `Api-Key ${KEY}` } });
        const body = await res.text();
        if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${body.slice(0, 200)}`);
        const t = performance.now() - t0;
        if (i === 0) {
          cold = t;
          check(name, body);
        } else ms.push(t);
      }
      out.push({ ...summarise(name, ms), cold });
    } finally {
      v.child.kill('SIGTERM');
      await v.exited;
    }
  }
  return out;
}

export async function benchQuery(o: QueryBenchOptions = {}): Promise<QueryBenchResult> {
  const log = o.log ?? ((s: string) => console.error(s));
  const n = o.sessions ?? 1_000_000;
  const per = o.eventsPerSession ?? 20;
  const runs = o.runs ?? 20;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-query-'));
  chmodSync(dir, 0o755);
  const dataDir = join(dir, 'data');
  const end = Math.floor(Date.now() / HOUR) * HOUR;
  const from = end - 30 * DAY + HOUR;
  try {
    // 1. Raw rows and rollups, in DuckDB.
    let t0 = performance.now();
    const vigilDb = await DuckDbDatabase.open(join(dataDir, 'vigil.duckdb'));
    await vigilDb.close();
    const inst = await DuckDBInstance.create(':memory:');
    const c = await inst.connect();
    log(`generating ${n} sessions / ${n * per} events in DuckDB…`);
    await c.run(rawSql(n, per, end));
    log(`computing rollups… (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    await c.run(rollupSql());
    await c.run(`ATTACH '${join(dataDir, 'vigil.duckdb')}' AS v`);
    await c.run(`INSERT INTO v.agents VALUES ('${AGENT}', ${from})`);
    await c.run(
      `INSERT INTO v.rollups SELECT agent_id, production, slice, hour, counters, sketches FROM rollup_rows`,
    );
    const rollupRows = Number(
      (await c.runAndReadAll('SELECT count(*) AS n FROM rollup_rows')).getRowObjects()[0]!.n,
    );
    await c.run('DETACH v');
    const seedSeconds = (performance.now() - t0) / 1000;
    log(`rollups: ${rollupRows} rows written in ${seedSeconds.toFixed(1)} s total`);

    // 2. The same raw rows into PostgreSQL.
    t0 = performance.now();
    const csvDir = join(dir, 'csv');
    mkdirSync(csvDir);
    chmodSync(csvDir, 0o755);
    await c.run(
      `COPY (SELECT '${AGENT}' AS agent_id, sid, started_at, production, tier, cost_usd, duration_ms, errored, succeeded FROM s) TO '${csvDir}/sessions.csv' (HEADER false)`,
    );
    await c.run(
      `COPY (SELECT '${AGENT}' AS agent_id, sid, eid, started_at, production, type, model, duration_ms, input_tokens, output_tokens, cost_usd, error_category FROM e) TO '${csvDir}/events.csv' (HEADER false)`,
    );
    c.closeSync();
    inst.closeSync();
    for (const f of readdirSync(csvDir)) chmodSync(join(csvDir, f), 0o644);
    const pg = await startPostgres(join(dir, 'pg'), log);
    let postgres: Timing[];
    let pgLoadSeconds: number;
    let truth = { sessions: 0, cost: 0 };
    try {
      log('loading PostgreSQL with COPY…');
      pg.psql(`
        CREATE TABLE sessions (agent_id text, session_id bigint, started_at bigint, production boolean, tier text,
          cost_usd float8, duration_ms float8, errored boolean, succeeded boolean);
        CREATE TABLE events (agent_id text, session_id bigint, event_id bigint, started_at bigint, production boolean,
          type text, model text, duration_ms float8, input_tokens int, output_tokens int, cost_usd float8, error_category text);
        COPY sessions FROM '${csvDir}/sessions.csv' (FORMAT csv);
        COPY events FROM '${csvDir}/events.csv' (FORMAT csv);
        CREATE INDEX ON sessions (agent_id, started_at);
        CREATE INDEX ON events (agent_id, started_at);
        VACUUM ANALYZE;`);
      pgLoadSeconds = (performance.now() - t0) / 1000;
      const [pgSessions, pgCost] = pg
        .psql(
          `\\pset tuples_only on\n\\pset format unaligned\nSELECT count(*) || '|' || sum(cost_usd) FROM sessions WHERE production AND started_at >= ${end - 30 * DAY};`,
        )
        .trim()
        .split('|')
        .map(Number);
      truth = { sessions: pgSessions!, cost: pgCost! };
      log(`PostgreSQL loaded in ${pgLoadSeconds.toFixed(1)} s; timing queries…`);
      postgres = timePg(pg.psql, pgQueries(end - 30 * DAY, end), o.pgRuns ?? 5);
    } finally {
      pg.stop();
    }

    // 3. The API calls, against the runtime as its own process.
    const base = `/api/agents/${AGENT}`;
    const check = (name: string, body: string) => {
      if (name !== 'overview') return;
      const kpis = (
        JSON.parse(body) as { kpis: { sessions: { value: number }; total_cost_usd: { value: number } } }
      ).kpis;
      if (
        kpis.sessions.value !== truth.sessions ||
        Math.abs(kpis.total_cost_usd.value - truth.cost) > 1e-3 * truth.cost
      ) {
        throw new Error(`rollups and raw rows disagree: ${JSON.stringify(kpis)} vs ${JSON.stringify(truth)}`);
      }
      log(`check: overview matches PostgreSQL (${truth.sessions} sessions, $${truth.cost.toFixed(2)})`);
    };
    const vigil = await timeApi(
      dataDir,
      {
        overview: `${base}/overview?range=30d`,
        'cost series': `${base}/cost/series?range=30d&bucket=1d`,
        percentiles: `${base}/percentiles?range=30d`,
        latency: `${base}/latency?range=30d&bucket=1d`,
      },
      runs,
      check,
    );
    return { sessions: n, events: n * per, rollupRows, seedSeconds, pgLoadSeconds, vigil, postgres };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Markdown table of the result. */
export function queryBenchTable(r: QueryBenchResult): string {
  const lines = [
    `Seeded ${r.sessions.toLocaleString('en')} sessions / ${r.events.toLocaleString('en')} events ` +
      `(${r.rollupRows.toLocaleString('en')} rollup rows, written directly in ${r.seedSeconds.toFixed(0)} s; PostgreSQL COPY + indexes ${r.pgLoadSeconds.toFixed(0)} s). Window: 30 days.`,
    '',
    '| call | Vigil first call ms (cold) | Vigil median ms | Vigil p95 ms | PostgreSQL median ms | PostgreSQL p95 ms | speed-up (median) | speed-up (cold vs PG median) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const v of r.vigil) {
    const p = r.postgres.find((x) => x.name === v.name);
    lines.push(
      `| ${v.name} | ${v.cold?.toFixed(0) ?? '–'} | ${v.median.toFixed(1)} | ${v.p95.toFixed(1)} | ${p ? p.median.toFixed(0) : '–'} | ${p ? p.p95.toFixed(0) : '–'} | ${p ? `${(p.median / v.median).toFixed(0)}×` : '–'} | ${p && v.cold ? `${(p.median / v.cold).toFixed(0)}×` : '–'} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('bench/query.ts')) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  benchQuery({ sessions: arg('sessions'), runs: arg('runs'), pgRuns: arg('pg-runs') })
    .then((r) => console.log(queryBenchTable(r)))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
