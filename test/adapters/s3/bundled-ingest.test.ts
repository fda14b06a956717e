import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltEntry, buildEntry, lambdaEntries } from '../../../bench/lambda-bundles';
import { createDynamoDbStores } from '../../../lambdas/adapters/dynamodb';
import { createKey } from '../../../lambdas/domain/keys';
import { type Dynalite, startDynalite } from '../../helpers/dynalite';

/**
 * The ingest Lambda as deployed: bundled with infra/config/bundling.ts (the esbuild aliases that swap
 * the SDK's default credential chain for the environment and drop the S3 client), then run in a fresh
 * Node process with only the environment the Lambda runtime gives (fake role credentials, region, the
 * table endpoint) against dynalite.
 */
describe('the bundled ingest Lambda', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'vigil-bundled-ingest-'));
  const home = mkdtempSync(join(tmpdir(), 'vigil-empty-home-'));
  let built: BuiltEntry;
  let dynamo: Dynalite;
  let tableName: string;
  let apiKey: string;

  beforeAll(async () => {
    built = await buildEntry(lambdaEntries().find((e) => e.name === 'ingest')!, outdir);
    dynamo = await startDynalite();
    tableName = await dynamo.createTable();
    const { keys } = createDynamoDbStores({ client: dynamo.client, tableName });
    apiKey = (await createKey(keys, { name: 'ingest', scopes: ['ingest'], agents: '*' }, Date.now())).key;
  }, 60_000);
  afterAll(async () => {
    await dynamo?.stop();
    rmSync(outdir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  const lambdaEnv = (credentials: Record<string, string>) => ({
    PATH: process.env.PATH,
    // No ~/.aws files and no instance metadata: the environment is the only credential source.
    HOME: home,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    VIGIL_TABLE_NAME: tableName,
    VIGIL_PAYLOAD_BUCKET: 'vigil-payloads-test',
    VIGIL_LOG_LEVEL: 'SILENT',
    ...credentials,
  });

  /** Imports the bundle in a fresh process and sends one API Gateway event per body. */
  const invoke = async (
    env: Record<string, string | undefined>,
    requests: Array<{ path: string; body: unknown }>,
  ) => {
    const events = requests.map(({ path, body }) => ({
      version: '2.0',
      routeKey: '$default',
      rawPath: path,
      rawQueryString: '',
      headers: { authorization: `Api-Key ${apiKey}`, 'content-type': 'application/json' },
      requestContext: {
        http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' },
      },
      body: JSON.stringify(body),
      isBase64Encoded: false,
    }));
    const script =
      `const m = await import(${JSON.stringify(pathToFileURL(built.outfile).href)});` +
      `const out = [];for (const e of ${JSON.stringify(events)}) {` +
      `const r = await m.handler(e, { functionName: 'ingest', awsRequestId: 'req-1' });` +
      'out.push({ status: r.statusCode, body: JSON.parse(r.body ?? "{}") });}' +
      'console.log(JSON.stringify(out));';
    // Asynchronously: dynalite runs in this process and must keep answering.
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env,
      timeout: 30_000,
    });
    return JSON.parse(stdout.trim().split('\n').pop()!) as Array<{
      status: number;
      body: Record<string, unknown> & { blob_url?: string };
    }>;
  };

  it('bundles neither the S3 client nor the default credential chain', () => {
    const packages = built.contributors.map(([name]) => name);
    for (const absent of [
      '@aws-sdk/client-s3',
      '@aws-sdk/s3-request-presigner',
      '@aws-sdk/credential-provider-node',
      '@aws-sdk/credential-provider-ini',
      '@aws-sdk/nested-clients',
    ]) {
      expect(packages).not.toContain(absent);
    }
    expect(packages).toContain('@aws-sdk/client-dynamodb');
  });

  it('writes to DynamoDB and signs upload URLs with the role credentials from the environment', async () => {
    // Prepare
    const agent = `agt_${randomUUID()}`;
    const sid = randomUUID();
    const at = new Date(Date.now() - 60_000).toISOString();

    // Act
    const [batch, event] = await invoke(
      lambdaEnv({
        AWS_ACCESS_KEY_ID: 'ASIAENVIRONMENTKEY01',
        AWS_SECRET_ACCESS_KEY: 'environment-secret',
        AWS_SESSION_TOKEN: 'environment-session-token',
      }),
      [
        {
          path: '/api/v1/batch',
          body: {
            agent_id: agent,
            sessions: [{ session_id: sid, started_at: at }],
            events: [{ event_id: 'e1', session_id: sid, type: 'generic', started_at: at }],
          },
        },
        { path: '/api/events', body: { client_event_id: 'e2', session_id: sid, needs_blob: true } },
      ],
    );

    // Assess
    expect(batch).toMatchObject({ status: 200, body: { accepted: 2, rejected: 0 } });
    expect(event!.status).toBe(201);
    const url = new URL(String(event!.body.blob_url));
    expect(url.hostname).toBe('vigil-payloads-test.s3.us-east-1.amazonaws.com');
    expect(url.pathname).toBe(`/payloads/${agent}/${sid}/e2.json`);
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^ASIAENVIRONMENTKEY01\/\d{8}\/us-east-1\/s3\/aws4_request$/,
    );
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('environment-session-token');
  });

  it('fails the request (5xx) when the environment has no credentials, trying no other source', async () => {
    // Prepare: the same request succeeds with credentials, so only their absence differs.
    const request = {
      path: '/api/v1/batch',
      body: {
        agent_id: `agt_${randomUUID()}`,
        events: [
          { event_id: 'e1', session_id: randomUUID(), type: 'generic', started_at: new Date().toISOString() },
        ],
      },
    };

    // Act
    const [without] = await invoke(lambdaEnv({}), [request]);
    const [withCredentials] = await invoke(
      lambdaEnv({ AWS_ACCESS_KEY_ID: 'ASIAENVIRONMENTKEY01', AWS_SECRET_ACCESS_KEY: 'environment-secret' }),
      [request],
    );

    // Assess
    expect(without!.status).toBeGreaterThanOrEqual(500);
    expect(withCredentials).toMatchObject({ status: 200, body: { accepted: 1, rejected: 0 } });
  });
});
