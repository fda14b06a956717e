import { openDuckDbStores } from '../../../lambdas/adapters/duckdb';
import { describeAgentStoreContract } from '../contracts/agent-store.contract';
import { describeEventStoreContract } from '../contracts/event-store.contract';
import { describeKeyStoreContract } from '../contracts/key-store.contract';
import { describeRollupStoreContract } from '../contracts/rollup-store.contract';
import { describeSessionStoreContract } from '../contracts/session-store.contract';

/** The same port contract suites the DynamoDB adapters pass, against the embedded DuckDB store. */
async function fresh() {
  const stores = await openDuckDbStores(':memory:');
  return { stores, cleanup: () => stores.db.close() };
}

describeSessionStoreContract('DuckDbSessionStore', async () => {
  const { stores, cleanup } = await fresh();
  return { store: stores.sessions, cleanup };
});
describeEventStoreContract('DuckDbEventStore', async () => {
  const { stores, cleanup } = await fresh();
  return { store: stores.events, cleanup };
});
describeRollupStoreContract('DuckDbRollupStore', async () => {
  const { stores, cleanup } = await fresh();
  return { store: stores.rollups, cleanup };
});
describeKeyStoreContract('DuckDbKeyStore', async () => {
  const { stores, cleanup } = await fresh();
  return { store: stores.keys, cleanup };
});
describeAgentStoreContract('DuckDbAgentStore', async () => {
  const { stores, cleanup } = await fresh();
  return { store: stores.agents, cleanup };
});
