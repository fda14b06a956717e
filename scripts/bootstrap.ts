/**
 * `npm run bootstrap -- --stack Vigil-prod-Data --region eu-west-1 --email you@example.com`
 *
 * First run after `cdk deploy --all`, with your own AWS credentials (profile, SSO or env):
 * 1. reads the data stack's outputs (CloudFormation DescribeStacks): table, user pool, admins group;
 * 2. creates an admin API key directly in the table (only its hash is stored; the key is printed once);
 * 3. with --email, creates the first dashboard user (Cognito AdminCreateUser: Cognito emails a
 *    temporary password) and adds it to the admins group.
 * Running it again creates another key; an existing user is kept and only (re)added to the group.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbKeyStore } from '../lambdas/adapters/dynamodb/key-store';
import { createKey } from '../lambdas/domain/keys';

const USAGE = `usage: npm run bootstrap -- (--stack <data stack> | --stage <stage>) [--region <region>]
                             [--email <first dashboard user>] [--name <key name>]
  --stack   the data stack, e.g. Vigil-prod-Data (the FirstRunCommand output names it)
  --stage   shorthand for --stack Vigil-<stage>-Data
  --region  the stack's region (default: AWS_REGION / your profile's region)
  --email   create this dashboard user (Cognito emails a temporary password)
  --name    name of the admin key (default: bootstrap-admin)`;

export interface BootstrapOptions {
  /** The data stack's name (Vigil-<stage>-Data). */
  stack: string;
  email?: string;
  /** @default 'bootstrap-admin' */
  keyName?: string;
}

export interface BootstrapClients {
  cloudformation: CloudFormationClient;
  dynamodb: DynamoDBClient;
  cognito: CognitoIdentityProviderClient;
}

export interface BootstrapResult {
  key: string;
  keyId: string;
  tableName: string;
  user?: { email: string; created: boolean; group: string };
  /** First-run outputs of the dashboard stack, when it is deployed. */
  dashboard?: Record<string, string>;
}

export class BootstrapError extends Error {}

/** A stack's outputs by key; null when the stack does not exist. */
export async function stackOutputs(
  cloudformation: CloudFormationClient,
  stackName: string,
): Promise<Record<string, string> | null> {
  let out: DescribeStacksCommandOutput;
  try {
    out = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (e) {
    // DescribeStacks answers a missing stack with ValidationError "Stack with id … does not exist".
    if ((e as Error).name === 'ValidationError' && /does not exist/.test((e as Error).message)) return null;
    throw e;
  }
  const stack = out.Stacks?.[0];
  if (!stack) return null;
  return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
}

const required = (outputs: Record<string, string>, key: string, stack: string): string => {
  const v = outputs[key];
  if (!v) throw new BootstrapError(`stack ${stack} has no output ${key}: is it a Vigil data stack?`);
  return v;
};

export async function bootstrap(
  options: BootstrapOptions,
  clients: BootstrapClients,
  now: () => number = Date.now,
): Promise<BootstrapResult> {
  const outputs = await stackOutputs(clients.cloudformation, options.stack);
  if (!outputs) {
    throw new BootstrapError(
      `stack ${options.stack} not found in this account/region: deploy first (npx cdk deploy --all) or pass --region`,
    );
  }
  const tableName = required(outputs, 'TableName', options.stack);
  const userPoolId = required(outputs, 'UserPoolId', options.stack);
  const group = required(outputs, 'AdminGroupName', options.stack);

  const keys = new DynamoDbKeyStore({ client: clients.dynamodb, tableName });
  const { key, record } = await createKey(
    keys,
    { name: options.keyName ?? 'bootstrap-admin', scopes: ['admin'], agents: '*' },
    now(),
  );

  let user: BootstrapResult['user'];
  if (options.email) {
    let created = true;
    try {
      await clients.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: options.email,
          UserAttributes: [
            { Name: 'email', Value: options.email },
            { Name: 'email_verified', Value: 'true' },
          ],
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
    } catch (e) {
      if ((e as Error).name !== 'UsernameExistsException') throw e;
      created = false;
    }
    await clients.cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: options.email, GroupName: group }),
    );
    user = { email: options.email, created, group };
  }

  const dashboardStack = options.stack.replace(/-Data$/, '-Dashboard');
  const dashboard =
    dashboardStack !== options.stack
      ? ((await stackOutputs(clients.cloudformation, dashboardStack)) ?? undefined)
      : undefined;
  return { key, keyId: record.keyId, tableName, user, dashboard };
}

function report(result: BootstrapResult): string {
  const lines = [
    `Admin API key (${result.keyId}), shown once — store it now:`,
    '',
    `  ${result.key}`,
    '',
    'Use it as "Authorization: Api-Key <key>" (scripts, the keys API) or LUCIDIC_API_KEY; create',
    'narrower keys with POST /api/admin/keys.',
  ];
  if (result.user) {
    lines.push(
      '',
      result.user.created
        ? `Dashboard user ${result.user.email} created: Cognito has emailed a temporary password.`
        : `Dashboard user ${result.user.email} already existed; it is in the ${result.user.group} group.`,
    );
  }
  const d = result.dashboard;
  if (d) {
    lines.push('');
    if (d.DashboardUrl) lines.push(`Dashboard:        ${d.DashboardUrl}`);
    if (d.LucidicBaseUrl) lines.push(`Lucidic SDKs:     LUCIDIC_BASE_URL=${d.LucidicBaseUrl}`);
    if (d.OtlpTracesEndpoint)
      lines.push(`OpenTelemetry:    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=${d.OtlpTracesEndpoint}`);
    if (d.IngestBaseUrl) lines.push(`Vigil batch API:  POST ${d.IngestBaseUrl}api/v1/batch`);
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  let values: { stack?: string; stage?: string; region?: string; email?: string; name?: string };
  try {
    ({ values } = parseArgs({
      options: {
        stack: { type: 'string' },
        stage: { type: 'string' },
        region: { type: 'string' },
        email: { type: 'string' },
        name: { type: 'string' },
      },
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const stack = values.stack ?? (values.stage ? `Vigil-${values.stage}-Data` : undefined);
  if (!stack) {
    console.error(USAGE);
    return 2;
  }
  const config = values.region ? { region: values.region } : {};
  const clients: BootstrapClients = {
    cloudformation: new CloudFormationClient(config),
    dynamodb: new DynamoDBClient(config),
    cognito: new CognitoIdentityProviderClient(config),
  };
  try {
    console.log(report(await bootstrap({ stack, email: values.email, keyName: values.name }, clients)));
    return 0;
  } catch (e) {
    console.error(`bootstrap failed: ${(e as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
