import { type App, type Environment, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { dashboardAssets, type ScheduledJobSpec, scheduledJobs } from '../config/functions';
import type { VigilSettings } from '../config/settings';
import type { VigilData } from '../constructs/vigil-data';
import { ApiStack } from './api-stack';
import { DashboardStack } from './dashboard-stack';
import { DataStack } from './data-stack';
import { JobsStack } from './jobs-stack';
import { MonitoringStack } from './monitoring-stack';
import { TimestreamStack } from './timestream-stack';

export interface VigilStacks {
  data: DataStack;
  timestream?: TimestreamStack;
  api: ApiStack;
  jobs: JobsStack;
  dashboard: DashboardStack;
  monitoring: MonitoringStack;
}

export interface VigilAppOptions {
  /** @default environment-agnostic stacks (account and region come from the deploy credentials) */
  env?: Environment;
  /** @default scheduledJobs() — the optional jobs whose handler exists */
  jobs?: readonly ScheduledJobSpec[];
  /** @default dashboardAssets() — frontend/dist, or the placeholder page */
  dashboardAssetsPath?: string;
  /** Run cdk-nag AwsSolutions on synth. @default true */
  nag?: boolean;
}

/**
 * Builds every Vigil stack into `app`. Stateful stacks (data, timestream) come first; the stateless
 * ones receive them by typed props.
 */
export function createVigil(app: App, settings: VigilSettings, options: VigilAppOptions = {}): VigilStacks {
  const prefix = settings.stackPrefix;
  const env = options.env;
  const data = new DataStack(app, `${prefix}-Data`, {
    settings,
    env,
    description: 'Vigil stateful resources: DynamoDB table, payload bucket, dashboard users (retained)',
    terminationProtection: true,
  });
  const timestream = settings.timestream.enabled
    ? new TimestreamStack(app, `${prefix}-Timestream`, {
        settings,
        env,
        description: 'Vigil optional Timestream for LiveAnalytics database and tables (retained)',
        terminationProtection: true,
      })
    : undefined;
  const vigilData: VigilData = {
    table: data.table,
    indexNames: data.indexNames,
    payloadBucket: data.payloadBucket,
    payloadBucketLogicalId: data.payloadBucketLogicalId,
    timestream: timestream?.timeseries,
  };

  const jobs = new JobsStack(app, `${prefix}-Jobs`, {
    settings,
    env,
    data: vigilData,
    jobs: options.jobs ?? scheduledJobs(),
    description: 'Vigil scheduled jobs, alert topic and dead-letter queue',
  });
  const api = new ApiStack(app, `${prefix}-Api`, {
    settings,
    env,
    data: vigilData,
    userPool: data.userPool,
    userPoolClient: data.userPoolClient,
    alertTopic: jobs.alertTopic,
    description: 'Vigil HTTP APIs and their Lambdas (ingest, read, keys, alerts)',
  });
  const dashboard = new DashboardStack(app, `${prefix}-Dashboard`, {
    settings,
    env,
    assetsPath: options.dashboardAssetsPath ?? dashboardAssets().path,
    publicApiUrl: api.publicUrl,
    dashboardApiUrl: api.dashboardUrl,
    userPoolId: data.userPool.userPoolId,
    userPoolClientId: data.userPoolClient.userPoolClientId,
    dataStackName: data.stackName,
    description: 'Vigil dashboard: S3 + CloudFront, config.json, first-run outputs',
  });
  const monitoring = new MonitoringStack(app, `${prefix}-Monitoring`, {
    settings,
    env,
    functions: {
      ingest: api.functions.ingest.function,
      query: api.functions.query.function,
      admin: api.functions.admin.function,
      alerts: api.functions.alerts.function,
      ...Object.fromEntries(jobs.jobs.map((j) => [j.spec.id, j.fn.function])),
    },
    apis: [
      { name: 'public', stage: api.publicStage, serverErrorThreshold: 10 },
      { name: 'dashboard', stage: api.dashboardStage, serverErrorThreshold: 5 },
    ],
    deadLetterQueues: { jobs: jobs.deadLetterQueue },
    table: data.table,
    alarmTopic: jobs.alertTopic,
    description: 'Vigil self-monitoring: alarms and a CloudWatch dashboard',
  });

  const all = [data, timestream, api, jobs, dashboard, monitoring];
  for (const stack of all) {
    if (!stack) continue;
    Tags.of(stack).add('vigil:stage', settings.stage);
    Tags.of(stack).add('vigil:component', stack.stackName.slice(prefix.length + 1).toLowerCase());
  }
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { data, timestream, api, jobs, dashboard, monitoring };
}
