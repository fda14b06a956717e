import { DynamoDbAgentStore } from './agent-store';
import type { DynamoDbStoreOptions } from './client';
import { DynamoDbEventStore } from './event-store';
import { DynamoDbKeyStore } from './key-store';
import { DynamoDbRollupQueue } from './rollup-queue';
import { DynamoDbRollupStore } from './rollup-store';
import { DynamoDbSessionStore } from './session-store';

export type { DynamoDbStoreOptions } from './client';
export { createTableInput, VIGIL_TABLE_SCHEMA } from './table';

export interface DynamoDbStores {
  sessions: DynamoDbSessionStore;
  events: DynamoDbEventStore;
  rollups: DynamoDbRollupStore;
  /** Folds queue their event-level rollup deltas; the reconcile job writes them in batches. */
  rollupQueue: DynamoDbRollupQueue;
  keys: DynamoDbKeyStore;
  agents: DynamoDbAgentStore;
}

/** Every storage port on the one Vigil table. */
export function createDynamoDbStores(options: DynamoDbStoreOptions): DynamoDbStores {
  return {
    sessions: new DynamoDbSessionStore(options),
    events: new DynamoDbEventStore(options),
    rollups: new DynamoDbRollupStore(options),
    rollupQueue: new DynamoDbRollupQueue(options),
    keys: new DynamoDbKeyStore(options),
    agents: new DynamoDbAgentStore(options),
  };
}
