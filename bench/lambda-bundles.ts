/**
 * `npx tsx bench/lambda-bundles.ts [--no-write]`: builds every Lambda entry the CDK app deploys with the
 * same esbuild options as its NodejsFunction (infra/config/bundling.ts), then measures in fresh Node
 * processes (median of 5): the module import, and for HTTP handlers the import plus a first request
 * (which builds the composition root: SDK clients, stores). Also bundles a "floor" — a bare handler
 * with one DynamoDBClient GetItemCommand — against which the size target is to be read, since the AWS
 * SDK is bundled. The floor gets the same options, aliases included (no default credential chain).
 * Bundles are those of the default deployment (Timestream off, `VIGIL_TIMESTREAM` defined false); the
 * ingest entry is also bundled as a Timestream deployment (`-c timestream=true`) builds it, for its size.
 * Appends a section to bench/RESULTS.md unless given --no-write.
 */
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { bundleDefines, LAMBDA_BUNDLING } from '../infra/config/bundling';
import { API_FUNCTIONS, REPO_ROOT, scheduledJobs } from '../infra/config/functions';
import { settingsFromContext, type VigilSettings } from '../infra/config/settings';

/** The settings of a deployment made with no context: the one the size target is about. */
export const DEFAULT_SETTINGS: VigilSettings = settingsFromContext(() => undefined);
/** The same with `-c timestream=true`. */
export const TIMESTREAM_SETTINGS: VigilSettings = settingsFromContext((key) =>
  key === 'timestream' ? 'true' : undefined,
);

export interface LambdaEntry {
  name: string;
  entry: string;
  /** HTTP handlers answer an OPTIONS request without touching AWS, so a first call can be timed. */
  http: boolean;
}

/** Every deployed entry: the API functions and the scheduled jobs whose handler exists. */
export function lambdaEntries(): LambdaEntry[] {
  return [
    ...Object.entries(API_FUNCTIONS).map(([name, f]) => ({ name, entry: f.entry, http: true })),
    ...scheduledJobs().map((j) => ({ name: j.id.toLowerCase(), entry: j.entry, http: false })),
  ];
}

export interface BuiltEntry extends LambdaEntry {
  outfile: string;
  bytes: number;
  gzipBytes: number;
  exports: string[];
  /** Bytes in the bundle per package (or repo folder), largest first. */
  contributors: Array<[string, number]>;
  /** Every module with code in the bundle (paths relative to the repository root). */
  inputs: string[];
}

/** esbuild options of every function of a deployment (infra/config/bundling.ts), for one output file. */
export function deployedOptions(outfile: string, settings: VigilSettings): BuildOptions & { metafile: true } {
  return {
    outfile,
    bundle: true,
    platform: LAMBDA_BUNDLING.platform,
    target: LAMBDA_BUNDLING.target,
    format: LAMBDA_BUNDLING.format,
    minify: LAMBDA_BUNDLING.minify,
    sourcemap: LAMBDA_BUNDLING.sourceMap,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    external: [...LAMBDA_BUNDLING.externalModules],
    banner: { js: LAMBDA_BUNDLING.banner },
    define: bundleDefines(settings),
    alias: { ...LAMBDA_BUNDLING.alias },
    // Alias targets are resolved from the working directory, the repository root as in NodejsFunction.
    absWorkingDir: REPO_ROOT,
    metafile: true,
    logLevel: 'error',
  };
}

/**
 * Bundles one entry exactly as NodejsFunction does (esbuild, minified, ESM, AWS SDK included) for a
 * deployment with `settings` (default: no context).
 */
export async function buildEntry(
  e: LambdaEntry,
  outdir: string,
  settings: VigilSettings = DEFAULT_SETTINGS,
): Promise<BuiltEntry> {
  const outfile = join(outdir, e.name, 'index.mjs');
  const result = await build({
    entryPoints: [resolve(REPO_ROOT, e.entry)],
    ...deployedOptions(outfile, settings),
  });
  const code = readFileSync(outfile);
  const output = Object.values(result.metafile.outputs)[0];
  return {
    ...e,
    outfile,
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    exports: output?.exports ?? [],
    contributors: contributors(result.metafile),
    inputs: Object.entries(output?.inputs ?? {})
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  };
}

/**
 * The floor under every handler that talks to DynamoDB: a bare handler that only creates a
 * DynamoDBClient and sends one GetItemCommand, bundled with the same options. Since the SDK is bundled
 * (not taken from the runtime), no handler that reads the table can be smaller than this.
 */
export const FLOOR_SOURCE = `import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({});
export const handler = async (event) => {
  const out = await client.send(new GetItemCommand({ TableName: process.env.VIGIL_TABLE_NAME, Key: { pk: { S: String(event.id) } } }));
  return { found: out.Item !== undefined };
};
`;

export interface Floor {
  bytes: number;
  gzipBytes: number;
  exports: string[];
}

export async function buildFloor(outdir: string): Promise<Floor> {
  const outfile = join(outdir, 'floor', 'index.mjs');
  const result = await build({
    stdin: { contents: FLOOR_SOURCE, resolveDir: REPO_ROOT, sourcefile: 'floor.mjs', loader: 'js' },
    ...deployedOptions(outfile, DEFAULT_SETTINGS),
  });
  const code = readFileSync(outfile);
  return {
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    exports: Object.values(result.metafile.outputs)[0]?.exports ?? [],
  };
}

function contributors(meta: Metafile): Array<[string, number]> {
  const by = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const key = m ? m[1]! : path.split('/').slice(0, 2).join('/');
      by.set(key, (by.get(key) ?? 0) + input.bytesInOutput);
    }
  }
  return [...by].sort((a, b) => b[1] - a[1]);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** Runs `script` in a fresh Node process and returns the number it prints. */
function timeInFreshProcess(script: string): number {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      VIGIL_TABLE_NAME: 'bench',
      VIGIL_PAYLOAD_BUCKET: 'bench',
      VIGIL_LOG_LEVEL: 'SILENT',
    },
  });
  const ms = Number(r.stdout.trim().split('\n').pop());
  if (r.status !== 0 || !Number.isFinite(ms)) throw new Error(`timing failed: ${r.stderr || r.stdout}`);
  return ms;
}

export interface Timing {
  importMs: number;
  firstRequestMs: number | null;
}

/** Median of `runs` fresh processes: import only, and import + one OPTIONS request for HTTP handlers. */
export function measure(b: BuiltEntry, runs = 5): Timing {
  const url = pathToFileURL(b.outfile).href;
  const importMs = median(
    Array.from({ length: runs }, () =>
      timeInFreshProcess(
        `const t=performance.now();await import(${JSON.stringify(url)});console.log(performance.now()-t);`,
      ),
    ),
  );
  if (!b.http || !b.exports.includes('handler')) return { importMs, firstRequestMs: null };
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/api/initsession',
    rawQueryString: '',
    headers: { origin: 'https://example.com' },
    requestContext: {
      http: {
        method: 'OPTIONS',
        path: '/api/initsession',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'bench',
      },
    },
    isBase64Encoded: false,
  };
  const firstRequestMs = median(
    Array.from({ length: runs }, () =>
      timeInFreshProcess(
        `const t=performance.now();const m=await import(${JSON.stringify(url)});` +
          `const r=await m.handler(${JSON.stringify(event)},{functionName:'bench',awsRequestId:'bench'});` +
          `if(r.statusCode!==204)throw new Error('status '+r.statusCode);console.log(performance.now()-t);`,
      ),
    ),
  );
  return { importMs, firstRequestMs };
}

const TARGETS = { ingestBytes: 400 * 1024, initMs: 150 };
const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;

function section(
  rows: Array<BuiltEntry & Timing>,
  floor: Floor,
  timestreamIngest: BuiltEntry | undefined,
): string {
  const lines = [
    '',
    `## Lambda bundles — ${new Date().toISOString().slice(0, 10)}`,
    '',
    `\`npx tsx bench/lambda-bundles.ts\`: each entry bundled with the deployed esbuild options (ESM, ` +
      `minified, ${LAMBDA_BUNDLING.target}, AWS SDK bundled) of the default deployment (no context: ` +
      `Timestream off, so no Lambda bundles the Timestream sink); times are the median of 5 fresh ` +
      `\`node\` processes on ${cpus()[0]?.model ?? 'unknown cpu'} × ${cpus().length}, node ${process.version} ` +
      `(1-minute load average ${loadavg()[0]!.toFixed(1)} as the run ended: other work shares the machine, ` +
      'so times vary between runs). Lambda runs Node 24 on arm64 and its cold start adds the runtime ' +
      'boot and the code download. ' +
      `"first request" = import + building the composition root + answering one OPTIONS request.`,
    '',
    '| Lambda | entry | minified | gzip | exports handler | import (ms) | first request (ms) |',
    '|---|---|---:|---:|:---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | \`${r.entry}\` | ${kb(r.bytes)} | ${kb(r.gzipBytes)} | ${r.exports.includes('handler') ? 'yes' : '**no**'} | ` +
        `${r.importMs.toFixed(0)} | ${r.firstRequestMs === null ? '—' : r.firstRequestMs.toFixed(0)} |`,
    );
  }
  lines.push(
    `| *floor: bare DynamoDBClient + one GetItemCommand* | — | ${kb(floor.bytes)} | ${kb(floor.gzipBytes)} | ${floor.exports.includes('handler') ? 'yes' : '**no**'} | — | — |`,
  );
  const ingest = rows.find((r) => r.name === 'ingest');
  if (ingest) {
    lines.push(
      '',
      `Targets: ingest ≤ ${kb(TARGETS.ingestBytes)} minified — **${ingest.bytes <= TARGETS.ingestBytes ? 'met' : 'not met'}** ` +
        `(${kb(ingest.bytes)}); init ≤ ${TARGETS.initMs} ms — **${ingest.importMs <= TARGETS.initMs ? 'met' : 'not met'}** ` +
        `(import ${ingest.importMs.toFixed(0)} ms).`,
      '',
      `Floor: a bare handler that only creates a DynamoDBClient and sends one GetItemCommand is ${kb(floor.bytes)} ` +
        `minified with the same options (the AWS SDK is bundled, so no handler that reads the table is smaller). ` +
        `Read the ${kb(TARGETS.ingestBytes)} target against it: it leaves ${kb(TARGETS.ingestBytes - floor.bytes)} ` +
        `for everything else; ingest is ${kb(ingest.bytes - floor.bytes)} above the floor.`,
      '',
      `Largest parts of the ingest bundle: ${ingest.contributors
        .slice(0, 8)
        .map(([name, bytes]) => `${name} ${kb(bytes)}`)
        .join(', ')}.`,
    );
    if (timestreamIngest) {
      lines.push(
        '',
        `A Timestream deployment (\`-c timestream=true\`) bundles the Timestream sink and its SDK client into ` +
          `ingest: ${kb(timestreamIngest.bytes)} minified, ${kb(timestreamIngest.gzipBytes)} gzip ` +
          `(+${kb(timestreamIngest.bytes - ingest.bytes)}).`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const outdir = mkdtempSync(join(tmpdir(), 'vigil-lambda-bundles-'));
  try {
    const rows: Array<BuiltEntry & Timing> = [];
    for (const e of lambdaEntries()) {
      const built = await buildEntry(e, outdir);
      const timing = measure(built);
      rows.push({ ...built, ...timing });
      console.error(`${e.name}: ${kb(built.bytes)}, import ${timing.importMs.toFixed(0)} ms`);
    }
    const floor = await buildFloor(outdir);
    console.error(`floor (DynamoDBClient + GetItemCommand): ${kb(floor.bytes)}`);
    const ingestEntry = lambdaEntries().find((e) => e.name === 'ingest');
    const timestreamIngest = ingestEntry
      ? await buildEntry({ ...ingestEntry, name: 'ingest-timestream' }, outdir, TIMESTREAM_SETTINGS)
      : undefined;
    if (timestreamIngest) console.error(`ingest, Timestream deployment: ${kb(timestreamIngest.bytes)}`);
    const text = section(rows, floor, timestreamIngest);
    console.log(text);
    if (!process.argv.includes('--no-write')) {
      const results = resolve(REPO_ROOT, 'bench/RESULTS.md');
      if (!existsSync(results) || statSync(results).size === 0) writeFileSync(results, '# Bench results\n');
      appendFileSync(results, text);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
