import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { API_FUNCTIONS, type ApiFunctionName, ROUTES, type RouteSpec } from '../config/functions';
import type { VigilSettings } from '../config/settings';
import type { VigilData } from '../constructs/vigil-data';
import { VigilFunction } from '../constructs/vigil-function';

export interface ApiStackProps extends StackProps {
  settings: VigilSettings;
  data: VigilData;
  userPool: cognito.IUserPool;
  userPoolClient: cognito.IUserPoolClient;
  /** Alert channel tests publish here (the jobs stack's topic). */
  alertTopic: sns.ITopic;
}

/** Headers browsers may send (the Lambdas read these; see lambdas/platform/http.ts). */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'content-encoding', 'x-api-key', 'x-agent-id'];

/** HTTP API access log line (HTTP APIs support a subset of $context variables; these are all in it). */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTimeEpoch',
    method: '$context.httpMethod',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationStatus: '$context.integrationStatus',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
  }),
);

/**
 * The HTTP side: the ingest, read, key-management and alerts Lambdas behind two HTTP APIs.
 *
 * - The public API (SDKs, OTLP exporters, scripts) has no API Gateway authorizer: every Lambda
 *   checks the API key itself (hashed keys in the table, 30 s cache per container), so a request
 *   costs one invocation, not two.
 * - The dashboard API serves the same read and key routes behind a Cognito JWT authorizer; the
 *   Lambdas turn the verified claims into a read principal (admins group: admin scope).
 */
export class ApiStack extends Stack {
  readonly functions: Record<ApiFunctionName, VigilFunction>;
  readonly publicApi: apigw.HttpApi;
  readonly publicStage: apigw.HttpStage;
  readonly dashboardApi: apigw.HttpApi;
  readonly dashboardStage: apigw.HttpStage;
  /** Base URL of the public API, ending in '/'. */
  readonly publicUrl: string;
  /** Base URL of the dashboard API, ending in '/'. */
  readonly dashboardUrl: string;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { settings, data } = props;

    const fn = (name: ApiFunctionName) =>
      new VigilFunction(this, name.charAt(0).toUpperCase() + name.slice(1), {
        spec: API_FUNCTIONS[name],
        data,
        settings,
        alertTopic: props.alertTopic,
      });
    this.functions = {
      ingest: fn('ingest'),
      query: fn('query'),
      admin: fn('admin'),
      alerts: fn('alerts'),
    };
    // One integration per (API, function): an integration belongs to a single API.
    const integrations = new Map<string, HttpLambdaIntegration>();
    const integration = (api: RouteSpec['api'], target: ApiFunctionName) => {
      const key = `${api}-${target}`;
      let i = integrations.get(key);
      if (!i) {
        i = new HttpLambdaIntegration(`${key}-integration`, this.functions[target].function);
        integrations.set(key, i);
      }
      return i;
    };
    const cors: apigw.CorsPreflightOptions = {
      allowOrigins: settings.corsOrigins,
      allowHeaders: ALLOWED_HEADERS,
      allowMethods: [
        apigw.CorsHttpMethod.GET,
        apigw.CorsHttpMethod.POST,
        apigw.CorsHttpMethod.PUT,
        apigw.CorsHttpMethod.DELETE,
        apigw.CorsHttpMethod.OPTIONS,
      ],
      maxAge: Duration.minutes(10),
    };

    this.publicApi = new apigw.HttpApi(this, 'PublicApi', {
      apiName: `${settings.stackPrefix}-api`,
      description: 'Vigil ingest (Lucidic, batch, OTLP) and API-key read/admin API',
      createDefaultStage: false,
      corsPreflight: cors,
    });
    const domain = settings.apiDomain
      ? new apigw.DomainName(this, 'ApiDomain', {
          domainName: settings.apiDomain.domainName,
          certificate: acm.Certificate.fromCertificateArn(
            this,
            'ApiCertificate',
            settings.apiDomain.certificateArn,
          ),
        })
      : undefined;
    this.publicStage = this.stage(this.publicApi, 'Public', settings, settings.ingestThrottle, domain);
    this.publicUrl = domain ? `https://${settings.apiDomain!.domainName}/` : this.publicStage.url;

    const authorizer = new HttpUserPoolAuthorizer('DashboardAuthorizer', props.userPool, {
      userPoolClients: [props.userPoolClient],
    });
    this.dashboardApi = new apigw.HttpApi(this, 'DashboardApi', {
      apiName: `${settings.stackPrefix}-dashboard-api`,
      description: 'Vigil read and key API for the dashboard (Cognito JWT)',
      createDefaultStage: false,
      corsPreflight: cors,
      defaultAuthorizer: authorizer,
    });
    this.dashboardStage = this.stage(this.dashboardApi, 'Dashboard', settings, settings.dashboardThrottle);
    this.dashboardUrl = this.dashboardStage.url;

    for (const route of ROUTES) {
      const api = route.api === 'public' ? this.publicApi : this.dashboardApi;
      const [created] = api.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration: integration(route.api, route.target),
      });
      if (route.api === 'public') acknowledgeKeyAuth(created!, route);
    }

    new CfnOutput(this, 'ApiUrl', { value: this.publicUrl, description: 'Vigil public API base URL' });
    new CfnOutput(this, 'DashboardApiUrl', { value: this.dashboardUrl });
    if (domain) {
      new CfnOutput(this, 'ApiDomainTarget', {
        value: domain.regionalDomainName,
        description: `CNAME ${settings.apiDomain!.domainName} to this name`,
      });
    }
  }

  /** The $default stage: auto-deployed, throttled, with JSON access logs. */
  private stage(
    api: apigw.HttpApi,
    id: string,
    settings: VigilSettings,
    throttle: { rateLimit: number; burstLimit: number },
    domain?: apigw.DomainName,
  ): apigw.HttpStage {
    const accessLogs = new logs.LogGroup(this, `${id}AccessLogs`, {
      retention: settings.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    return api.addStage(`${id}Stage`, {
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
      domainMapping: domain ? { domainName: domain } : undefined,
    });
  }
}

function acknowledgeKeyAuth(route: apigw.HttpRoute, spec: RouteSpec): void {
  Validations.of(route).acknowledge({
    id: 'AwsSolutions-APIG4',
    reason:
      `${spec.method} ${spec.path} is authorised inside the Lambda: the API key (Authorization: ` +
      'Api-Key/Bearer or x-api-key) is hashed and looked up in the table, cached 30 s, and checked ' +
      'against the route’s scope and agent. SDKs and OTLP exporters send keys, not JWTs; an API Gateway ' +
      'Lambda authorizer would only add a second invocation per request.',
  });
}
