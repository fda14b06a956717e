import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import type { VigilSettings } from '../config/settings';
import { REASONS } from '../constructs/nag';

export interface DashboardStackProps extends StackProps {
  settings: VigilSettings;
  /** Directory with the built dashboard (frontend/dist, or the placeholder). */
  assetsPath: string;
  /** Base URLs ending in '/'. */
  publicApiUrl: string;
  dashboardApiUrl: string;
  userPoolId: string;
  userPoolClientId: string;
  /** The data stack's name, for the first-run command. */
  dataStackName: string;
}

/**
 * Single-page apps have one document: any path without a file extension is the app's, so it gets
 * /index.html. Done at the edge (not with distribution error pages, which would also rewrite real
 * 403/404s of the assets).
 */
const SPA_ROUTING = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

/** The dashboard's config.json (read by frontend/src/app/config.ts; unknown fields are ignored there). */
export interface DashboardConfig {
  /** The API-key API: what the dashboard calls today (Authorization: Api-Key …). */
  apiBaseUrl: string;
  mode: 'aws';
  stage: string;
  auth: {
    type: 'cognito';
    region: string;
    userPoolId: string;
    userPoolClientId: string;
    /** The JWT-protected twin of the read and key API, for signed-in users (Authorization: Bearer <JWT>). */
    apiBaseUrl: string;
    /** The dashboard may still offer API-key sign-in against the top-level apiBaseUrl. */
    apiKeyFallback: true;
  };
}

export function dashboardConfig(input: {
  stage: string;
  region: string;
  publicApiUrl: string;
  dashboardApiUrl: string;
  userPoolId: string;
  userPoolClientId: string;
}): DashboardConfig {
  return {
    apiBaseUrl: stripSlash(input.publicApiUrl),
    mode: 'aws',
    stage: input.stage,
    auth: {
      type: 'cognito',
      region: input.region,
      userPoolId: input.userPoolId,
      userPoolClientId: input.userPoolClientId,
      apiBaseUrl: stripSlash(input.dashboardApiUrl),
      apiKeyFallback: true,
    },
  };
}

/**
 * The dashboard: a private S3 bucket behind CloudFront (Origin Access Control), SPA routing at the
 * edge, strict security headers, the built frontend and a generated config.json that tells the app
 * where the APIs are and how to sign in. Also prints the first-run outputs.
 */
export class DashboardStack extends Stack {
  readonly distribution: cloudfront.Distribution;
  readonly bucket: s3.Bucket;
  readonly url: string;

  constructor(scope: Construct, id: string, props: DashboardStackProps) {
    super(scope, id, props);
    const { settings } = props;

    // Holds only the build output, which any deploy recreates: it goes with the stack.
    this.bucket = new s3.Bucket(this, 'Site', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds the public dashboard build (the same files every visitor downloads) and is ' +
        'readable only by CloudFront via OAC; writes come only from the deployment. Nothing to audit.',
    });

    const region = Stack.of(this).region;
    const csp = [
      "default-src 'self'",
      "script-src 'self'",
      // Chart libraries set inline style attributes.
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src 'self' ${origin(props.publicApiUrl)} ${origin(props.dashboardApiUrl)} https://cognito-idp.${region}.amazonaws.com`,
      "frame-ancestors 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "object-src 'none'",
    ].join('; ');
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Vigil dashboard security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
      },
    });

    const spaRouting = new cloudfront.Function(this, 'SpaRouting', {
      code: cloudfront.FunctionCode.fromInline(SPA_ROUTING),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Serve /index.html for app routes',
    });

    const domain = settings.dashboardDomain;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Vigil ${settings.stage} dashboard`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [
          { function: spaRouting, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      // North America and Europe edges only: the cheapest class; fine for an operator dashboard.
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      ...(domain
        ? {
            domainNames: [domain.domainName],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    const dist = this.distribution;
    Validations.of(dist).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'No geo restriction: operators sign in from wherever they work; data access needs a Cognito JWT ' +
        'or an API key, and the static bundle contains no data.',
    });
    Validations.of(dist).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'No WAF web ACL (≥ $5/month plus per-request fees): the distribution serves only static files; ' +
        'the APIs behind it are throttled in API Gateway and authenticated (JWT or API key).',
    });
    Validations.of(dist).acknowledge({
      id: 'AwsSolutions-CFR3',
      reason:
        'No CloudFront access logs: they need an ACL-enabled log bucket and record only downloads of the ' +
        'public static bundle; every data request is logged in the API access logs.',
    });
    if (!domain) {
      Validations.of(dist).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'With the default *.cloudfront.net certificate CloudFront fixes the viewer TLS policy; deploy ' +
          'with -c dashboardDomain=… -c dashboardCertificateArn=… to get TLSv1.2_2021 as the minimum.',
      });
    }
    this.url = domain ? `https://${domain.domainName}` : `https://${dist.distributionDomainName}`;

    const config = dashboardConfig({
      stage: settings.stage,
      region,
      publicApiUrl: props.publicApiUrl,
      dashboardApiUrl: props.dashboardApiUrl,
      userPoolId: props.userPoolId,
      userPoolClientId: props.userPoolClientId,
    });

    // Hashed assets: cached for a year, never pruned (an open tab may still load an old chunk).
    const assets = new s3deploy.BucketDeployment(this, 'Assets', {
      sources: [s3deploy.Source.asset(props.assetsPath)],
      destinationBucket: this.bucket,
      exclude: ['index.html', 'config.json'],
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString('public, max-age=31536000, immutable')],
    });
    // The entry points: revalidated on every load and invalidated at the edge on each deploy.
    const entry = new s3deploy.BucketDeployment(this, 'EntryPoints', {
      sources: [s3deploy.Source.asset(props.assetsPath), s3deploy.Source.jsonData('config.json', config)],
      destinationBucket: this.bucket,
      exclude: ['*'],
      include: ['index.html', 'config.json'],
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString('no-cache')],
      distribution: dist,
      distributionPaths: ['/index.html', '/config.json'],
    });
    entry.node.addDependency(assets);
    acknowledgeDeploymentHandler(this, this.bucket);

    const lucidic = `${props.publicApiUrl}api`;
    new CfnOutput(this, 'DashboardUrl', { value: this.url, description: 'Open this in a browser' });
    new CfnOutput(this, 'IngestBaseUrl', {
      value: props.publicApiUrl,
      description: 'Vigil API base URL (batch API: POST <url>api/v1/batch)',
    });
    new CfnOutput(this, 'LucidicBaseUrl', {
      value: lucidic,
      description: 'LUCIDIC_BASE_URL for Lucidic SDKs',
    });
    new CfnOutput(this, 'OtlpTracesEndpoint', {
      value: `${props.publicApiUrl}v1/traces`,
      description: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT for OpenTelemetry exporters',
    });
    new CfnOutput(this, 'FirstRunCommand', {
      value: `npm run bootstrap -- --stack ${props.dataStackName} --region ${region} --email you@example.com`,
      description: 'Creates the first admin API key and the first dashboard user (replace the email)',
    });
    if (domain) {
      new CfnOutput(this, 'DashboardDomainTarget', {
        value: dist.distributionDomainName,
        description: `CNAME ${domain.domainName} to this name`,
      });
    }
  }
}

/**
 * BucketDeployment runs one CDK-provided Lambda per stack (a singleton at stack scope) whose role
 * and runtime aws-cdk-lib generates. Its findings are acknowledged one by one.
 */
function acknowledgeDeploymentHandler(stack: Stack, site: s3.Bucket): void {
  const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!handler) return;
  const copy =
    'CDK BucketDeployment handler (aws-cdk-lib code): it reads the dashboard build from the CDK ' +
    'assets bucket and writes it to the site bucket; aws-cdk-lib generates these object-level grants.';
  const v = Validations.of(handler);
  for (const action of ['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*']) {
    v.acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason: copy });
  }
  v.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
    reason: `${copy} This is the CDK bootstrap assets bucket, where the zipped build is uploaded.`,
  });
  v.acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(site.node.defaultChild as s3.CfnBucket)}.Arn>/*]`,
    reason: `${copy} This is the dashboard site bucket (every object of the build).`,
  });
  v.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'CDK BucketDeployment handler: cloudfront:CreateInvalidation/GetInvalidation, which aws-cdk-lib ' +
      'grants on "*"; it invalidates /index.html and /config.json of this distribution after a deploy.',
  });
  v.acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: REASONS.basicExecutionRole,
  });
  v.acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'The BucketDeployment handler’s runtime is chosen by aws-cdk-lib (a Python runtime it bundles its ' +
      'deployment code for); it runs only during deployments and is upgraded with aws-cdk-lib.',
  });
}

/**
 * 'https://host/path/' → 'https://host'. Works on unresolved URLs too: token markers contain no '/',
 * so the host part of `https://${apiId}.execute-api.${region}.${suffix}/` is cut the same way.
 */
const origin = (url: string): string => url.replace(/^(https:\/\/[^/]+).*$/, '$1');

const stripSlash = (url: string): string => (url.endsWith('/') ? url.slice(0, -1) : url);
