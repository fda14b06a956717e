import { createHash } from 'node:crypto';
import { validationError } from '../../domain/errors';

/**
 * The single Vigil table. Plain data, so the same definition feeds a CreateTable call (tests, scripts)
 * and the CDK data stack.
 *
 * Items (pk / sk):
 *   session       S#<agent>#<session>   / SESSION        totals, settlement, fold markers
 *   event chunk   S#<agent>#<session>   / C#<seq>        the events one insertNew call stored for the
 *                                                        session (one fold), deflated together in one
 *                                                        Binary; seq 0, 1, 2… (see event-store.ts)
 *   session owner L#<session>           / L              first agent that used a session id
 *   pending fold  P#<hash(fold) mod 8>  / F#<foldId>     a fold not yet applied: its session (its events
 *                                                        are the session's chunks carrying its fold id);
 *                                                        deleted when the fold is done (the reconcile queue)
 *   rollup        R#<agent>#<0|1>       / <slice>#<hour> counters, sketch bins, fold markers
 *   tag values    T#<agent>             / <tag key>      string set of admitted values
 *   api key       KEYS                  / H#<sha256>     the record;  KEYS / I#<keyId> → its hash
 *   agent         AGENTS                / <agentId>
 *   alerts        BL#…, ARULES, CHANNELS, IN#…, AS#… (baselines, rules, channels, incidents, alert
 *                 states; open incidents on gsi1 IO / <agent>#<incidentId>): see alert-stores.ts
 *
 * Both GSIs are sparse, KEYS_ONLY and overloaded; readers fetch the items they point to with a
 * consistent BatchGetItem. KEYS_ONLY matters for cost: an update that changes neither index key nor a
 * projected attribute writes nothing to the index, so the hot writes (rollup ADDs, session totals)
 * pay for the index only when an item is created or its index key moves.
 *   gsi1 — ordered listings:
 *     sessions by start   SA#<agent>                  / <startedAt>#<sessionId>
 *     rollups by hour     RS#<agent>#<0|1>#<family>   / <hour>#<slice>   (family = slice up to ':')
 *   gsi2 — work queues (items leave when the work is done):
 *     unsettled sessions  U#<shard>                   / <updatedAt>
 * Event chunks have no index entry (each would cost write units): a session's events are read from its
 * partition and ordered in memory.
 */
export const VIGIL_TABLE_SCHEMA = {
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

export type VigilTableSchema = typeof VIGIL_TABLE_SCHEMA;

/** Input for CreateTable (the SDK's shape), from VIGIL_TABLE_SCHEMA. */
export function createTableInput(tableName: string) {
  const s = VIGIL_TABLE_SCHEMA;
  const attrs = new Map<string, string>();
  for (const k of [
    s.partitionKey,
    s.sortKey,
    ...s.globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey]),
  ]) {
    attrs.set(k.name, k.type);
  }
  return {
    TableName: tableName,
    BillingMode: s.billingMode,
    AttributeDefinitions: [...attrs].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType: AttributeType as 'S',
    })),
    KeySchema: [
      { AttributeName: s.partitionKey.name, KeyType: 'HASH' as const },
      { AttributeName: s.sortKey.name, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: s.globalSecondaryIndexes.map((g) => ({
      IndexName: g.indexName,
      KeySchema: [
        { AttributeName: g.partitionKey.name, KeyType: 'HASH' as const },
        { AttributeName: g.sortKey.name, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: g.projectionType },
    })),
  };
}

/** Work-queue partitions per queue: spreads index writes; a reader queries each shard. */
export const QUEUE_SHARDS = 8;

/**
 * Key parts are user-chosen strings joined with '#'. Escaping '%' and '#' keeps them unambiguous and is
 * prefix-preserving (esc(a + b) = esc(a) + esc(b)), so begins_with on an escaped prefix stays exact.
 */
export const esc = (s: string): string => s.replaceAll('%', '%25').replaceAll('#', '%23');
export const unesc = (s: string): string => s.replaceAll('%23', '#').replaceAll('%25', '%');

/** Fixed-width, order-preserving text for a time in ms (to the nanosecond); negatives sort first. */
export function encTime(ms: number, field = 'time'): string {
  if (!Number.isFinite(ms) || Math.abs(ms) >= 1e15)
    throw validationError(field, 'must be epoch ms within ±1e15');
  return ms >= 0 ? ms.toFixed(6).padStart(24, '0') : `-${(1e15 + ms).toFixed(6).padStart(23, '0')}`;
}

/** A query bound as key text: bounds past the encodable range (e.g. Infinity) clamp to its edge. */
export function encTimeBound(ms: number): string {
  if (Number.isNaN(ms)) throw validationError('time', 'must be a number');
  return encTime(Math.min(Math.max(ms, -MAX_TIME), MAX_TIME));
}
const MAX_TIME = 1e15 - 1;

/** Fixed-width, order-preserving text for an epoch hour. */
export function encHour(hour: number): string {
  if (!Number.isInteger(hour) || Math.abs(hour) >= 1e9)
    throw validationError('hour', 'must be an integer epoch hour');
  return hour >= 0 ? String(hour).padStart(10, '0') : `-${String(1e9 + hour).padStart(9, '0')}`;
}

export function shardOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) % QUEUE_SHARDS;
}

/** Sort-key prefix of a session's event chunks. */
export const EVENT_CHUNK_PREFIX = 'C#';
const CHUNK_SEQ_DIGITS = 8;

export const keys = {
  session: (agentId: string, sessionId: string) => ({
    pk: `S#${esc(agentId)}#${esc(sessionId)}`,
    sk: 'SESSION',
  }),
  /** Chunk `seq` of a session's events (see event-store.ts): C# + the sequence number, zero-padded. */
  eventChunk: (agentId: string, sessionId: string, seq: number) => {
    if (!Number.isSafeInteger(seq) || seq < 0 || seq >= 10 ** CHUNK_SEQ_DIGITS)
      throw new RangeError(`event chunk sequence ${seq} out of range`);
    return {
      pk: `S#${esc(agentId)}#${esc(sessionId)}`,
      sk: `${EVENT_CHUNK_PREFIX}${String(seq).padStart(CHUNK_SEQ_DIGITS, '0')}`,
    };
  },
  locator: (sessionId: string) => ({ pk: `L#${esc(sessionId)}`, sk: 'L' }),
  pendingFold: (foldId: string) => ({ pk: `P#${shardOf(foldId)}`, sk: `F#${foldId}` }),
  rollupPartition: (agentId: string, production: boolean) => `R#${esc(agentId)}#${production ? 1 : 0}`,
  rollup: (agentId: string, production: boolean, slice: string, hour: number) => ({
    pk: keys.rollupPartition(agentId, production),
    sk: `${esc(slice)}#${encHour(hour)}`,
  }),
  tagValues: (agentId: string, tagKey: string) => ({ pk: `T#${esc(agentId)}`, sk: tagKey }),
  apiKey: (hash: string) => ({ pk: 'KEYS', sk: `H#${hash}` }),
  apiKeyId: (keyId: string) => ({ pk: 'KEYS', sk: `I#${keyId}` }),
  agent: (agentId: string) => ({ pk: 'AGENTS', sk: agentId }),
};

/** Index keys (gsi1 = ordered listings, gsi2 = work queues). */
export const indexKeys = {
  sessionsOf: (agentId: string) => `SA#${esc(agentId)}`,
  sessionOrder: (startedAt: number, sessionId: string) => `${encTime(startedAt, 'startedAt')}#${sessionId}`,
  sliceFamily: (sliceOrPrefix: string) => {
    const i = sliceOrPrefix.indexOf(':');
    return i < 0 ? sliceOrPrefix : sliceOrPrefix.slice(0, i);
  },
  rollupsOf: (agentId: string, production: boolean, family: string) =>
    `RS#${esc(agentId)}#${production ? 1 : 0}#${esc(family)}`,
  rollupOrder: (hour: number, slice: string) => `${encHour(hour)}#${slice}`,
  unsettledShard: (agentId: string, sessionId: string) => `U#${shardOf(`${agentId}\u0000${sessionId}`)}`,
};

/** An hour bound clamped into the encodable range. */
export const clampHour = (hour: number): number => Math.min(Math.max(Math.floor(hour), -MAX_HOUR), MAX_HOUR);
const MAX_HOUR = 1e9 - 1;

export const SHARD_IDS = Array.from({ length: QUEUE_SHARDS }, (_, i) => i);
