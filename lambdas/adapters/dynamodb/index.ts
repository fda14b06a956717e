import { DynamoDbAgentStore } from './agent-store';
import type { DynamoDbStoreOptions } from './client';
import { DynamoDbEventStore } from './event-store';
import { DynamoDbKeyStore } from './key-store';
import { DynamoDbRollupStore } from './rollup-store';
import { DynamoDbSessionStore } from './session-store';

export type { DynamoDbStoreOptions } from './client';
export { createTableInput, VIGIL_TABLE_SCHEMA } from './table';

export interface DynamoDbStores {
  sessions: DynamoDbSessionStore;
  events: DynamoDbEventStore;
  rollups: DynamoDbRollupStore;
  keys: DynamoDbKeyStore;
  agents: DynamoDbAgentStore;
}

/** Every storage port on the one Vigil table. */
export function createDynamoDbStores(options: DynamoDbStoreOptions): DynamoDbStores {
  return {
    sessions: new DynamoDbSessionStore(options),
    events: new DynamoDbEventStore(options),
    rollups: new DynamoDbRollupStore(options),
    keys: new DynamoDbKeyStore(options),
    agents: new DynamoDbAgentStore(options),
  };
}
