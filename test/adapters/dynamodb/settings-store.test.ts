import { afterAll, beforeAll } from 'vitest';
import { DynamoDbSettingsStore } from '../../../lambdas/adapters/dynamodb/settings-store';
import { type Dynalite, startDynalite } from '../../helpers/dynalite';
import { describeSettingsStoreContract } from '../contracts/settings-store.contract';

let dynamo: Dynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

describeSettingsStoreContract('DynamoDbSettingsStore on dynalite', async () => {
  const tableName = await dynamo.createTable();
  return {
    store: new DynamoDbSettingsStore({ client: dynamo.client, tableName }),
    cleanup: () => dynamo.deleteTable(tableName),
  };
});
