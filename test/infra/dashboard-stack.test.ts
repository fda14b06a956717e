import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../frontend/src/app/config';
import {
  DASHBOARD_PLACEHOLDER,
  dashboardAssets,
  REPO_ROOT,
  SCHEDULED_JOBS,
} from '../../infra/config/functions';
import { dashboardConfig } from '../../infra/stacks/dashboard-stack';
import { envOf, resourceByPrefix, type Synthesized, synthVigil } from './support';

describe('dashboard config.json', () => {
  it('is accepted by the dashboard and names both APIs and the user pool', () => {
    // Prepare
    const config = dashboardConfig({
      stage: 'prod',
      region: 'eu-west-1',
      publicApiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/',
      dashboardApiUrl: 'https://def.execute-api.eu-west-1.amazonaws.com/',
      userPoolId: 'eu-west-1_AbC',
      userPoolClientId: 'client123',
    });
    // Act
    const parsed = parseConfig(JSON.parse(JSON.stringify(config)));
    // Assess
    expect(parsed).toEqual({
      apiBaseUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com',
      mode: 'aws',
      auth: {
        type: 'cognito',
        region: 'eu-west-1',
        userPoolId: 'eu-west-1_AbC',
        userPoolClientId: 'client123',
        apiBaseUrl: 'https://def.execute-api.eu-west-1.amazonaws.com',
        apiKeyFallback: true,
      },
    });
  });
});

describe('dashboard assets', () => {
  it('falls back to the placeholder page when frontend/dist is not built', () => {
    expect(dashboardAssets(() => false)).toEqual({
      path: resolve(REPO_ROOT, DASHBOARD_PLACEHOLDER),
      placeholder: true,
    });
    expect(dashboardAssets(() => true).placeholder).toBe(false);
    expect(existsSync(resolve(REPO_ROOT, DASHBOARD_PLACEHOLDER, 'index.html'))).toBe(true);
  });
});

describe('dashboard stack', () => {
  let vigil: Synthesized;
  beforeAll(() => {
    vigil = synthVigil();
  });

  it('serves a private bucket through CloudFront with Origin Access Control', () => {
    const t = vigil.template('dashboard');
    t.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
      }),
    });
    t.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: Match.objectLike({
              StringEquals: Match.objectLike({ 'AWS:SourceArn': Match.anyValue() }),
            }),
          }),
        ]),
      },
    });
  });

  it('redirects to HTTPS, routes app paths to index.html at the edge and sends security headers', () => {
    const t = vigil.template('dashboard');
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: Match.anyValue() }],
          ResponseHeadersPolicyId: Match.anyValue(),
        }),
      }),
    });
    const fn = resourceByPrefix(t, 'AWS::CloudFront::Function', 'SpaRouting').resource;
    expect(fn.Properties!.FunctionCode).toContain("request.uri = '/index.html'");
    t.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ContentTypeOptions: { Override: true },
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 31_536_000 }),
          ContentSecurityPolicy: Match.objectLike({ Override: true }),
        }),
      }),
    });
  });

  it('runs the SPA routing function the way CloudFront would', () => {
    const t = vigil.template('dashboard');
    const code = resourceByPrefix(t, 'AWS::CloudFront::Function', 'SpaRouting').resource.Properties!
      .FunctionCode as string;
    const handler = new Function(`${code}; return handler;`)() as (e: unknown) => { uri: string };
    const route = (uri: string) => handler({ request: { uri } }).uri;
    expect(route('/agents/support-bot/sessions')).toBe('/index.html');
    expect(route('/')).toBe('/index.html');
    expect(route('/assets/index-abc123.js')).toBe('/assets/index-abc123.js');
    expect(route('/config.json')).toBe('/config.json');
  });

  it('deploys hashed assets with a long cache and index.html + config.json uncached and invalidated', () => {
    const t = vigil.template('dashboard');
    const deployments = Object.values(t.findResources('Custom::CDKBucketDeployment')).map(
      (d) => d.Properties,
    );
    const assets = deployments.find((p) => p.Exclude?.includes('index.html'));
    const entry = deployments.find((p) => p.Include?.includes('config.json'));
    expect(assets).toMatchObject({
      Prune: false,
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    expect(entry).toMatchObject({
      Prune: false,
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionPaths: ['/index.html', '/config.json'],
    });
    // config.json is generated at deploy time from the other stacks' outputs.
    const markers = JSON.stringify(entry.SourceMarkers);
    expect(markers).toContain('PublishOutputRefDashboardUserPool');
    expect(markers).toContain('PublishOutputRefUserPoolDashboardClient');
    expect(markers).toContain('PublishOutputRefDashboardApi');
  });

  it('prints the first-run outputs', () => {
    const outputs = vigil.template('dashboard').toJSON().Outputs;
    expect(Object.keys(outputs).sort()).toEqual(
      ['DashboardUrl', 'FirstRunCommand', 'IngestBaseUrl', 'LucidicBaseUrl', 'OtlpTracesEndpoint'].sort(),
    );
    expect(JSON.stringify(outputs.FirstRunCommand.Value)).toContain(
      'npm run bootstrap -- --stack Vigil-prod-Data --region ',
    );
    expect(JSON.stringify(outputs.LucidicBaseUrl.Value)).toMatch(/\/api"\]\]\}$/);
    expect(JSON.stringify(outputs.OtlpTracesEndpoint.Value)).toMatch(/\/v1\/traces"\]\]\}$/);
  });

  it('uses the custom domain and TLS 1.2 when one is configured', () => {
    const custom = synthVigil(
      {
        stage: 'staging',
        dashboardDomain: 'vigil.example.com',
        dashboardCertificateArn:
          'arn:aws:acm:us-east-1:123456789012:certificate/0f0f0f0f-1111-2222-3333-444455556666',
      },
      { nag: false, jobs: SCHEDULED_JOBS },
    );
    const t = custom.template('dashboard');
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['vigil.example.com'],
        ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.2_2021' }),
      }),
    });
    expect(t.toJSON().Outputs.DashboardUrl.Value).toBe('https://vigil.example.com');
    expect(custom.settings.corsOrigins).toEqual(['https://vigil.example.com']);
    // Known before deploy, so alert notifications can link to the dashboard.
    expect(envOf(custom.template('api'), 'Alerts').VIGIL_DASHBOARD_URL).toBe('https://vigil.example.com');
    expect(envOf(custom.template('jobs'), 'Anomaly').VIGIL_DASHBOARD_URL).toBe('https://vigil.example.com');
  });
});
