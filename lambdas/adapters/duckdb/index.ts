import { DuckDbAgentStore } from './agent-store';
import { DuckDbDatabase } from './database';
import { DuckDbEventStore } from './event-store';
import { DuckDbKeyStore } from './key-store';
import { DuckDbRollupStore } from './rollup-store';
import { DuckDbSessionStore } from './session-store';

export interface DuckDbStores {
  db: DuckDbDatabase;
  sessions: DuckDbSessionStore;
  events: DuckDbEventStore;
  rollups: DuckDbRollupStore;
  keys: DuckDbKeyStore;
  agents: DuckDbAgentStore;
}

/** Every port on one DuckDB file (the embedded runtime's store). */
export async function openDuckDbStores(path: string): Promise<DuckDbStores> {
  const db = await DuckDbDatabase.open(path);
  return {
    db,
    sessions: new DuckDbSessionStore(db),
    events: new DuckDbEventStore(db),
    rollups: new DuckDbRollupStore(db),
    keys: new DuckDbKeyStore(db),
    agents: new DuckDbAgentStore(db),
  };
}
