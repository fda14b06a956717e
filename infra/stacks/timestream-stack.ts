import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as timestream from 'aws-cdk-lib/aws-timestream';
import type { Construct } from 'constructs';
import type { VigilSettings } from '../config/settings';
import type { VigilTimeseries } from '../constructs/vigil-data';

export interface TimestreamStackProps extends StackProps {
  settings: VigilSettings;
}

/** Table names the Lambdas default to (VIGIL_TIMESTREAM_EVENTS_TABLE / _SESSIONS_TABLE). */
export const TIMESTREAM_TABLES = { events: 'events', sessions: 'sessions' } as const;

export const TIMESTREAM_LOGICAL_IDS = {
  database: 'TimestreamDatabase',
  eventsTable: 'TimestreamEventsTable',
  sessionsTable: 'TimestreamSessionsTable',
  rejectedBucket: 'TimestreamRejectedRecordsBucket',
} as const;

/**
 * Optional, stateful: Timestream for LiveAnalytics, only with `-c timestream=true`. A stack of its
 * own on purpose: in an account without Timestream access (closed to new customers since
 * 2025-06-20) CreateDatabase fails with AccessDeniedException and CloudFormation rolls the stack
 * back; here that rollback cannot touch the DynamoDB table, the payload bucket or the users.
 */
export class TimestreamStack extends Stack {
  readonly timeseries: VigilTimeseries;

  constructor(scope: Construct, id: string, props: TimestreamStackProps) {
    super(scope, id, props);
    const { settings } = props;

    // Magnetic-store writes reject some records asynchronously (e.g. a lower version than stored);
    // Timestream writes those reports here.
    const rejected = new s3.Bucket(this, 'RejectedRecords', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ id: 'retention', expiration: Duration.days(settings.retentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    (rejected.node.defaultChild as s3.CfnBucket).overrideLogicalId(TIMESTREAM_LOGICAL_IDS.rejectedBucket);
    Validations.of(rejected).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Holds only Timestream’s rejected-record reports (record indexes and reasons, written by the ' +
        'service); access logs for a diagnostics bucket would cost more than the reports themselves.',
    });

    // Encrypted with the AWS-owned Timestream key by default.
    const database = new timestream.CfnDatabase(this, 'Database', {});
    database.overrideLogicalId(TIMESTREAM_LOGICAL_IDS.database);
    database.applyRemovalPolicy(RemovalPolicy.RETAIN);
    acknowledgeMaintenanceMode(database);
    Validations.of(database).acknowledge({
      id: 'AwsSolutions-TS3',
      reason:
        'Encrypted at rest with the Timestream service key. The records hold metrics only (tokens, cost, ' +
        'latency, ids), no prompts; a customer-managed key would add a monthly key charge and a key policy.',
    });

    const table = (logicalId: string, tableName: string) => {
      const t = new timestream.CfnTable(this, logicalId, {
        databaseName: database.ref,
        tableName,
        retentionProperties: {
          MemoryStoreRetentionPeriodInHours: String(settings.timestream.memoryRetentionHours),
          MagneticStoreRetentionPeriodInDays: String(settings.retentionDays),
        },
        // Late data (older than the memory window) goes to the magnetic store instead of being refused.
        magneticStoreWriteProperties: {
          EnableMagneticStoreWrites: true,
          MagneticStoreRejectedDataLocation: {
            S3Configuration: {
              BucketName: rejected.bucketName,
              EncryptionOption: 'SSE_S3',
              ObjectKeyPrefix: `${tableName}/`,
            },
          },
        },
      });
      t.overrideLogicalId(logicalId);
      t.applyRemovalPolicy(RemovalPolicy.RETAIN);
      acknowledgeMaintenanceMode(t);
      return t;
    };
    const events = table(TIMESTREAM_LOGICAL_IDS.eventsTable, TIMESTREAM_TABLES.events);
    const sessions = table(TIMESTREAM_LOGICAL_IDS.sessionsTable, TIMESTREAM_TABLES.sessions);

    this.timeseries = {
      databaseName: database.ref,
      eventsTableName: TIMESTREAM_TABLES.events,
      sessionsTableName: TIMESTREAM_TABLES.sessions,
      tableArns: [events.attrArn, sessions.attrArn],
    };
    new CfnOutput(this, 'TimestreamDatabaseName', { value: database.ref });
  }
}

/** CloudFormation's linter flags every Timestream resource: the service is closed to new customers. */
function acknowledgeMaintenanceMode(resource: timestream.CfnDatabase | timestream.CfnTable): void {
  Validations.of(resource).acknowledge({
    id: 'CloudFormation-Validate::W3697',
    reason:
      'Deliberate and opt-in (-c timestream=true) for accounts that already use Timestream for ' +
      'LiveAnalytics; the default deployment has no Timestream and serves everything from DynamoDB.',
  });
}
