import { afterAll, beforeAll } from 'vitest';
import { DynamoDbRollupStore } from '../../../lambdas/adapters/dynamodb/rollup-store';
import { type Dynalite, startDynalite } from '../../helpers/dynalite';
import { describeRollupStoreContract } from '../contracts/rollup-store.contract';

let dynamo: Dynalite;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

for (const sketchFormat of ['packed', 'bins'] as const) {
  describeRollupStoreContract(`DynamoDbRollupStore on dynalite (${sketchFormat} sketches)`, async () => {
    const tableName = await dynamo.createTable();
    return {
      store: new DynamoDbRollupStore({ client: dynamo.client, tableName, sketchFormat }),
      cleanup: () => dynamo.deleteTable(tableName),
    };
  });
}
