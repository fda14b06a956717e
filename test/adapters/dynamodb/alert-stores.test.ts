import { afterAll, beforeAll } from 'vitest';
import { createDynamoDbAlertStores } from '../../../lambdas/adapters/dynamodb/alert-stores';
import { type Dynalite, startDynalite } from '../../helpers/dynalite';
import {
  describeAlertRuleStoreContract,
  describeBaselineStoreContract,
  describeChannelStoreContract,
  describeIncidentStoreContract,
} from '../contracts/alert-stores.contract';

let dynamo: Dynalite;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

async function fresh() {
  const tableName = await dynamo.createTable();
  return {
    alerts: createDynamoDbAlertStores({ client: dynamo.client, tableName }),
    cleanup: () => dynamo.deleteTable(tableName),
  };
}

describeBaselineStoreContract('DynamoDbBaselineStore on dynalite', async () => {
  const { alerts, cleanup } = await fresh();
  return { store: alerts.baselines, cleanup };
});
describeAlertRuleStoreContract('DynamoDbAlertRuleStore on dynalite', async () => {
  const { alerts, cleanup } = await fresh();
  return { store: alerts.rules, cleanup };
});
describeChannelStoreContract('DynamoDbChannelStore on dynalite', async () => {
  const { alerts, cleanup } = await fresh();
  return { store: alerts.channels, cleanup };
});
describeIncidentStoreContract('DynamoDbIncidentStore on dynalite', async () => {
  const { alerts, cleanup } = await fresh();
  return { store: alerts.incidents, cleanup };
});
