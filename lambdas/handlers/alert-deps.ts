import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { createDynamoDbAlertStores } from '../adapters/dynamodb/alert-stores';
import { createNotifiers } from '../adapters/notify';
import type {
  AlertRuleStore,
  BaselineStore,
  ChannelStore,
  IncidentStore,
  Notifiers,
} from '../domain/alert-ports';
import { type AlertConfig, DEFAULT_ALERT_CONFIG } from '../domain/alerts/config';
import { type Env, env } from '../platform/env';
import { awsDeps } from './aws-deps';
import type { HandlerDeps } from './deps';

/** The alert stores, built by each composition root (DynamoDB on AWS, DuckDB locally). */
export interface AlertStores {
  baselines: BaselineStore;
  rules: AlertRuleStore;
  incidents: IncidentStore;
  channels: ChannelStore;
}

/** What the alert routes and the baseline/anomaly jobs are built from. */
export interface AlertDeps extends HandlerDeps, AlertStores {
  notifiers: Notifiers;
  alertConfig: AlertConfig;
}

/** Alert settings from the environment (window, warm-up, detection window, dashboard URL). */
export function alertConfigFromEnv(e: Env): AlertConfig {
  return {
    ...DEFAULT_ALERT_CONFIG,
    baseline: {
      ...DEFAULT_ALERT_CONFIG.baseline,
      windowDays: e.VIGIL_BASELINE_WINDOW_DAYS,
      warmupDays: e.VIGIL_BASELINE_WARMUP_DAYS,
      retentionDays: e.VIGIL_BASELINE_RETENTION_DAYS,
    },
    detect: { ...DEFAULT_ALERT_CONFIG.detect, minWindowMinutes: e.VIGIL_ANOMALY_MIN_WINDOW_MINUTES },
    dashboardUrl: e.VIGIL_DASHBOARD_URL ?? null,
  };
}

/**
 * The Lambda composition root for alerting: the handler deps plus alert stores on the same DynamoDB
 * table and one notifier per channel type (SNS publishes to VIGIL_ALERT_TOPIC_ARN by default).
 */
export function buildAwsAlertDeps(
  base: HandlerDeps,
  e: Env = env(),
  clients: { dynamo?: DynamoDBClient; sns?: SNSClient } = {},
): AlertDeps {
  if (!e.VIGIL_TABLE_NAME) throw new Error('VIGIL_TABLE_NAME is not set');
  const stores = createDynamoDbAlertStores({
    client: clients.dynamo ?? new DynamoDBClient({ region: e.AWS_REGION }),
    tableName: e.VIGIL_TABLE_NAME,
  });
  return {
    ...base,
    ...stores,
    notifiers: createNotifiers({
      clock: base.clock,
      log: (line, payload) =>
        base.logger.info(line, { alert: payload.type, deliveryId: payload.delivery_id }),
      sns: {
        client: clients.sns ?? new SNSClient({ region: e.AWS_REGION }),
        defaultTopicArn: e.VIGIL_ALERT_TOPIC_ARN ?? null,
      },
    }),
    alertConfig: alertConfigFromEnv(e),
  };
}

let cached: AlertDeps | undefined;

/** Alert deps for this container, built on first use. */
export function awsAlertDeps(): AlertDeps {
  cached ??= buildAwsAlertDeps(awsDeps());
  return cached;
}
