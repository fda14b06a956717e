/**
 * `npm run bench`: starts the local runtime as its own process (one core for the server, one for the
 * load) and measures each benchmark against it. Results go to stdout; bench/RESULTS.md records runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnVigil } from '../test/helpers/vigil-process';
import { benchBatched, benchRawDuckDb, benchUnbatched, type IngestResult } from './ingest';
import { benchOtlp } from './otlp';
import { benchOtlpCodec, codecTable } from './otlp-codec';
import { benchQuery, queryBenchTable } from './query';

const KEY = 'vgl_bench_key_0123456789abcdefghij';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  console.log(
    `# Vigil bench — ${new Date().toISOString()} — ${cpus()[0]?.model ?? 'unknown cpu'} × ${cpus().length}, node ${process.version}`,
  );
  const v = await spawnVigil(join(dir, 'data'), KEY);
  const results: IngestResult[] = [];
  try {
    await benchBatched(v.url, KEY, 20); // warm-up (JIT, DuckDB caches)
    results.push(await benchBatched(v.url, KEY));
    results.push(await benchUnbatched(v.url, KEY));
    for (const r of await benchOtlp(v.url, KEY)) {
      results.push({
        name: r.name,
        events: r.requests * 100,
        seconds: (r.requests * 100) / r.eventsPerSec,
        eventsPerSec: r.eventsPerSec,
      });
    }
  } finally {
    v.child.kill('SIGTERM');
    await v.exited;
  }
  results.push(await benchRawDuckDb(dir));
  const raw = results[results.length - 1]!.eventsPerSec;
  console.log(
    '\n## Ingest\n\n| path | events | seconds | events/s | share of raw DuckDB append |\n|---|---:|---:|---:|---:|',
  );
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.events} | ${r.seconds.toFixed(2)} | ${Math.round(r.eventsPerSec)} | ${(r.eventsPerSec / raw).toFixed(3)} |`,
    );
  }
  const batched = results[0];
  const unbatched = results[1];
  console.log(`\nbatched / unbatched: ${(batched!.eventsPerSec / unbatched!.eventsPerSec).toFixed(1)}×`);
  rmSync(dir, { recursive: true, force: true });

  console.log(`\n## OTLP protobuf decoding\n\n${codecTable(benchOtlpCodec())}`);

  if (process.env.VIGIL_BENCH_ONLY === 'ingest') return;
  // Dashboard queries: 1M sessions / 20M events, against PostgreSQL over the same raw rows (bench/query.ts).
  const sessions = Number(process.env.VIGIL_BENCH_SESSIONS ?? 1_000_000);
  console.log(`\n## Dashboard queries\n\n${queryBenchTable(await benchQuery({ sessions }))}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
