import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../infra/config/functions';
import { actionsOf, envOf, resourceByPrefix, type Synthesized, statementsOf, synthVigil } from './support';

const TABLE_ARN = /PublishOutputFnGetAttVigilTableArn/;

/** The alert paths local/server.ts sends to the alerts handler. */
const ALERT_ROUTES = [
  'ANY /api/alert-rules',
  'ANY /api/alert-rules/{proxy+}',
  'ANY /api/channels',
  'ANY /api/channels/{proxy+}',
  'ANY /api/incidents',
  'ANY /api/incidents/{proxy+}',
  'ANY /api/agents/{agent_id}/baselines',
  'ANY /api/agents/{agent_id}/baselines/{proxy+}',
  'ANY /api/agents/{agent_id}/incidents',
  'ANY /api/agents/{agent_id}/incidents/{proxy+}',
];

describe('api stack', () => {
  let vigil: Synthesized;
  beforeAll(() => {
    vigil = synthVigil({ logLevel: 'WARN', tagValueCap: '20', corsOrigins: 'https://vigil.example.com' });
  });

  it('runs every API Lambda on nodejs24.x arm64 with its handler export', () => {
    const fns = vigil.template('api').findResources('AWS::Lambda::Function');
    expect(
      Object.keys(fns).filter((id) => /^(Ingest|Query|Admin|Alerts)Function[0-9A-F]{8}$/.test(id)),
    ).toHaveLength(4);
    for (const fn of Object.values(fns)) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
      });
    }
  });

  it('gives each Lambda its environment from typed settings and the data stack', () => {
    const t = vigil.template('api');
    for (const fn of ['Ingest', 'Query', 'Admin']) {
      const env = envOf(t, fn);
      expect(Object.keys(env).sort(), fn).toEqual(
        [
          'VIGIL_CORS_ORIGINS',
          'VIGIL_EVENT_RETENTION_DAYS',
          'VIGIL_LOG_LEVEL',
          'VIGIL_PAYLOAD_BUCKET',
          'VIGIL_RETENTION_DAYS',
          'VIGIL_TABLE_NAME',
          'VIGIL_TAG_VALUE_CAP',
        ].sort(),
      );
      expect(env).toMatchObject({
        VIGIL_LOG_LEVEL: 'WARN',
        VIGIL_TAG_VALUE_CAP: '20',
        VIGIL_RETENTION_DAYS: '90',
        VIGIL_EVENT_RETENTION_DAYS: '30',
        VIGIL_CORS_ORIGINS: 'https://vigil.example.com',
      });
      expect(JSON.stringify(env.VIGIL_TABLE_NAME)).toMatch(/PublishOutputRefVigilTable/);
      expect(JSON.stringify(env.VIGIL_PAYLOAD_BUCKET)).toMatch(/PublishOutputRefPayloadBucket/);
    }
  });

  it('grants ingest exactly Delete/Get/Put/UpdateItem and Query on the table and PutObject on payloads/*', () => {
    const statements = statementsOf(vigil.template('api'), 'Ingest');
    expect(actionsOf(statements)).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      's3:PutObject',
    ]);
    const ddb = statements.find((s) => JSON.stringify(s.Action).includes('dynamodb'))!;
    expect(JSON.stringify(ddb.Resource)).toMatch(TABLE_ARN);
    expect(JSON.stringify(ddb.Resource)).not.toContain('/index/');
    const s3 = statements.find((s) => s.Action === 's3:PutObject')!;
    expect(JSON.stringify(s3.Resource)).toMatch(/PayloadBucketArn.*"\/payloads\/\*"/);
  });

  it('grants the read API read-only access: table, both indexes by name, payload reads', () => {
    const statements = statementsOf(vigil.template('api'), 'Query');
    expect(actionsOf(statements)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
      's3:GetObject',
      's3:ListBucket',
    ]);
    const ddb = statements.find((s) => JSON.stringify(s.Action).includes('dynamodb'))!;
    const resources = JSON.stringify(ddb.Resource);
    expect(resources).toContain('/index/gsi1');
    expect(resources).toContain('/index/gsi2');
    expect(resources).not.toContain('/index/*');
  });

  it('grants key management only what the key store calls', () => {
    const statements = statementsOf(vigil.template('api'), 'Admin');
    expect(actionsOf(statements)).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
  });

  it('gives the alerts API table CRUD on rules/channels/incidents and sns:Publish on the alert topic only', () => {
    const t = vigil.template('api');
    const statements = statementsOf(t, 'Alerts');
    expect(actionsOf(statements)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'sns:Publish',
    ]);
    const sns = statements.find((s) => s.Action === 'sns:Publish')!;
    expect(JSON.stringify(sns.Resource)).toMatch(/"StackName":"Vigil-prod-Jobs".*AlertTopic/);
    const env = envOf(t, 'Alerts');
    expect(JSON.stringify(env.VIGIL_ALERT_TOPIC_ARN)).toMatch(/AlertTopic/);
    // No custom dashboard domain: the CloudFront name is not known to this stack.
    expect(env).not.toHaveProperty('VIGIL_DASHBOARD_URL');
  });

  it('uses no "*" resource and no wildcard action without Timestream', () => {
    for (const fn of ['Ingest', 'Query', 'Admin', 'Alerts']) {
      for (const s of statementsOf(vigil.template('api'), fn)) {
        expect(s.Resource).not.toBe('*');
        expect(JSON.stringify(s.Action)).not.toContain('*');
      }
    }
  });

  it('routes the three ingest formats, the read, key and alerts APIs on the public API, unauthorised at the gateway', () => {
    const t = vigil.template('api');
    const publicApi = resourceByPrefix(t, 'AWS::ApiGatewayV2::Api', 'PublicApi').id;
    const routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route'))
      .filter((r) => JSON.stringify(r.Properties.ApiId).includes(publicApi))
      .map((r) => `${r.Properties.RouteKey} ${r.Properties.AuthorizationType}`);
    expect(routes.sort()).toEqual(
      [
        'POST /api/initsession NONE',
        'PUT /api/updatesession NONE',
        'POST /api/events NONE',
        'POST /api/sdk/evals NONE',
        'POST /api/v1/batch NONE',
        'POST /v1/traces NONE',
        'ANY /api/admin/{proxy+} NONE',
        ...ALERT_ROUTES.map((r) => `${r} NONE`),
        'ANY /api/{proxy+} NONE',
      ].sort(),
    );
    expect(ROUTES.filter((r) => r.api === 'public')).toHaveLength(routes.length);
  });

  it('puts every dashboard route behind the Cognito JWT authorizer', () => {
    const t = vigil.template('api');
    const dashboardApi = resourceByPrefix(t, 'AWS::ApiGatewayV2::Api', 'DashboardApi').id;
    const routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route')).filter((r) =>
      JSON.stringify(r.Properties.ApiId).includes(dashboardApi),
    );
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(
      ['ANY /api/admin/{proxy+}', ...ALERT_ROUTES, 'ANY /api/{proxy+}'].sort(),
    );
    for (const r of routes) expect(r.Properties.AuthorizationType).toBe('JWT');
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [
          Match.objectLike({ 'Fn::GetStackOutput': Match.objectLike({ StackName: 'Vigil-prod-Data' }) }),
        ],
        Issuer: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
      },
    });
  });

  it('sends dashboard and public routes of the same path to the same Lambda', () => {
    const t = vigil.template('api').toJSON();
    const integrationTarget = (apiPrefix: string, routeKey: string) => {
      const route = Object.values(
        t.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
      ).find(
        (r) =>
          r.Type === 'AWS::ApiGatewayV2::Route' &&
          r.Properties.RouteKey === routeKey &&
          JSON.stringify(r.Properties.ApiId).includes(apiPrefix),
      )!;
      const integrationId = JSON.stringify(route.Properties.Target).match(
        /"([A-Za-z0-9]+integration[A-Za-z0-9]*)"/i,
      )![1]!;
      return JSON.stringify(t.Resources[integrationId].Properties.IntegrationUri);
    };
    expect(integrationTarget('PublicApi', 'ANY /api/{proxy+}')).toContain('QueryFunction');
    expect(integrationTarget('DashboardApi', 'ANY /api/{proxy+}')).toContain('QueryFunction');
    expect(integrationTarget('PublicApi', 'POST /v1/traces')).toContain('IngestFunction');
    expect(integrationTarget('DashboardApi', 'ANY /api/admin/{proxy+}')).toContain('AdminFunction');
    expect(integrationTarget('PublicApi', 'ANY /api/agents/{agent_id}/incidents/{proxy+}')).toContain(
      'AlertsFunction',
    );
    expect(integrationTarget('DashboardApi', 'ANY /api/alert-rules')).toContain('AlertsFunction');
  });

  it('throttles both stages and writes JSON access logs with retention', () => {
    const t = vigil.template('api');
    t.resourcePropertiesCountIs(
      'AWS::ApiGatewayV2::Stage',
      {
        StageName: '$default',
        AutoDeploy: true,
        AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"routeKey"') },
      },
      2,
    );
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
    });
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    t.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 6);
  });

  it('lets browsers on the allowed origins call both APIs', () => {
    vigil.template('api').resourcePropertiesCountIs(
      'AWS::ApiGatewayV2::Api',
      {
        CorsConfiguration: Match.objectLike({
          AllowOrigins: ['https://vigil.example.com'],
          AllowHeaders: Match.arrayWith(['authorization', 'content-encoding', 'x-api-key']),
        }),
      },
      2,
    );
  });

  it('reserves no concurrency (new accounts have a quota of 10)', () => {
    for (const fn of Object.values(vigil.template('api').findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  it('outputs both API URLs', () => {
    const outputs = vigil.template('api').toJSON().Outputs;
    expect(outputs).toHaveProperty('ApiUrl');
    expect(outputs).toHaveProperty('DashboardApiUrl');
  });
});

describe('api stack with Timestream and a custom domain', () => {
  let vigil: Synthesized;
  beforeAll(() => {
    vigil = synthVigil({
      timestream: true,
      apiDomain: 'api.vigil.example.com',
      apiCertificateArn:
        'arn:aws:acm:eu-west-1:123456789012:certificate/0f0f0f0f-1111-2222-3333-444455556666',
    });
  });

  it('lets ingest write and the read API select, on the two tables only, plus DescribeEndpoints on *', () => {
    const t = vigil.template('api');
    const ingest = statementsOf(t, 'Ingest');
    const query = statementsOf(t, 'Query');
    expect(actionsOf(ingest)).toContain('timestream:WriteRecords');
    expect(actionsOf(query)).toContain('timestream:Select');
    expect(actionsOf(query)).not.toContain('timestream:WriteRecords');
    expect(actionsOf(statementsOf(t, 'Admin')).some((a) => a.startsWith('timestream:'))).toBe(false);
    for (const statements of [ingest, query]) {
      const data = statements.find((s) => /WriteRecords|Select/.test(JSON.stringify(s.Action)))!;
      expect(JSON.stringify(data.Resource)).toMatch(/TimestreamEventsTableArn.*TimestreamSessionsTableArn/);
      const star = statements.filter((s) => s.Resource === '*');
      expect(star).toEqual([{ Action: 'timestream:DescribeEndpoints', Effect: 'Allow', Resource: '*' }]);
    }
  });

  it('tells ingest and the read API where Timestream is', () => {
    for (const fn of ['Ingest', 'Query']) {
      const env = envOf(vigil.template('api'), fn);
      expect(JSON.stringify(env.VIGIL_TIMESTREAM_DATABASE)).toContain('Vigil-prod-Timestream');
      expect(env).toMatchObject({
        VIGIL_TIMESTREAM_EVENTS_TABLE: 'events',
        VIGIL_TIMESTREAM_SESSIONS_TABLE: 'sessions',
      });
    }
    expect(envOf(vigil.template('api'), 'Admin')).not.toHaveProperty('VIGIL_TIMESTREAM_DATABASE');
  });

  it('maps the custom domain to the public API', () => {
    const t = vigil.template('api');
    t.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'api.vigil.example.com' });
    t.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    expect(t.toJSON().Outputs.ApiUrl.Value).toBe('https://api.vigil.example.com/');
  });
});
