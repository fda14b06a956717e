import { afterAll, beforeAll } from 'vitest';
import { DynamoDbSessionStore } from '../../../lambdas/adapters/dynamodb/session-store';
import { type Dynalite, startDynalite } from '../../helpers/dynalite';
import { describeSessionStoreContract } from '../contracts/session-store.contract';

let dynamo: Dynalite;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

describeSessionStoreContract('DynamoDbSessionStore on dynalite', async () => {
  const tableName = await dynamo.createTable();
  return {
    store: new DynamoDbSessionStore({ client: dynamo.client, tableName }),
    cleanup: () => dynamo.deleteTable(tableName),
  };
});
