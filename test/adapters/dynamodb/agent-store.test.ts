import { afterAll, beforeAll } from 'vitest';
import { DynamoDbAgentStore } from '../../../lambdas/adapters/dynamodb/agent-store';
import { type Dynalite, startDynalite } from '../../helpers/dynalite';
import { describeAgentStoreContract } from '../contracts/agent-store.contract';

let dynamo: Dynalite;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

describeAgentStoreContract('DynamoDbAgentStore on dynalite', async () => {
  const tableName = await dynamo.createTable();
  return {
    store: new DynamoDbAgentStore({ client: dynamo.client, tableName }),
    cleanup: () => dynamo.deleteTable(tableName),
  };
});
