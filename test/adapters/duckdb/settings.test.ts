import { openDuckDbStores } from '../../../lambdas/adapters/duckdb';
import { DuckDbSettingsStore } from '../../../lambdas/adapters/duckdb/settings-store';
import { describeSettingsStoreContract } from '../contracts/settings-store.contract';

describeSettingsStoreContract('DuckDbSettingsStore', async () => {
  const stores = await openDuckDbStores(':memory:');
  return { store: new DuckDbSettingsStore(stores.db), cleanup: () => stores.db.close() };
});
