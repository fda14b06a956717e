import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BuiltEntry,
  buildEntry,
  DEFAULT_SETTINGS,
  deployedOptions,
  lambdaEntries,
  TIMESTREAM_SETTINGS,
} from '../../bench/lambda-bundles';
import { bundleDefines } from '../../infra/config/bundling';
import { REPO_ROOT } from '../../infra/config/functions';
import { resourceByPrefix, synthVigil } from './support';

const INGEST = lambdaEntries().find((e) => e.name === 'ingest')!;
const CLASSIC_ZOD = /node_modules\/zod\/v4\/classic\//;
const TIMESTREAM_MODULES = /lambdas\/adapters\/timestream\/|@aws-sdk\/client-timestream-write\//;

/**
 * The ingest Lambda as each deployment bundles it (deployed esbuild options, metafile inputs): the size
 * target, no classic zod (one classic import brings all of it back), Timestream only where enabled.
 */
describe('ingest bundle', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'vigil-ingest-bundle-test-'));
  let byDefault: BuiltEntry;
  let withTimestream: BuiltEntry;
  beforeAll(async () => {
    byDefault = await buildEntry(INGEST, outdir, DEFAULT_SETTINGS);
    withTimestream = await buildEntry({ ...INGEST, name: 'ingest-timestream' }, outdir, TIMESTREAM_SETTINGS);
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('defines VIGIL_TIMESTREAM from the deployment settings', () => {
    expect(DEFAULT_SETTINGS.timestream.enabled).toBe(false);
    expect(bundleDefines(DEFAULT_SETTINGS)).toEqual({ VIGIL_TIMESTREAM: 'false' });
    expect(bundleDefines(TIMESTREAM_SETTINGS)).toEqual({ VIGIL_TIMESTREAM: 'true' });
  });

  it('is at most 400 KB minified in the default deployment', () => {
    expect(byDefault.bytes).toBeLessThanOrEqual(400 * 1024);
  });

  it('carries zod/mini with the English locale and no classic zod', () => {
    expect(byDefault.inputs.filter((p) => CLASSIC_ZOD.test(p))).toEqual([]);
    expect(byDefault.inputs.some((p) => p.endsWith('node_modules/zod/v4/mini/schemas.js'))).toBe(true);
    expect(byDefault.inputs.some((p) => p.endsWith('node_modules/zod/v4/locales/en.js'))).toBe(true);
  });

  it('leaves the Timestream sink and SDK client out of the default deployment', () => {
    expect(byDefault.inputs.filter((p) => TIMESTREAM_MODULES.test(p))).toEqual([]);
  });

  it('carries the Timestream sink and its SDK client in a Timestream deployment', () => {
    expect(withTimestream.inputs).toContain('lambdas/adapters/timestream/timeseries-sink.ts');
    expect(withTimestream.inputs.some((p) => p.includes('@aws-sdk/client-timestream-write/'))).toBe(true);
    expect(withTimestream.bytes).toBeGreaterThan(byDefault.bytes);
  });
});

/**
 * The ingest contracts bundled alone (no classic zod to set a locale) and run in a fresh Node process
 * (zod keeps its config on globalThis, so this test process's zod must not leak in): every message is
 * the one the 4xx has always carried, naming the field.
 */
describe('ingest contracts on zod/mini alone', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'vigil-mini-contracts-test-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const SOURCE = `
import { describeIssue } from './contracts/common';
import { batchBody, batchEvent, batchSession, itemResult } from './contracts/native';
import { evalBody, eventBody, initSessionBody, updateSessionBody } from './contracts/lucidic';
import { otlpSpan, otlpTraceRequest } from './contracts/otlp';
import { errorResponse, parseBody } from './lambdas/platform/http';
const ev = { event_id: 'e', session_id: 's', type: 'llm', started_at: '2024-01-01T00:00:00Z' };
const span = { traceId: '0123456789abcdef0123456789abcdef', spanId: '0123456789abcdef', startTimeUnixNano: '1' };
const cases = [
  [initSessionBody, { tags: ['x'.repeat(300)] }],
  [updateSessionBody, {}],
  [eventBody, { client_event_id: 'e', session_id: 's', duration: -1 }],
  [evalBody, { session_id: 's', result: {} }],
  [batchEvent, { ...ev, usage: { input_tokens: 1.5 } }],
  [batchEvent, { ...ev, bogus: 1 }],
  [batchEvent, { ...ev, started_at: 'yesterday' }],
  [batchSession, { session_id: 's', name: 5 }],
  [batchSession, { session_id: '' }],
  [batchBody, { events: 'x' }],
  [itemResult, {}],
  [otlpSpan, { ...span, traceId: '0'.repeat(32) }],
  [otlpSpan, { ...span, kind: 9 }],
  [otlpSpan, { ...span, attributes: [{ key: 'k', value: { intValue: 'x' } }] }],
  [otlpTraceRequest, { resourceSpans: {} }],
];
const messages = cases.map(([s, input]) => {
  const r = s.safeParse(input);
  return r.success ? 'accepted' : describeIssue(r.error).message;
});
let parsed;
try { parseBody(batchSession, { session_id: 's', rubrics: ['x'.repeat(257)] }, 'sessions[3]'); }
catch (e) { parsed = { kind: e.kind, field: e.field, message: e.message }; }
let thrown;
try { batchBody.parse({ sessions: 1 }); } catch (e) { thrown = errorResponse(e, console); }
console.log(JSON.stringify({ messages, parsed, thrown }));
`;

  it('words every issue as before and names the field', async () => {
    // Prepare
    const outfile = join(outdir, 'contracts.mjs');
    const result = await build({
      stdin: { contents: SOURCE, resolveDir: REPO_ROOT, sourcefile: 'contracts-probe.ts', loader: 'ts' },
      ...deployedOptions(outfile, DEFAULT_SETTINGS),
    });
    const inputs = Object.keys(Object.values(result.metafile.outputs)[0]!.inputs);
    expect(inputs.filter((p) => CLASSIC_ZOD.test(p))).toEqual([]);
    // Act
    const run = spawnSync(process.execPath, [outfile], { encoding: 'utf8' });
    // Assess
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as {
      messages: string[];
      parsed: { kind: string; field: string; message: string };
      thrown: { status: number; body: unknown };
    };
    expect(out.messages).toEqual([
      'tags[0]: must be a string',
      'session_id: must be a string',
      'duration: must not be negative',
      'result: must be a boolean, number or string',
      'usage.input_tokens: must be an integer',
      '(body): Unrecognized key: "bogus"',
      'started_at: must be an ISO-8601 timestamp',
      'name: Invalid input: expected string, received number',
      'session_id: must not be empty',
      'events: Invalid input: expected array, received string',
      'index: is required',
      'traceId: must not be all zeros',
      'kind: Too big: expected number to be <=5',
      'attributes[0].value.intValue: must be a decimal integer',
      'resourceSpans: must be an array',
    ]);
    expect(out.parsed).toEqual({
      kind: 'validation',
      field: 'sessions[3].rubrics[0]',
      message: 'sessions[3].rubrics[0]: Too big: expected string to have <=256 characters',
    });
    expect(out.thrown).toEqual({
      status: 400,
      body: {
        detail: 'sessions: Invalid input: expected array, received number',
        error: 'validation',
        field: 'sessions',
      },
    });
  });
});

/** The ingest function's bundled code in an app synthesized with bundling (the Api stack's only). */
function ingestAssetCode(context: Record<string, unknown>): string {
  const vigil = synthVigil({ ...context, 'aws:cdk:bundling-stacks': ['Vigil-*-Api'] }, { nag: false });
  const fn = resourceByPrefix(vigil.template('api'), 'AWS::Lambda::Function', 'IngestFunction');
  const key = (fn.resource.Properties!.Code as { S3Key: string }).S3Key;
  try {
    return readFileSync(join(vigil.app.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'), 'utf8');
  } finally {
    // The app's own temporary cloud assembly (the bundles are several hundred KB each).
    rmSync(vigil.app.outdir, { recursive: true, force: true });
  }
}

/**
 * What CDK deploys: NodejsFunction passes the deployment's define to esbuild, so the ingest asset of a
 * Timestream deployment holds the Timestream writer and the default one does not.
 */
describe('synthesized ingest asset', () => {
  it('holds the Timestream writer only in a Timestream deployment', () => {
    // Act
    const byDefault = ingestAssetCode({});
    const withTimestream = ingestAssetCode({ timestream: 'true' });
    // Assess
    expect(withTimestream).toContain('WriteRecords');
    expect(withTimestream).toContain('timestream');
    expect(byDefault).not.toContain('WriteRecords');
    expect(byDefault.length).toBeLessThanOrEqual(400 * 1024);
  });
});
