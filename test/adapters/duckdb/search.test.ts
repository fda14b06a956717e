import { openDuckDbStores } from '../../../lambdas/adapters/duckdb';
import { describeSearchContract } from '../contracts/search.contract';

/** The search ports contract on the embedded DuckDB store. */
describeSearchContract('DuckDB', async () => {
  const stores = await openDuckDbStores(':memory:');
  return { sessions: stores.sessions, events: stores.events, cleanup: () => stores.db.close() };
});
