import { afterAll, beforeAll } from 'vitest';
import { DynamoDbKeyStore } from '../../../lambdas/adapters/dynamodb/key-store';
import { type Dynalite, startDynalite } from '../../helpers/dynalite';
import { describeKeyStoreContract } from '../contracts/key-store.contract';

let dynamo: Dynalite;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

describeKeyStoreContract('DynamoDbKeyStore on dynalite', async () => {
  const tableName = await dynamo.createTable();
  return {
    store: new DynamoDbKeyStore({ client: dynamo.client, tableName }),
    cleanup: () => dynamo.deleteTable(tableName),
  };
});
