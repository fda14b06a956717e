/**
 * The single Vigil table, as the data stack creates it. This copies VIGIL_TABLE_SCHEMA from
 * lambdas/adapters/dynamodb/table.ts (infra refers to the Lambdas by entry path, never by import);
 * test/infra/table-schema.test.ts fails the build when the two drift apart.
 */
export const TABLE_SCHEMA = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  billingMode: 'PAY_PER_REQUEST',
  globalSecondaryIndexes: [
    {
      indexName: 'gsi1',
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
      projectionType: 'KEYS_ONLY',
    },
    {
      indexName: 'gsi2',
      partitionKey: { name: 'gsi2pk', type: 'S' },
      sortKey: { name: 'gsi2sk', type: 'S' },
      projectionType: 'KEYS_ONLY',
    },
  ],
} as const;

/**
 * DynamoDB deletes an item some time (typically within two days) after the epoch-seconds value in
 * this attribute. The writers set it from VIGIL_RETENTION_DAYS; items without it are kept.
 */
export const TTL_ATTRIBUTE = 'expiresAt';

/** Key prefix of every object the Lambdas write to the payload bucket (see payloadKey in the domain). */
export const PAYLOAD_PREFIX = 'payloads/';
