import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_GROUP } from '../../infra/config/functions';
import { TABLE_SCHEMA, TTL_ATTRIBUTE } from '../../infra/config/table';
import { DATA_LOGICAL_IDS } from '../../infra/stacks/data-stack';
import { TIMESTREAM_LOGICAL_IDS } from '../../infra/stacks/timestream-stack';
import { createTableInput, VIGIL_TABLE_SCHEMA } from '../../lambdas/adapters/dynamodb/table';
import { DASHBOARD_ADMIN_GROUP } from '../../lambdas/domain/keys';
import { type Synthesized, synthVigil } from './support';

describe('data stack', () => {
  let vigil: Synthesized;
  beforeAll(() => {
    vigil = synthVigil({ retentionDays: '30' });
  });

  it('creates the table exactly as the Lambdas define it (VIGIL_TABLE_SCHEMA)', () => {
    // Prepare
    const expected = createTableInput('ignored');
    const table = vigil.template('data').toJSON().Resources[DATA_LOGICAL_IDS.table];
    const p = table.Properties;
    // Assess
    expect(TABLE_SCHEMA).toEqual(VIGIL_TABLE_SCHEMA);
    expect(p.KeySchema).toEqual(expected.KeySchema);
    const byName = (a: Array<{ AttributeName: string }>) =>
      [...a].sort((x, y) => x.AttributeName.localeCompare(y.AttributeName));
    expect(byName(p.AttributeDefinitions)).toEqual(byName(expected.AttributeDefinitions));
    expect(p.GlobalSecondaryIndexes).toEqual(expected.GlobalSecondaryIndexes);
    expect(p.BillingMode).toBe(expected.BillingMode);
  });

  it('keeps the table: TTL, point-in-time recovery, deletion protection, RETAIN, pinned logical id', () => {
    vigil.template('data').hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
    expect(vigil.template('data').toJSON().Resources).toHaveProperty(DATA_LOGICAL_IDS.table);
  });

  it('pins the logical ids of every stateful resource', () => {
    const resources = vigil.template('data').toJSON().Resources;
    expect(resources[DATA_LOGICAL_IDS.table].Type).toBe('AWS::DynamoDB::Table');
    expect(resources[DATA_LOGICAL_IDS.payloadBucket].Type).toBe('AWS::S3::Bucket');
    expect(resources[DATA_LOGICAL_IDS.accessLogsBucket].Type).toBe('AWS::S3::Bucket');
    expect(resources[DATA_LOGICAL_IDS.userPool].Type).toBe('AWS::Cognito::UserPool');
    expect(resources[DATA_LOGICAL_IDS.adminGroup].Type).toBe('AWS::Cognito::UserPoolGroup');
  });

  it('encrypts the payload bucket, blocks public access, logs access and expires payloads with retention', () => {
    const bucket = vigil.template('data').toJSON().Resources[DATA_LOGICAL_IDS.payloadBucket];
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.LoggingConfiguration.DestinationBucketName).toEqual({
      Ref: DATA_LOGICAL_IDS.accessLogsBucket,
    });
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        { Id: 'retention', Prefix: 'payloads/', ExpirationInDays: 30, Status: 'Enabled' },
        {
          Id: 'abort-incomplete-uploads',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          Status: 'Enabled',
        },
      ]),
    );
  });

  it('denies every non-TLS request to the payload bucket', () => {
    vigil.template('data').hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: DATA_LOGICAL_IDS.payloadBucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('creates a closed user pool (admin-created users) with the admins group the Lambdas expect', () => {
    const t = vigil.template('data');
    t.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        DeletionProtection: 'ACTIVE',
        MfaConfiguration: 'OPTIONAL',
        UserPoolTier: 'LITE',
      }),
    });
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'ENABLED',
    });
    t.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: ADMIN_GROUP });
    expect(ADMIN_GROUP).toBe(DASHBOARD_ADMIN_GROUP);
  });

  it('outputs what the bootstrap script reads', () => {
    const outputs = vigil.template('data').toJSON().Outputs;
    for (const name of ['TableName', 'UserPoolId', 'UserPoolClientId', 'AdminGroupName', 'PayloadBucketName'])
      expect(outputs).toHaveProperty(name);
  });

  it('has no Timestream anywhere without the flag', () => {
    expect(vigil.stacks.timestream).toBeUndefined();
    for (const name of ['data', 'api', 'jobs', 'dashboard', 'monitoring'] as const) {
      const json = JSON.stringify(vigil.template(name).toJSON());
      expect(json).not.toContain('AWS::Timestream');
      expect(json).not.toContain('timestream:');
      expect(json).not.toContain('VIGIL_TIMESTREAM');
    }
  });

  it('bills on demand by default, with no auto scaling', () => {
    const t = vigil.template('data');
    t.hasResourceProperties('AWS::DynamoDB::Table', { BillingMode: 'PAY_PER_REQUEST' });
    t.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
  });

  it('with tableCapacity=provisioned, auto-scales reads and writes of the table and both indexes', () => {
    // Prepare
    const provisioned = synthVigil({ tableCapacity: 'provisioned', tableMaxWriteCapacity: '300' });
    const t = provisioned.template('data');
    const targets = Object.values(t.findResources('AWS::ApplicationAutoScaling::ScalableTarget')).map(
      (r) => r.Properties,
    );
    // Assess
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({ ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }),
      ]),
    });
    expect(targets.map((p) => `${p.ScalableDimension} ${p.MinCapacity}-${p.MaxCapacity}`).sort()).toEqual(
      [
        'dynamodb:index:ReadCapacityUnits 5-200',
        'dynamodb:index:ReadCapacityUnits 5-200',
        'dynamodb:index:WriteCapacityUnits 5-300',
        'dynamodb:index:WriteCapacityUnits 5-300',
        'dynamodb:table:ReadCapacityUnits 5-200',
        'dynamodb:table:WriteCapacityUnits 5-300',
      ].sort(),
    );
    t.resourcePropertiesCountIs(
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 70 }),
      },
      6,
    );
    // The table itself is the same resource (switching billing mode is an in-place update).
    expect(t.toJSON().Resources).toHaveProperty(DATA_LOGICAL_IDS.table);
  });

  it('requires MFA when asked', () => {
    const strict = synthVigil({ requireMfa: 'true' }, { nag: false });
    strict.template('data').hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON' });
  });
});

describe('timestream stack (-c timestream=true)', () => {
  let vigil: Synthesized;
  beforeAll(() => {
    vigil = synthVigil({ timestream: 'true', timestreamMemoryHours: '12', retentionDays: '180' });
  });

  it('creates the database and both tables, retained, with memory and magnetic retention', () => {
    const t = vigil.template('timestream');
    const r = t.toJSON().Resources;
    expect(r[TIMESTREAM_LOGICAL_IDS.database]).toMatchObject({
      Type: 'AWS::Timestream::Database',
      DeletionPolicy: 'Retain',
    });
    for (const [id, name] of [
      [TIMESTREAM_LOGICAL_IDS.eventsTable, 'events'],
      [TIMESTREAM_LOGICAL_IDS.sessionsTable, 'sessions'],
    ] as const) {
      expect(r[id]).toMatchObject({
        Type: 'AWS::Timestream::Table',
        DeletionPolicy: 'Retain',
        Properties: {
          DatabaseName: { Ref: TIMESTREAM_LOGICAL_IDS.database },
          TableName: name,
          RetentionProperties: {
            MemoryStoreRetentionPeriodInHours: '12',
            MagneticStoreRetentionPeriodInDays: '180',
          },
          MagneticStoreWriteProperties: {
            EnableMagneticStoreWrites: true,
            MagneticStoreRejectedDataLocation: {
              S3Configuration: {
                BucketName: { Ref: TIMESTREAM_LOGICAL_IDS.rejectedBucket },
                EncryptionOption: 'SSE_S3',
                ObjectKeyPrefix: `${name}/`,
              },
            },
          },
        },
      });
    }
  });

  it('keeps Timestream out of the data stack, so its failure cannot roll back the table', () => {
    expect(JSON.stringify(vigil.template('data').toJSON())).not.toContain('AWS::Timestream');
  });
});
