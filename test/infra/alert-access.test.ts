import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_FUNCTIONS, SCHEDULED_JOBS, TABLE_ACTIONS } from '../../infra/config/functions';
import { drainRollupQueue } from '../../lambdas/domain/ingest';
import { createKey } from '../../lambdas/domain/keys';
import { buildAwsAlertDeps } from '../../lambdas/handlers/alert-deps';
import { createAlertsHandler } from '../../lambdas/handlers/alerts';
import { createAnomalyJob } from '../../lambdas/handlers/anomaly-job';
import { buildAwsDeps } from '../../lambdas/handlers/aws-deps';
import { createBaselineJob } from '../../lambdas/handlers/baseline-job';
import { createIngestHandler } from '../../lambdas/handlers/ingest';
import { env } from '../../lambdas/platform/env';
import { type Dynalite, dynamoClient, recordingClient, startDynalite } from '../helpers/dynalite';

/**
 * Least privilege, measured: the DynamoDB calls the alerts API, the baseline job and the anomaly job make
 * on dynalite (every route and both jobs, incidents opened and notified) are within the actions
 * infra/config/functions.ts grants each of them.
 */
describe('alert functions stay within their table grants', () => {
  const sns = mockClient(SNSClient);
  let dynamo: Dynalite;
  let tableName: string;

  beforeAll(async () => {
    dynamo = await startDynalite();
    tableName = await dynamo.createTable();
    sns.on(PublishCommand).resolves({});
  });
  afterAll(async () => {
    sns.restore();
    await dynamo?.stop();
  });

  /** A client that records the DynamoDB action of every call it sends. */
  function recording(): { client: DynamoDBClient; used: Set<string> } {
    const used = new Set<string>();
    const client = recordingClient(dynamo.endpoint, (operation) => used.add(`dynamodb:${operation}`));
    return { client, used };
  }

  function depsWith(client: DynamoDBClient) {
    const e = env({
      VIGIL_TABLE_NAME: tableName,
      VIGIL_PAYLOAD_BUCKET: 'vigil-payloads',
      VIGIL_LOG_LEVEL: 'SILENT',
      VIGIL_ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:alerts',
    } as NodeJS.ProcessEnv);
    return buildAwsAlertDeps(buildAwsDeps(e, { dynamo: client }), e, {
      dynamo: client,
      sns: new SNSClient({ region: 'eu-west-1' }),
    });
  }

  const grantOf = (id: string) => TABLE_ACTIONS[SCHEDULED_JOBS.find((j) => j.id === id)!.access.table];

  it('measures every alerts route, then both jobs', async () => {
    // Prepare: an agent with traffic (setup calls are not measured)
    const setup = depsWith(dynamoClient(dynamo.endpoint));
    const key = (
      await createKey(
        setup.keys,
        { name: 'admin', scopes: ['admin', 'ingest', 'read'], agents: '*' },
        Date.now(),
      )
    ).key;
    const agent = `agt_${randomUUID()}`;
    const invoke = async (
      lambda: ReturnType<typeof createAlertsHandler>,
      method: string,
      path: string,
      body?: unknown,
    ) => {
      const [rawPath, qs = ''] = path.split('?');
      const res = await lambda(
        {
          version: '2.0',
          rawPath,
          rawQueryString: qs,
          queryStringParameters: Object.fromEntries(new URLSearchParams(qs)),
          headers: { authorization: `Api-Key ${key}`, 'content-type': 'application/json' },
          requestContext: { http: { method, path: rawPath } },
          body: body === undefined ? undefined : JSON.stringify(body),
          isBase64Encoded: false,
        } as unknown as APIGatewayProxyEventV2,
        {} as Context,
      );
      return { status: res.statusCode, body: JSON.parse(res.body ?? '{}') };
    };
    const t = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const now = new Date(Date.now() - 60_000).toISOString();
    await invoke(createIngestHandler(setup) as never, 'POST', '/api/v1/batch', {
      agent_id: agent,
      sessions: [
        { session_id: 'old', production_monitoring: true, started_at: t, ended_at: t, tags: ['tier:pro'] },
        { session_id: 'new', production_monitoring: true, started_at: now, ended_at: now },
      ],
      events: [
        { event_id: 'e1', session_id: 'old', type: 'llm', started_at: t, duration_ms: 10, model: 'gpt-4o' },
        {
          event_id: 'e2',
          session_id: 'new',
          type: 'llm',
          started_at: now,
          duration_ms: 10,
          error: { message: 'x' },
        },
      ],
    });
    // On AWS the reconcile job writes queued rollup deltas every minute; here, right after ingest.
    await drainRollupQueue(setup);

    // Act: the alerts API
    const api = recording();
    const alerts = createAlertsHandler(depsWith(api.client));
    const channel = await invoke(alerts, 'POST', '/api/channels', { type: 'sns', name: 'mail' });
    const id = channel.body.channel_id;
    const calls = [
      await invoke(alerts, 'GET', '/api/channels'),
      await invoke(alerts, 'GET', `/api/channels/${id}`),
      await invoke(alerts, 'PUT', `/api/channels/${id}`, { type: 'sns', name: 'mail 2' }),
      await invoke(alerts, 'POST', `/api/channels/${id}/test`),
      await invoke(alerts, 'POST', '/api/alert-rules', {
        name: 'r',
        agent_id: agent,
        metric: 'errors',
        aggregation: 'count',
        warning: 0,
        channel_ids: [id],
      }),
      await invoke(alerts, 'GET', '/api/alert-rules'),
      await invoke(alerts, 'POST', '/api/alert-rules/preview', {
        name: 'p',
        metric: 'errors',
        aggregation: 'count',
        warning: 0,
      }),
    ];
    // The jobs, each on its own recording client
    const baselineJob = recording();
    await createBaselineJob(depsWith(baselineJob.client))();
    const anomalyJob = recording();
    const run = await createAnomalyJob(depsWith(anomalyJob.client))();
    // …and the read routes once there is something to read
    const incidents = await invoke(alerts, 'GET', `/api/agents/${agent}/incidents`);
    calls.push(
      incidents,
      await invoke(
        alerts,
        'GET',
        `/api/agents/${agent}/incidents/${incidents.body.incidents[0]?.incident_id}`,
      ),
      await invoke(alerts, 'GET', '/api/incidents?status=open'),
      await invoke(alerts, 'GET', `/api/agents/${agent}/baselines`),
      await invoke(alerts, 'GET', `/api/agents/${agent}/baselines/series?range=24h`),
      await invoke(alerts, 'GET', `/api/agents/${agent}/baselines/status`),
    );
    const rule = calls[4]!.body.rule_id;
    calls.push(
      await invoke(alerts, 'DELETE', `/api/alert-rules/${rule}`),
      await invoke(alerts, 'DELETE', `/api/channels/${id}`),
    );

    // Assess
    expect(calls.map((c) => c.status ?? 500).filter((s) => s >= 300)).toEqual([]);
    expect(run).toMatchObject({ opened: 1, sent: 1 });
    expect([...api.used].sort()).toEqual(
      expect.arrayContaining(['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query']),
    );
    for (const action of api.used)
      expect(TABLE_ACTIONS[API_FUNCTIONS.alerts.access.table], action).toContain(action);
    for (const action of baselineJob.used) expect(grantOf('Baseline'), action).toContain(action);
    for (const action of anomalyJob.used) expect(grantOf('Anomaly'), action).toContain(action);
    expect(anomalyJob.used).toContain('dynamodb:PutItem');
  });
});
