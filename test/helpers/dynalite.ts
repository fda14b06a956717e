import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createTableInput } from '../../lambdas/adapters/dynamodb/table';

export interface Dynalite {
  endpoint: string;
  client: DynamoDBClient;
  /** Creates a fresh, uniquely named Vigil table and returns its name. */
  createTable(): Promise<string>;
  deleteTable(tableName: string): Promise<void>;
  stop(): Promise<void>;
}

export const dynamoClient = (
  endpoint: string,
  extra: Partial<ConstructorParameters<typeof DynamoDBClient>[0]> = {},
) =>
  new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    ...extra,
  });

/**
 * A client on `endpoint` that reports every command it sends: the operation ('GetItem', 'Query', …) and
 * its input, before it goes out (for least-privilege checks and write counts).
 */
export function recordingClient(
  endpoint: string,
  record: (operation: string, input: Record<string, unknown>) => void,
): DynamoDBClient {
  const client = dynamoClient(endpoint);
  client.middlewareStack.add(
    (next, context) => (args) => {
      record(String(context.commandName).replace(/Command$/, ''), args.input as Record<string, unknown>);
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return client;
}

/** An in-memory DynamoDB on a loopback port (one per test file). */
export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = dynamoClient(endpoint);
  return {
    endpoint,
    client,
    async createTable() {
      const tableName = `vigil-test-${randomUUID()}`;
      await client.send(new CreateTableCommand(createTableInput(tableName)));
      // dynalite answers CreateTable while the table is CREATING and turns it ACTIVE on a later tick; on
      // a loaded machine a test's first write could otherwise meet ResourceNotFoundException.
      for (let attempt = 0; ; attempt++) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
        const indexes = Table?.GlobalSecondaryIndexes ?? [];
        if (Table?.TableStatus === 'ACTIVE' && indexes.every((i) => i.IndexStatus === 'ACTIVE')) break;
        if (attempt > 1000) throw new Error(`table ${tableName} did not become ACTIVE`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return tableName;
    },
    async deleteTable(tableName) {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
    },
    async stop() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
