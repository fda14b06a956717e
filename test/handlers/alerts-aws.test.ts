import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TTL_ATTRIBUTE } from '../../infra/config/table';
import { alertKeys } from '../../lambdas/adapters/dynamodb/alert-stores';
import { drainRollupQueue } from '../../lambdas/domain/ingest';
import { createKey } from '../../lambdas/domain/keys';
import { type AlertDeps, buildAwsAlertDeps } from '../../lambdas/handlers/alert-deps';
import { createAlertsHandler } from '../../lambdas/handlers/alerts';
import { createAnomalyJob } from '../../lambdas/handlers/anomaly-job';
import { buildAwsDeps } from '../../lambdas/handlers/aws-deps';
import { createBaselineJob } from '../../lambdas/handlers/baseline-job';
import { createIngestHandler } from '../../lambdas/handlers/ingest';
import { env } from '../../lambdas/platform/env';
import { type Dynalite, startDynalite } from '../helpers/dynalite';

/** The alert Lambdas' composition root on DynamoDB (dynalite) and a mocked SNS: the same flow as locally. */
describe('alert Lambdas on the AWS adapters', () => {
  const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:vigil-alerts';
  const sns = mockClient(SNSClient);
  let dynamo: Dynalite;
  let deps: AlertDeps;
  let key: string;
  let keyId: string;
  let tableName: string;

  beforeAll(async () => {
    dynamo = await startDynalite();
    tableName = await dynamo.createTable();
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const e = env({
      VIGIL_TABLE_NAME: tableName,
      VIGIL_PAYLOAD_BUCKET: 'vigil-payloads',
      VIGIL_LOG_LEVEL: 'SILENT',
      VIGIL_ALERT_TOPIC_ARN: TOPIC,
      VIGIL_DASHBOARD_URL: 'https://vigil.example.com',
    } as NodeJS.ProcessEnv);
    deps = buildAwsAlertDeps(buildAwsDeps(e, { dynamo: dynamo.client }), e, {
      dynamo: dynamo.client,
      sns: new SNSClient({ region: 'eu-west-1' }),
    });
    const created = await createKey(deps.keys, { name: 'admin', scopes: ['admin'], agents: '*' }, Date.now());
    key = created.key;
    keyId = created.record.keyId;
  });
  afterAll(async () => {
    sns.restore();
    await dynamo?.stop();
  });

  const invoke = async (
    lambda: ReturnType<typeof createAlertsHandler>,
    method: string,
    path: string,
    body?: unknown,
    /** A dashboard user's verified JWT claims instead of the API key. */
    claims?: Record<string, unknown>,
  ) => {
    const [rawPath, qs = ''] = path.split('?');
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath,
      rawQueryString: qs,
      queryStringParameters: Object.fromEntries(new URLSearchParams(qs)),
      headers: claims
        ? { 'content-type': 'application/json' }
        : { authorization: `Api-Key ${key}`, 'content-type': 'application/json' },
      requestContext: {
        http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '1.2.3.4', userAgent: 't' },
        ...(claims ? { authorizer: { jwt: { claims } } } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
    const res = await lambda(event, {} as Context);
    // On AWS the reconcile job writes queued rollup deltas every minute; here, right after ingest.
    if (rawPath === '/api/v1/batch') await drainRollupQueue(deps);
    return { status: res.statusCode, body: JSON.parse(res.body ?? '{}') };
  };

  it("raises a rule's incident and publishes it to the deployment's SNS topic", async () => {
    // Prepare
    const alerts = createAlertsHandler(deps);
    const ingest = createIngestHandler(deps) as unknown as ReturnType<typeof createAlertsHandler>;
    const agent = `agt_${randomUUID()}`;
    const channel = await invoke(alerts, 'POST', '/api/channels', { type: 'sns', name: 'email on-call' });
    const rule = await invoke(alerts, 'POST', '/api/alert-rules', {
      name: 'failed calls',
      agent_id: agent,
      metric: 'errors',
      aggregation: 'count',
      critical: 2,
      channel_ids: [channel.body.channel_id],
    });
    const t = new Date(Date.now() - 60_000).toISOString();
    await invoke(ingest, 'POST', '/api/v1/batch', {
      agent_id: agent,
      sessions: [{ session_id: 's1', production_monitoring: true, started_at: t, ended_at: t }],
      events: [1, 2, 3].map((i) => ({
        event_id: `e${i}`,
        session_id: 's1',
        type: 'llm',
        started_at: t,
        duration_ms: 50,
        error: { message: 'timeout', type: 'APITimeoutError' },
      })),
    });
    // Act
    const result = await createAnomalyJob(deps)();
    const incidents = await invoke(alerts, 'GET', `/api/agents/${agent}/incidents`);
    // Assess
    expect(channel.status).toBe(201);
    expect(channel.body.topic_arn).toBeNull();
    expect(rule.status).toBe(201);
    expect(result).toMatchObject({ opened: 1, sent: 1, failed: 0 });
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ TopicArn: TOPIC, Subject: `[CRITICAL] failed calls (${agent})` });
    expect(published[0]!.Message).toContain(`https://vigil.example.com/agents/${agent}/incidents/`);
    expect(incidents.body.incidents).toHaveLength(1);
    expect(incidents.body.incidents[0]).toMatchObject({
      source: 'rule',
      severity: 'critical',
      status: 'open',
    });
  });

  it('stores baselines in the table; a new agent warms up', async () => {
    // Prepare: traffic from two hours ago (a baseline covers whole hours before now)
    const alerts = createAlertsHandler(deps);
    const ingest = createIngestHandler(deps) as unknown as ReturnType<typeof createAlertsHandler>;
    const agent = `agt_${randomUUID()}`;
    const t = new Date(Date.now() - 2 * 3_600_000).toISOString();
    await invoke(ingest, 'POST', '/api/v1/batch', {
      agent_id: agent,
      sessions: [{ session_id: 's1', production_monitoring: true, started_at: t, ended_at: t }],
      events: [{ event_id: 'e1', session_id: 's1', type: 'llm', started_at: t, duration_ms: 50 }],
    });
    // Act
    const result = await createBaselineJob(deps)();
    const listed = await invoke(alerts, 'GET', `/api/agents/${agent}/baselines`);
    // Assess
    expect(result.baselines).toBeGreaterThanOrEqual(1);
    expect(result.warmingUp).toBeGreaterThanOrEqual(1);
    expect(listed.body.baselines[0]).toMatchObject({ slice: 'all', status: 'warming_up' });
  });

  it("writes each baseline's expiry (its date + 90 days) into the table's TTL attribute", async () => {
    // Prepare
    const ingest = createIngestHandler(deps) as unknown as ReturnType<typeof createAlertsHandler>;
    const agent = `agt_${randomUUID()}`;
    const t = new Date(Date.now() - 2 * 3_600_000).toISOString();
    await invoke(ingest, 'POST', '/api/v1/batch', {
      agent_id: agent,
      sessions: [{ session_id: 's1', production_monitoring: true, started_at: t, ended_at: t }],
      events: [{ event_id: 'e1', session_id: 's1', type: 'llm', started_at: t, duration_ms: 50 }],
    });
    // Act
    const run = await createBaselineJob(deps)();
    const [stored] = await deps.baselines.list({
      agentId: agent,
      production: true,
      fromDate: '2000-01-01',
      toDate: '2999-12-31',
    });
    const { pk, sk } = alertKeys.baseline(stored!);
    const item = await dynamo.client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: pk }, sk: { S: sk } },
        ConsistentRead: true,
      }),
    );
    // Assess
    expect(item.Item?.[TTL_ATTRIBUTE]).toEqual({
      N: String((Date.parse(stored!.date) + 90 * 86_400_000) / 1000),
    });
    expect(run.pruned).toBe(0);
  });

  it('acknowledges as the dashboard user (JWT subject) and resolves as the key, publishing the resolve', async () => {
    // Prepare: a rule incident told to the SNS topic
    const alerts = createAlertsHandler(deps);
    const ingest = createIngestHandler(deps) as unknown as ReturnType<typeof createAlertsHandler>;
    const agent = `agt_${randomUUID()}`;
    const channel = await invoke(alerts, 'POST', '/api/channels', { type: 'sns', name: 'email' });
    await invoke(alerts, 'POST', '/api/alert-rules', {
      name: 'failed calls',
      agent_id: agent,
      metric: 'errors',
      aggregation: 'count',
      warning: 2,
      channel_ids: [channel.body.channel_id],
    });
    const t = new Date(Date.now() - 60_000).toISOString();
    await invoke(ingest, 'POST', '/api/v1/batch', {
      agent_id: agent,
      sessions: [{ session_id: 's1', production_monitoring: true, started_at: t, ended_at: t }],
      events: [1, 2, 3].map((i) => ({
        event_id: `e${i}`,
        session_id: 's1',
        type: 'llm',
        started_at: t,
        duration_ms: 50,
        error: { message: 'timeout', type: 'APITimeoutError' },
      })),
    });
    await createAnomalyJob(deps)();
    const open = await invoke(alerts, 'GET', `/api/agents/${agent}/incidents?status=open`);
    const id = open.body.incidents[0].incident_id as string;
    const base = `/api/agents/${agent}/incidents/${id}`;
    sns.resetHistory();
    // Act
    const viewer = await invoke(alerts, 'POST', `${base}/acknowledge`, {}, { sub: 'user-viewer' });
    const ack = await invoke(
      alerts,
      'POST',
      `${base}/acknowledge`,
      { note: 'mine' },
      {
        sub: 'user-7f3a',
        'cognito:groups': '[vigil-admins]',
      },
    );
    const resolved = await invoke(alerts, 'POST', `${base}/resolve`, { note: 'done' });
    const again = await invoke(alerts, 'POST', `${base}/resolve`, {});
    // Assess
    expect(viewer.status).toBe(403);
    expect(ack.body).toMatchObject({ acknowledged_by: 'user-7f3a', status: 'open' });
    expect(resolved.body).toMatchObject({
      status: 'resolved',
      acknowledged_by: 'user-7f3a',
      resolved_by: keyId,
    });
    expect(resolved.body.timeline.map((e: { type: string }) => e.type)).toEqual([
      'opened',
      'acknowledged',
      'manually_resolved',
    ]);
    expect(again.status).toBe(409);
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published.map((p) => p.Subject)).toEqual([`[RESOLVED] failed calls (${agent})`]);
  });
});
