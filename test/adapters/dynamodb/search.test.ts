import { afterAll, beforeAll } from 'vitest';
import { DynamoDbEventStore } from '../../../lambdas/adapters/dynamodb/event-store';
import { DynamoDbSessionStore } from '../../../lambdas/adapters/dynamodb/session-store';
import { type Dynalite, startDynalite } from '../../helpers/dynalite';
import { describeSearchContract } from '../contracts/search.contract';

let dynamo: Dynalite;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

describeSearchContract('DynamoDB on dynalite', async () => {
  const tableName = await dynamo.createTable();
  const options = { client: dynamo.client, tableName };
  return {
    sessions: new DynamoDbSessionStore(options),
    events: new DynamoDbEventStore(options),
    cleanup: () => dynamo.deleteTable(tableName),
  };
});
