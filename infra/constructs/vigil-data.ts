import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** Timestream for LiveAnalytics resources, when enabled. */
export interface VigilTimeseries {
  databaseName: string;
  eventsTableName: string;
  sessionsTableName: string;
  /** ARNs of the events and sessions tables. */
  tableArns: string[];
}

/**
 * The stateful resources the stateless stacks are built on, passed by typed props. Functions get
 * access through {@link VigilFunction}, which pairs each grant with its environment variables.
 */
export interface VigilData {
  table: dynamodb.ITable;
  /** The table's global secondary indexes (Query needs each index ARN). */
  indexNames: readonly string[];
  payloadBucket: s3.IBucket;
  /** Pinned logical id of the payload bucket, as it appears in policy findings. */
  payloadBucketLogicalId: string;
  timestream?: VigilTimeseries;
}
