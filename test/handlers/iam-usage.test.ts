import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_FUNCTIONS,
  type FunctionSpec,
  SCHEDULED_JOBS,
  TABLE_ACTIONS,
  TABLE_INDEX_ACCESS,
} from '../../infra/config/functions';
import { S3BlobStore } from '../../lambdas/adapters/s3/blob-store';
import { createKey } from '../../lambdas/domain/keys';
import { createAdminHandler } from '../../lambdas/handlers/admin';
import { buildAwsAlertDeps } from '../../lambdas/handlers/alert-deps';
import { createAlertsHandler } from '../../lambdas/handlers/alerts';
import { createAnomalyJob } from '../../lambdas/handlers/anomaly-job';
import { buildAwsDeps } from '../../lambdas/handlers/aws-deps';
import { createBaselineJob } from '../../lambdas/handlers/baseline-job';
import type { HandlerDeps } from '../../lambdas/handlers/deps';
import { createIngestHandler } from '../../lambdas/handlers/ingest';
import { createQueryHandler } from '../../lambdas/handlers/query';
import { createReconcileJob } from '../../lambdas/handlers/reconcile-job';
import { env } from '../../lambdas/platform/env';
import { FakeS3 } from '../adapters/s3/fake-s3';
import { jsonRequest, jsonSpan, traceId } from '../fixtures/otlp/json';
import { type Dynalite, recordingClient, startDynalite } from '../helpers/dynalite';
import { replacing } from '../helpers/replacing';

/**
 * The IAM grants of infra/config/functions.ts against what each Lambda really calls: every function's
 * flows run on dynalite through a client that records each DynamoDB operation (and whether it reads an
 * index), and the recorded set must be inside the function's grant. A call outside it would be an
 * AccessDenied in AWS, which nothing else here can see.
 */
describe('IAM grants cover every DynamoDB call each Lambda makes', () => {
  let dynamo: Dynalite;
  let tableName: string;
  const s3Credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const s3 = new FakeS3(s3Credentials, 'us-east-1');
  const used = new Map<string, Set<string>>();

  /** A client for one function that records `dynamodb:<Operation>` (and `index` for index reads). */
  /** A client for one function that records `dynamodb:<Operation>` (and `index` for index reads). */
  const clientFor = (fn: string): DynamoDBClient => {
    const ops = used.get(fn) ?? new Set<string>();
    used.set(fn, ops);
    return recordingClient(dynamo.endpoint, (operation, input) => {
      ops.add(`dynamodb:${operation}`);
      if (input.IndexName) ops.add('index');
    });
  };

  const depsFor = (fn: string, clockOffsetMs = 0): HandlerDeps => {
    const deps = buildAwsDeps(
      env({
        VIGIL_TABLE_NAME: tableName,
        VIGIL_PAYLOAD_BUCKET: 'vigil-payloads',
        VIGIL_LOG_LEVEL: 'SILENT',
        VIGIL_RETENTION_DAYS: '90',
        VIGIL_EVENT_RETENTION_DAYS: '30',
      } as NodeJS.ProcessEnv),
      {
        dynamo: clientFor(fn),
        blobs: new S3BlobStore({
          bucket: 'vigil-payloads',
          region: 'us-east-1',
          endpoint: s3.endpoint,
          credentials: async () => s3Credentials,
        }),
      },
    );
    return clockOffsetMs === 0 ? deps : { ...deps, clock: { now: () => Date.now() + clockOffsetMs } };
  };

  let key: string;
  const agent = `agt_${randomUUID()}`;
  const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();

  const call = async (
    lambda: (e: APIGatewayProxyEventV2, c: Context) => Promise<unknown>,
    method: string,
    path: string,
    body?: unknown,
  ) => {
    const [rawPath, query = ''] = path.split('?');
    const res = (await lambda(
      {
        version: '2.0',
        routeKey: '$default',
        rawPath,
        rawQueryString: query,
        queryStringParameters: Object.fromEntries(new URLSearchParams(query)),
        headers: { authorization: `Api-Key ${key}`, 'content-type': 'application/json' },
        requestContext: {
          http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '1.2.3.4', userAgent: 't' },
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        isBase64Encoded: false,
      } as unknown as APIGatewayProxyEventV2,
      {} as Context,
    )) as { statusCode: number; body?: string };
    return { status: res.statusCode, body: JSON.parse(res.body ?? '{}') };
  };

  beforeAll(async () => {
    dynamo = await startDynalite();
    tableName = await dynamo.createTable();
    await s3.start();
    key = (
      await createKey(depsFor('setup').keys, { name: 'admin', scopes: ['admin'], agents: '*' }, Date.now())
    ).key;
  }, 60_000);
  afterAll(async () => {
    await s3.stop();
    await dynamo?.stop();
  });

  it('runs every flow, then checks each function against its grant', async () => {
    // Prepare: ingest through all three formats, with duplicates and a crash.
    const ingest = createIngestHandler(depsFor('ingest'));
    const sid = randomUUID();
    const batch = {
      agent_id: agent,
      sessions: [{ session_id: sid, production_monitoring: true, started_at: at(30), tags: ['tier:pro'] }],
      events: [1, 2, 3].map((i) => ({
        event_id: `e${i}`,
        session_id: sid,
        type: 'llm',
        started_at: at(29),
        duration_ms: 100 * i,
        model: 'gpt-4o',
        usage: { input_tokens: 1000, output_tokens: 10 },
        ...(i === 3 ? { error: { message: 'boom' } } : {}),
      })),
    };
    expect((await call(ingest, 'POST', '/api/v1/batch', batch)).status).toBe(200);
    expect((await call(ingest, 'POST', '/api/v1/batch', batch)).body).toMatchObject({ duplicates: 3 });
    const init = await call(ingest, 'POST', '/api/initsession', {
      agent_id: agent,
      session_name: 'lucidic',
      production_monitoring: true,
      current_time: at(20),
    });
    const lucidic = init.body.session_id as string;
    await call(ingest, 'POST', '/api/events', {
      client_event_id: randomUUID(),
      session_id: lucidic,
      type: 'llm_generation',
      occurred_at: at(19),
      duration: 1,
      payload: { request: { model: 'gpt-4o-mini' }, usage: { input_tokens: 10, output_tokens: 5 } },
      current_time: at(19),
    });
    await call(ingest, 'PUT', '/api/updatesession', {
      session_id: lucidic,
      is_finished: true,
      is_successful: true,
      current_time: at(18),
    });
    await call(ingest, 'POST', '/api/sdk/evals', {
      session_id: lucidic,
      eval_name: 'helpful',
      eval_value: 0.9,
      current_time: at(18),
    });
    const trace = traceId();
    const otlp = await call(
      ingest,
      'POST',
      '/v1/traces',
      jsonRequest(
        [
          jsonSpan({
            traceId: trace,
            start: Date.now() - 600_000,
            durationMs: 300,
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.request.model': 'gpt-4o',
              'gen_ai.usage.input_tokens': 12,
              'gen_ai.usage.output_tokens': 3,
              'session.id': `otlp-${trace}`,
            },
          }),
        ],
        { 'service.name': agent },
      ),
    );
    expect(otlp.status).toBe(200);

    // A fold interrupted after its events are stored: the reconcile job replays it.
    const crashing = depsFor('ingest');
    const crashSid = randomUUID();
    const failing = createIngestHandler({
      ...crashing,
      rollupQueue: replacing(crashing.rollupQueue!, {
        enqueue: () => Promise.reject(new Error('crash before the fold')),
      }),
    });
    const crashed = await call(failing, 'POST', '/api/v1/batch', {
      agent_id: agent,
      events: [{ event_id: 'c1', session_id: crashSid, type: 'llm', started_at: at(25), duration_ms: 5 }],
    });
    expect(crashed.status).toBeGreaterThanOrEqual(500);

    // Jobs, an hour later (idle sessions settle, the pending fold is past its grace).
    const reconciled = await createReconcileJob(depsFor('reconcile', 3_600_000))();
    expect(reconciled.folds).toBeGreaterThanOrEqual(1);
    const alertDeps = (fn: string) =>
      buildAwsAlertDeps(
        depsFor(fn),
        env({ VIGIL_TABLE_NAME: tableName, VIGIL_LOG_LEVEL: 'SILENT' } as NodeJS.ProcessEnv),
        { dynamo: clientFor(fn) },
      );
    await createBaselineJob(alertDeps('baseline'))();
    await createAnomalyJob(alertDeps('anomaly'))();

    // Read API, key management, alerts API.
    const query = createQueryHandler(depsFor('query'));
    for (const path of [
      `/api/agents/${agent}/production/metrics`,
      `/api/agents/${agent}/sessions`,
      `/api/agents/${agent}/sessions?tag=tier:pro`,
      `/api/sessions/${sid}`,
      `/api/agents/${agent}/errors`,
      '/api/agents',
    ]) {
      const r = await call(query, 'GET', path);
      expect(r.status, `${path} ${JSON.stringify(r.body)}`).toBeLessThan(500);
    }
    const admin = createAdminHandler(depsFor('admin'));
    const made = await call(admin, 'POST', '/api/admin/keys', {
      name: 'ci',
      scopes: ['ingest'],
      agents: '*',
    });
    expect(made.status).toBeLessThan(300);
    await call(admin, 'GET', '/api/admin/keys');
    await call(admin, 'DELETE', `/api/admin/keys/${made.body.key_id ?? made.body.id}`);
    const alerts = createAlertsHandler(alertDeps('alerts'));
    for (const path of [
      '/api/alert-rules',
      '/api/channels',
      '/api/incidents',
      `/api/agents/${agent}/baselines`,
      `/api/agents/${agent}/incidents`,
    ]) {
      expect((await call(alerts, 'GET', path)).status, path).toBeLessThan(500);
    }

    // Assess
    const specs: Record<string, FunctionSpec> = { ...API_FUNCTIONS };
    for (const job of SCHEDULED_JOBS) specs[job.id.toLowerCase()] = job;
    const checked: string[] = [];
    for (const [fn, ops] of used) {
      const spec = specs[fn];
      if (!spec) continue;
      checked.push(fn);
      const granted = new Set<string>(TABLE_ACTIONS[spec.access.table]);
      if (TABLE_INDEX_ACCESS[spec.access.table]) granted.add('index');
      expect([...ops].filter((op) => !granted.has(op)).sort(), `${fn} calls outside its grant`).toEqual([]);
    }
    expect(checked.sort()).toEqual([
      'admin',
      'alerts',
      'anomaly',
      'baseline',
      'ingest',
      'query',
      'reconcile',
    ]);
    // The ingest path really wrote and deleted (the grant check would pass vacuously otherwise).
    expect([...used.get('ingest')!]).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem']),
    );
  }, 120_000);
});
