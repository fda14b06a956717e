import { openDuckDbStores } from '../../../lambdas/adapters/duckdb';
import { createDuckDbAlertStores } from '../../../lambdas/adapters/duckdb/alert-stores';
import {
  describeAlertRuleStoreContract,
  describeBaselineStoreContract,
  describeChannelStoreContract,
  describeIncidentStoreContract,
} from '../contracts/alert-stores.contract';

/** The alert port contracts against the embedded DuckDB store (tables created on first use). */
async function fresh() {
  const stores = await openDuckDbStores(':memory:');
  return { alerts: createDuckDbAlertStores(stores.db), cleanup: () => stores.db.close() };
}

describeBaselineStoreContract('DuckDbBaselineStore', async () => {
  const { alerts, cleanup } = await fresh();
  return { store: alerts.baselines, cleanup };
});
describeAlertRuleStoreContract('DuckDbAlertRuleStore', async () => {
  const { alerts, cleanup } = await fresh();
  return { store: alerts.rules, cleanup };
});
describeChannelStoreContract('DuckDbChannelStore', async () => {
  const { alerts, cleanup } = await fresh();
  return { store: alerts.channels, cleanup };
});
describeIncidentStoreContract('DuckDbIncidentStore', async () => {
  const { alerts, cleanup } = await fresh();
  return { store: alerts.incidents, cleanup };
});
