import { resolve } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { bundleDefines, LAMBDA_BUNDLING } from '../config/bundling';
import { type FunctionSpec, REPO_ROOT, TABLE_ACTIONS, TABLE_INDEX_ACCESS } from '../config/functions';
import type { VigilSettings } from '../config/settings';
import { PAYLOAD_PREFIX } from '../config/table';
import { acknowledgeWildcardResources, REASONS } from './nag';
import type { VigilData } from './vigil-data';

export interface VigilFunctionProps {
  spec: FunctionSpec;
  data: VigilData;
  settings: VigilSettings;
  /** Needed when `spec.access.alerts` is set. */
  alertTopic?: sns.ITopic;
  /** Where failed asynchronous invocations go (scheduled jobs). @default none */
  deadLetterQueue?: sqs.IQueue;
  /** Retries of a failed asynchronous invocation. @default 2 (Lambda's default) */
  retryAttempts?: number;
}

/**
 * A Vigil Lambda with our defaults: Node.js 24 on arm64, bundled and minified (AWS SDK included),
 * a log group with retention, and the environment + IAM of exactly the access its spec declares.
 * Every grant goes through {@link VigilFunction.grant}, which pairs the policy with the env it needs.
 */
export class VigilFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: VigilFunctionProps) {
    super(scope, id);
    const { spec, data, settings } = props;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: settings.logRetentionDays as logs.RetentionDays,
      // Logs are diagnostics, not data: they go with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new NodejsFunction(this, 'Function', {
      entry: resolve(REPO_ROOT, spec.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: resolve(REPO_ROOT, 'package-lock.json'),
      description: spec.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: spec.memoryMb ?? 512,
      timeout: Duration.seconds(spec.timeoutSeconds),
      logGroup: this.logGroup,
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: props.retryAttempts,
      bundling: {
        minify: LAMBDA_BUNDLING.minify,
        sourceMap: LAMBDA_BUNDLING.sourceMap,
        target: LAMBDA_BUNDLING.target,
        format: OutputFormat.ESM,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        externalModules: [...LAMBDA_BUNDLING.externalModules],
        banner: LAMBDA_BUNDLING.banner,
        define: bundleDefines(settings),
        // NodejsFunction has no alias option; each `--alias` entry becomes `--alias:<from>=<to>`.
        esbuildArgs: {
          '--alias': Object.entries(LAMBDA_BUNDLING.alias).map(([from, to]) => `${from}=${to}`),
        },
      },
      environment: {
        // Every Lambda builds the same composition root (lambdas/handlers/aws-deps.ts), which needs
        // both names; the grants below decide what each function may actually do with them.
        VIGIL_TABLE_NAME: data.table.tableName,
        VIGIL_PAYLOAD_BUCKET: data.payloadBucket.bucketName,
        VIGIL_RETENTION_DAYS: String(settings.retentionDays),
        VIGIL_EVENT_RETENTION_DAYS: String(settings.eventRetentionDays),
        VIGIL_LOG_LEVEL: settings.logLevel,
        VIGIL_TAG_VALUE_CAP: String(settings.tagValueCap),
        VIGIL_CORS_ORIGINS: settings.corsOrigins.join(','),
      },
    });
    this.grant(props);
  }

  private grant({ spec, data, alertTopic, settings }: VigilFunctionProps): void {
    const fn = this.function;
    const actions = TABLE_ACTIONS[spec.access.table];
    const indexes = TABLE_INDEX_ACCESS[spec.access.table]
      ? data.indexNames.map((name) => `${data.table.tableArn}/index/${name}`)
      : [];
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: [...actions], resources: [data.table.tableArn, ...indexes] }),
    );

    const objects = data.payloadBucket.arnForObjects(`${PAYLOAD_PREFIX}*`);
    if (spec.access.payloads === 'write') {
      // The presigned PUT URLs the ingest Lambda hands to Lucidic SDKs are signed with this role.
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects] }));
    } else if (spec.access.payloads === 'read') {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects] }));
      // Without ListBucket a missing key answers 403 instead of 404 (see S3BlobStore).
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [data.payloadBucket.bucketArn] }),
      );
    }
    if (spec.access.payloads) {
      acknowledgeWildcardResources(
        fn,
        () => fn.role?.node.tryFindChild('DefaultPolicy')?.node.defaultChild as iam.CfnPolicy | undefined,
        (resource) => resource.endsWith(`/${PAYLOAD_PREFIX}*`),
        'Payload objects are keyed per event (payloads/<agent>/<session>/<event>.json), so object ' +
          'actions are granted on the payloads/ prefix of the one payload bucket, not on a single key.',
      );
    }

    const ts = data.timestream;
    if (ts && spec.access.timestream) {
      fn.addEnvironment('VIGIL_TIMESTREAM_DATABASE', ts.databaseName);
      fn.addEnvironment('VIGIL_TIMESTREAM_EVENTS_TABLE', ts.eventsTableName);
      fn.addEnvironment('VIGIL_TIMESTREAM_SESSIONS_TABLE', ts.sessionsTableName);
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [spec.access.timestream === 'write' ? 'timestream:WriteRecords' : 'timestream:Select'],
          resources: ts.tableArns,
        }),
      );
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['timestream:DescribeEndpoints'], resources: ['*'] }),
      );
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'timestream:DescribeEndpoints (endpoint discovery, required before any Timestream call) has no ' +
          'resource-level permissions; AWS requires Resource "*". Data actions are scoped to the two tables.',
      });
    }

    if (spec.access.alerts) {
      if (!alertTopic) throw new Error(`${spec.entry}: access.alerts needs the alert topic`);
      fn.addEnvironment('VIGIL_ALERT_TOPIC_ARN', alertTopic.topicArn);
      alertTopic.grantPublish(fn);
      // The CloudFront name is only known after the dashboard stack, which depends on this one; a custom
      // domain is known now. Without it notifications carry no dashboard link.
      if (settings.dashboardDomain) {
        fn.addEnvironment('VIGIL_DASHBOARD_URL', `https://${settings.dashboardDomain.domainName}`);
      }
    }

    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: REASONS.basicExecutionRole,
    });
    Validations.of(fn).acknowledge({ id: 'AwsSolutions-L1', reason: REASONS.lambdaRuntime });
  }
}
