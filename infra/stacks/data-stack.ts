import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ADMIN_GROUP } from '../config/functions';
import type { VigilSettings } from '../config/settings';
import { PAYLOAD_PREFIX, TABLE_SCHEMA, TTL_ATTRIBUTE } from '../config/table';

export interface DataStackProps extends StackProps {
  settings: VigilSettings;
}

/**
 * Logical ids of the stateful resources, pinned: renaming a construct must never replace a table,
 * a bucket or the user pool (that would orphan or lose data). Tests assert them.
 */
export const DATA_LOGICAL_IDS = {
  table: 'VigilTable',
  payloadBucket: 'PayloadBucket',
  accessLogsBucket: 'AccessLogsBucket',
  userPool: 'DashboardUserPool',
  // Replacing the group would drop its memberships.
  adminGroup: 'DashboardAdminGroup',
} as const;

/**
 * Everything stateful that Vigil cannot rebuild: the single DynamoDB table, the payload bucket (with
 * its access logs) and the dashboard's user pool (the users). All RETAIN, with deletion protection
 * where the service has it; `cdk destroy` leaves them (see README "Teardown").
 */
/** Provisioned mode: the floor of every auto-scaled capacity, and the utilisation it tracks. */
const MIN_PROVISIONED_CAPACITY = 5;
const TARGET_UTILIZATION_PERCENT = 70;

export class DataStack extends Stack {
  readonly table: dynamodb.Table;
  readonly indexNames = TABLE_SCHEMA.globalSecondaryIndexes.map((g) => g.indexName);
  readonly payloadBucket: s3.Bucket;
  readonly payloadBucketLogicalId = DATA_LOGICAL_IDS.payloadBucket;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { settings } = props;

    const capacity = settings.tableCapacity;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: {
        name: TABLE_SCHEMA.partitionKey.name,
        type: dynamodb.AttributeType.STRING,
      },
      sortKey: { name: TABLE_SCHEMA.sortKey.name, type: dynamodb.AttributeType.STRING },
      ...(capacity.mode === 'provisioned'
        ? {
            billingMode: dynamodb.BillingMode.PROVISIONED,
            readCapacity: MIN_PROVISIONED_CAPACITY,
            writeCapacity: MIN_PROVISIONED_CAPACITY,
          }
        : { billingMode: dynamodb.BillingMode.PAY_PER_REQUEST }),
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // AWS-owned key: encrypted at rest at no extra cost (a customer key adds $1/month + requests).
      encryption: dynamodb.TableEncryption.DEFAULT,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const g of TABLE_SCHEMA.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: g.indexName,
        partitionKey: { name: g.partitionKey.name, type: dynamodb.AttributeType.STRING },
        sortKey: { name: g.sortKey.name, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
        ...(capacity.mode === 'provisioned'
          ? { readCapacity: MIN_PROVISIONED_CAPACITY, writeCapacity: MIN_PROVISIONED_CAPACITY }
          : {}),
      });
    }
    if (capacity.mode === 'provisioned') {
      const track = (scalable: dynamodb.IScalableTableAttribute) =>
        scalable.scaleOnUtilization({ targetUtilizationPercent: TARGET_UTILIZATION_PERCENT });
      const reads = { minCapacity: MIN_PROVISIONED_CAPACITY, maxCapacity: capacity.maxReadCapacity };
      const writes = { minCapacity: MIN_PROVISIONED_CAPACITY, maxCapacity: capacity.maxWriteCapacity };
      track(this.table.autoScaleReadCapacity(reads));
      track(this.table.autoScaleWriteCapacity(writes));
      for (const g of TABLE_SCHEMA.globalSecondaryIndexes) {
        track(this.table.autoScaleGlobalSecondaryIndexReadCapacity(g.indexName, reads));
        track(this.table.autoScaleGlobalSecondaryIndexWriteCapacity(g.indexName, writes));
      }
    }
    pin(this.table, DATA_LOGICAL_IDS.table);

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ id: 'retention', expiration: Duration.days(settings.retentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    pin(accessLogs, DATA_LOGICAL_IDS.accessLogsBucket);
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the server access log bucket itself; logging it to itself would loop. Reads of it are ' +
        'recorded by CloudTrail management/data events where the account enables them.',
    });

    this.payloadBucket = new s3.Bucket(this, 'Payloads', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'payloads/',
      lifecycleRules: [
        {
          id: 'retention',
          prefix: PAYLOAD_PREFIX,
          // Payload blobs belong to events, so they go with them.
          expiration: Duration.days(settings.eventRetentionDays),
        },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    pin(this.payloadBucket, DATA_LOGICAL_IDS.payloadBucket);

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      // Dashboard users are created by an admin (scripts/bootstrap.ts, or the console) only.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(7),
      },
      mfa: settings.requireMfa ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Lite: free up to 10,000 monthly active users; the dashboard needs no Essentials/Plus feature.
      featurePlan: cognito.FeaturePlan.LITE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    pin(this.userPool, DATA_LOGICAL_IDS.userPool);
    if (!settings.requireMfa) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is OPTIONAL (TOTP only, no SMS): users are admin-created and can enrol TOTP; requiring it ' +
          'forces the MFA-setup challenge on first sign-in. Deploy with -c requireMfa=true to enforce it.',
      });
    }
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'Lite plan: free up to 10,000 monthly active users. Plus is billed per active user and only adds ' +
        'threat protection (see COG3); the dashboard uses plain password sign-in for a few operators.',
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG3',
      reason:
        'Threat protection (advanced security) needs the Cognito Plus plan, billed per monthly active ' +
        'user; sign-up is closed (admin-created users only) and passwords need 12+ mixed characters.',
    });

    // The dashboard signs in against the user pool API (no hosted UI, so no callback URLs that would
    // tie this stack to the dashboard's CloudFront domain) with USER_PASSWORD_AUTH: the browser sends
    // the password to Cognito over TLS only, and needs no hand-written SRP. SRP stays allowed for
    // clients that implement it.
    this.userPoolClient = this.userPool.addClient('DashboardClient', {
      generateSecret: false,
      authFlows: { userSrp: true, userPassword: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    const adminGroup = new cognito.CfnUserPoolGroup(this, 'AdminGroup', {
      userPoolId: this.userPool.userPoolId,
      groupName: ADMIN_GROUP,
      description: 'Dashboard users who may manage API keys',
    });
    adminGroup.overrideLogicalId(DATA_LOGICAL_IDS.adminGroup);

    // Read by scripts/bootstrap.ts (first API key, first dashboard user).
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'PayloadBucketName', { value: this.payloadBucket.bucketName });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'AdminGroupName', { value: ADMIN_GROUP });
  }
}

/** Pins a construct's CloudFormation logical id. */
function pin(construct: Construct, logicalId: string): void {
  const cfn = construct.node.defaultChild as dynamodb.CfnTable | s3.CfnBucket | cognito.CfnUserPool;
  cfn.overrideLogicalId(logicalId);
}
