import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { VigilSettings } from '../config/settings';

export interface MonitoredApi {
  name: string;
  stage: apigw.IHttpStage;
  /** 5xx answers in 5 minutes that raise the alarm. */
  serverErrorThreshold: number;
}

export interface MonitoringStackProps extends StackProps {
  settings: VigilSettings;
  /** Functions by display name (`ingest`, `query`, `Reconcile`, …). */
  functions: Record<string, lambda.IFunction>;
  apis: MonitoredApi[];
  deadLetterQueues: Record<string, sqs.IQueue>;
  table: dynamodb.ITable;
  alarmTopic: sns.ITopic;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Vigil watching itself: alarms on Lambda errors and throttles, dead-letter queue depth and API
 * 5xx answers, all sent to the alert topic, plus one CloudWatch dashboard.
 */
export class MonitoringStack extends Stack {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const alarmAction = new actions.SnsAction(props.alarmTopic);
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No traffic is not a failure.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      a.addAlarmAction(alarmAction);
      a.addOkAction(alarmAction);
      this.alarms.push(a);
      return a;
    };

    const fnRows: cloudwatch.IWidget[] = [];
    for (const [name, fn] of Object.entries(props.functions)) {
      const errors = fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' });
      const throttles = fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' });
      alarm(
        `${cap(name)}Errors`,
        errors,
        1,
        `Vigil ${name} Lambda: unhandled errors or timeouts (handlers answer domain errors themselves, so any count is a bug or a timeout).`,
      );
      alarm(
        `${cap(name)}Throttles`,
        throttles,
        1,
        `Vigil ${name} Lambda was throttled: the account concurrency limit was reached (new accounts start at 10; request a quota increase).`,
      );
      fnRows.push(
        new cloudwatch.GraphWidget({
          title: `${name}: invocations, errors, throttles`,
          left: [fn.metricInvocations({ period: FIVE_MINUTES }), errors, throttles],
          width: 8,
        }),
        new cloudwatch.GraphWidget({
          title: `${name}: duration p50 / p99`,
          left: [
            fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p50' }),
            fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' }),
          ],
          width: 8,
        }),
      );
    }

    const apiRows: cloudwatch.IWidget[] = [];
    for (const api of props.apis) {
      const serverErrors = api.stage.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' });
      alarm(
        `${cap(api.name)}Api5xx`,
        serverErrors,
        api.serverErrorThreshold,
        `Vigil ${api.name} API answered ≥ ${api.serverErrorThreshold} 5xx in 5 minutes (503s mean DynamoDB or Lambda throttling; clients retry).`,
      );
      apiRows.push(
        new cloudwatch.GraphWidget({
          title: `${api.name} API: requests, 4xx, 5xx`,
          left: [
            api.stage.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' }),
            api.stage.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum' }),
            serverErrors,
          ],
          width: 12,
        }),
        new cloudwatch.GraphWidget({
          title: `${api.name} API: latency p50 / p99`,
          left: [
            api.stage.metricLatency({ period: FIVE_MINUTES, statistic: 'p50' }),
            api.stage.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
          ],
          width: 12,
        }),
      );
    }

    const dlqMetrics: cloudwatch.IMetric[] = [];
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      const depth = queue.metricApproximateNumberOfMessagesVisible({
        period: FIVE_MINUTES,
        statistic: 'Maximum',
      });
      alarm(
        `${cap(name)}DeadLetters`,
        depth,
        1,
        `Vigil ${name} dead-letter queue has messages: scheduled runs failed after their retries.`,
      );
      dlqMetrics.push(depth);
    }

    const table = props.table;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${props.settings.stackPrefix}`,
      defaultInterval: Duration.hours(6),
      widgets: [
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            alarms: this.alarms,
            width: 24,
            height: 4,
          }),
        ],
        apiRows,
        fnRows,
        [
          new cloudwatch.GraphWidget({
            title: 'DynamoDB: consumed capacity',
            left: [
              table.metricConsumedWriteCapacityUnits({ period: FIVE_MINUTES }),
              table.metricConsumedReadCapacityUnits({ period: FIVE_MINUTES }),
            ],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Dead-letter queues: messages visible',
            left: dlqMetrics,
            width: 12,
          }),
        ],
      ],
    });
  }
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
