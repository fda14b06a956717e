import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashKey } from '../../lambdas/domain/keys';
import { BootstrapError, bootstrap } from '../../scripts/bootstrap';

const DATA_OUTPUTS = [
  { OutputKey: 'TableName', OutputValue: 'Vigil-prod-Data-VigilTable-ABC' },
  { OutputKey: 'UserPoolId', OutputValue: 'eu-west-1_Pool' },
  { OutputKey: 'UserPoolClientId', OutputValue: 'client' },
  { OutputKey: 'AdminGroupName', OutputValue: 'vigil-admins' },
];

describe('scripts/bootstrap.ts', () => {
  const cfn = mockClient(CloudFormationClient);
  const cognito = mockClient(CognitoIdentityProviderClient);
  const dynamo = mockClient(DynamoDBClient);
  const clients = () => ({
    cloudformation: new CloudFormationClient({ region: 'eu-west-1' }),
    cognito: new CognitoIdentityProviderClient({ region: 'eu-west-1' }),
    dynamodb: new DynamoDBClient({ region: 'eu-west-1' }),
  });

  beforeEach(() => {
    cfn.reset();
    cognito.reset();
    dynamo.reset();
    cfn.on(DescribeStacksCommand, { StackName: 'Vigil-prod-Data' }).resolves({
      Stacks: [
        {
          StackName: 'Vigil-prod-Data',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: DATA_OUTPUTS,
        },
      ],
    });
    cfn.on(DescribeStacksCommand, { StackName: 'Vigil-prod-Dashboard' }).resolves({
      Stacks: [
        {
          StackName: 'Vigil-prod-Dashboard',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [{ OutputKey: 'DashboardUrl', OutputValue: 'https://d1.cloudfront.net' }],
        },
      ],
    });
    dynamo.on(PutItemCommand).resolves({});
    cognito.on(AdminCreateUserCommand).resolves({});
    cognito.on(AdminAddUserToGroupCommand).resolves({});
  });
  afterEach(() => {
    cfn.reset();
    cognito.reset();
    dynamo.reset();
  });

  it('creates a hashed admin key in the stack’s table and the first dashboard user in its pool', async () => {
    // Act
    const result = await bootstrap(
      { stack: 'Vigil-prod-Data', email: 'ops@example.com' },
      clients(),
      () => 1_700_000_000_000,
    );
    // Assess: CloudFormation
    expect(cfn.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([
      { StackName: 'Vigil-prod-Data' },
      { StackName: 'Vigil-prod-Dashboard' },
    ]);
    // DynamoDB: the key record (hash only) then the id → hash pointer
    const puts = dynamo.commandCalls(PutItemCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(2);
    expect(puts[0]).toMatchObject({
      TableName: 'Vigil-prod-Data-VigilTable-ABC',
      Item: {
        pk: { S: 'KEYS' },
        sk: { S: `H#${hashKey(result.key)}` },
        keyId: { S: result.keyId },
        name: { S: 'bootstrap-admin' },
        scopes: { L: [{ S: 'admin' }] },
        createdAt: { N: '1700000000000' },
      },
    });
    expect(JSON.stringify(puts)).not.toContain(result.key);
    expect(puts[1]).toMatchObject({
      TableName: 'Vigil-prod-Data-VigilTable-ABC',
      Item: { pk: { S: 'KEYS' }, sk: { S: `I#${result.keyId}` }, hash: { S: hashKey(result.key) } },
    });
    // Cognito: exactly these two calls
    expect(cognito.commandCalls(AdminCreateUserCommand).map((c) => c.args[0].input)).toEqual([
      {
        UserPoolId: 'eu-west-1_Pool',
        Username: 'ops@example.com',
        UserAttributes: [
          { Name: 'email', Value: 'ops@example.com' },
          { Name: 'email_verified', Value: 'true' },
        ],
        DesiredDeliveryMediums: ['EMAIL'],
      },
    ]);
    expect(cognito.commandCalls(AdminAddUserToGroupCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: 'eu-west-1_Pool', Username: 'ops@example.com', GroupName: 'vigil-admins' },
    ]);
    expect(result).toMatchObject({
      tableName: 'Vigil-prod-Data-VigilTable-ABC',
      user: { email: 'ops@example.com', created: true, group: 'vigil-admins' },
      dashboard: { DashboardUrl: 'https://d1.cloudfront.net' },
    });
    expect(result.key).toMatch(/^vgl_[A-Za-z0-9_-]{43}$/);
  });

  it('keeps an existing user and only adds it to the admins group', async () => {
    // Prepare
    cognito
      .on(AdminCreateUserCommand)
      .rejects(Object.assign(new Error('User account already exists'), { name: 'UsernameExistsException' }));
    // Act
    const result = await bootstrap({ stack: 'Vigil-prod-Data', email: 'ops@example.com' }, clients());
    // Assess
    expect(result.user).toEqual({ email: 'ops@example.com', created: false, group: 'vigil-admins' });
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(1);
  });

  it('creates only the key without --email', async () => {
    await bootstrap({ stack: 'Vigil-prod-Data', keyName: 'ci' }, clients());
    expect(cognito.calls()).toHaveLength(0);
    expect(dynamo.commandCalls(PutItemCommand)[0]!.args[0].input.Item!.name).toEqual({ S: 'ci' });
  });

  it('says what to do when the stack is not deployed in that region', async () => {
    // Prepare
    cfn
      .on(DescribeStacksCommand, { StackName: 'Vigil-dev-Data' })
      .rejects(
        Object.assign(new Error('Stack with id Vigil-dev-Data does not exist'), { name: 'ValidationError' }),
      );
    // Act / Assess
    await expect(bootstrap({ stack: 'Vigil-dev-Data' }, clients())).rejects.toThrow(BootstrapError);
    await expect(bootstrap({ stack: 'Vigil-dev-Data' }, clients())).rejects.toThrow(/deploy first/);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('refuses a stack that is not a Vigil data stack', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'Other' }).resolves({
      Stacks: [{ StackName: 'Other', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [] }],
    });
    await expect(bootstrap({ stack: 'Other' }, clients())).rejects.toThrow(/has no output TableName/);
  });
});
