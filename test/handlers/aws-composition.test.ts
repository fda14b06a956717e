import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BlobStore } from '../../lambdas/adapters/s3/blob-store';
import { drainRollupQueue } from '../../lambdas/domain/ingest';
import { createKey } from '../../lambdas/domain/keys';
import { buildAwsDeps } from '../../lambdas/handlers/aws-deps';
import type { HandlerDeps } from '../../lambdas/handlers/deps';
import { createIngestHandler } from '../../lambdas/handlers/ingest';
import { createQueryHandler } from '../../lambdas/handlers/query';
import { env } from '../../lambdas/platform/env';
import { FakeS3 } from '../adapters/s3/fake-s3';
import { type Dynalite, startDynalite } from '../helpers/dynalite';

/** The Lambda composition root on DynamoDB (dynalite) and a local S3 stand-in: the same flows as locally. */
describe('Lambda handlers on the AWS adapters', () => {
  let dynamo: Dynalite;
  let deps: HandlerDeps;
  let key: string;
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const s3 = new FakeS3(credentials, 'us-east-1');

  beforeAll(async () => {
    dynamo = await startDynalite();
    const tableName = await dynamo.createTable();
    await s3.start();
    deps = buildAwsDeps(
      env({
        VIGIL_TABLE_NAME: tableName,
        VIGIL_PAYLOAD_BUCKET: 'vigil-payloads',
        VIGIL_LOG_LEVEL: 'SILENT',
      } as NodeJS.ProcessEnv),
      {
        dynamo: dynamo.client,
        blobs: new S3BlobStore({
          bucket: 'vigil-payloads',
          region: 'us-east-1',
          endpoint: s3.endpoint,
          credentials: async () => credentials,
        }),
      },
    );
    key = (await createKey(deps.keys, { name: 'admin', scopes: ['admin'], agents: '*' }, Date.now())).key;
  });
  afterAll(async () => {
    await s3.stop();
    await dynamo?.stop();
  });

  const invoke = async (
    lambda: ReturnType<typeof createIngestHandler>,
    method: string,
    path: string,
    body?: unknown,
  ) => {
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: path.split('?')[0],
      rawQueryString: path.split('?')[1] ?? '',
      queryStringParameters: Object.fromEntries(new URLSearchParams(path.split('?')[1] ?? '')),
      headers: { authorization: `Api-Key ${key}`, 'content-type': 'application/json' },
      requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '1.2.3.4', userAgent: 't' } },
      body: body === undefined ? undefined : JSON.stringify(body),
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
    const res = await lambda(event, {} as Context);
    // On AWS the reconcile job writes queued rollup deltas every minute; here, right after ingest.
    if (path === '/api/v1/batch') await drainRollupQueue(deps);
    return { status: res.statusCode, body: JSON.parse(res.body ?? '{}') };
  };

  it('ingests a batch exactly once and answers the metrics API from DynamoDB rollups', async () => {
    const ingest = createIngestHandler(deps);
    const query = createQueryHandler(deps);
    const agent = `agt_${randomUUID()}`;
    const sid = randomUUID();
    const t = new Date(Date.now() - 600_000).toISOString();
    const batch = {
      agent_id: agent,
      sessions: [
        { session_id: sid, production_monitoring: true, started_at: t, ended_at: t, tags: ['tier:pro'] },
      ],
      events: [1, 2, 3].map((i) => ({
        event_id: `e${i}`,
        session_id: sid,
        type: 'llm',
        started_at: t,
        duration_ms: 100 * i,
        model: 'gpt-4o',
        usage: { input_tokens: 1_000_000, output_tokens: 0 },
      })),
    };
    const first = await invoke(ingest, 'POST', '/api/v1/batch', batch);
    const again = await invoke(ingest, 'POST', '/api/v1/batch', batch);
    const metrics = await invoke(query, 'GET', `/api/agents/${agent}/production/metrics`);
    expect(first.body).toMatchObject({ accepted: 4, rejected: 0 });
    expect(again.body).toMatchObject({ duplicates: 3 });
    expect(metrics.body.sessions.count).toBe(1);
    expect(metrics.body.tokens.input).toBe(3_000_000);
    expect(metrics.body.cost.total_usd).toBeCloseTo(7.5, 6);
    expect(metrics.body.cost.p50_usd).toBeCloseTo(7.5, 1);
  });

  it('offloads a large payload to the payload bucket with the exact PutObject', async () => {
    const ingest = createIngestHandler(deps);
    const agent = `agt_${randomUUID()}`;
    const sid = randomUUID();
    const big = { messages: ['x'.repeat(70_000)] };
    await invoke(ingest, 'POST', '/api/v1/batch', {
      agent_id: agent,
      events: [
        {
          event_id: 'big',
          session_id: sid,
          type: 'generic',
          started_at: new Date().toISOString(),
          payload: big,
        },
      ],
    });
    const put = s3.requests.at(-1)!;
    expect(put).toMatchObject({ method: 'PUT', path: `/vigil-payloads/payloads/${agent}/${sid}/big.json` });
    expect(put.signatureValid).toBe(true);
    expect(put.headers['content-type']).toBe('application/json');
    expect(JSON.parse(put.body.toString('utf8'))).toEqual(big);
  });

  it('answers the session list and error groups from DynamoDB (no 503)', async () => {
    const ingest = createIngestHandler(deps);
    const query = createQueryHandler(deps);
    const agent = `agt_${randomUUID()}`;
    const [older, newer] = [randomUUID(), randomUUID()];
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    const failing = (id: string, sid: string, t: string) => ({
      event_id: id,
      session_id: sid,
      type: 'llm',
      started_at: t,
      model: 'gpt-4o',
      error: { message: 'rate limited', type: 'RateLimitError', status_code: 429 },
    });
    await invoke(ingest, 'POST', '/api/v1/batch', {
      agent_id: agent,
      sessions: [
        { session_id: older, production_monitoring: true, started_at: at(30), tags: ['tier:pro'] },
        { session_id: newer, production_monitoring: true, started_at: at(10) },
      ],
      events: [failing('e1', older, at(29)), failing('e2', newer, at(9))],
    });
    const list = await invoke(query, 'GET', `/api/agents/${agent}/sessions`);
    const tagged = await invoke(query, 'GET', `/api/agents/${agent}/sessions?tag=tier:pro`);
    const groups = await invoke(query, 'GET', `/api/agents/${agent}/errors/groups`);
    expect(list.status).toBe(200);
    expect(list.body.sessions.map((s: { session_id: string }) => s.session_id)).toEqual([newer, older]);
    expect(tagged.status).toBe(200);
    expect(tagged.body.sessions.map((s: { session_id: string }) => s.session_id)).toEqual([older]);
    expect(groups.status).toBe(200);
    expect(groups.body.groups).toHaveLength(1);
    expect(groups.body.groups[0]).toMatchObject({
      count: 2,
      sessions: 2,
      sample_event_id: 'e2',
      sample_session_ids: [newer, older],
    });
  });
});
