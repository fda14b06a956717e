import { afterAll, beforeAll } from 'vitest';
import { DynamoDbEventStore } from '../../../lambdas/adapters/dynamodb/event-store';
import { type Dynalite, startDynalite } from '../../helpers/dynalite';
import { describeEventStoreContract } from '../contracts/event-store.contract';

let dynamo: Dynalite;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

describeEventStoreContract('DynamoDbEventStore on dynalite', async () => {
  const tableName = await dynamo.createTable();
  return {
    store: new DynamoDbEventStore({ client: dynamo.client, tableName }),
    cleanup: () => dynamo.deleteTable(tableName),
  };
});
