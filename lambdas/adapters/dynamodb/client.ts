import {
  type AttributeValue,
  BatchGetItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
  type QueryCommandInput,
  type ReturnValue,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DomainError, validationError } from '../../domain/errors';
import { isConditionFailed, translateError } from './errors';
import { type Item, keyItem } from './items';
import { SHARD_IDS } from './table';

/** How every DynamoDB adapter is built. */
export interface DynamoDbStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /**
   * Days to keep sessions and events: their items get `expiresAt` (epoch seconds) for DynamoDB TTL.
   * Rollups, keys and settings never expire. @default undefined (kept forever)
   */
  retentionDays?: number;
  /**
   * Days to keep event detail (the event chunks), when it should go sooner than the sessions: chunks
   * then expire by this instead of `retentionDays`. Events are most of the table's bytes.
   * @default undefined (events follow `retentionDays`)
   */
  eventRetentionDays?: number;
}

/** The TTL attribute value for an item whose life starts at `startedAtMs`, or null without retention. */
export function expiresAt(options: DynamoDbStoreOptions, startedAtMs: number): number | null {
  return ttlAfter(options.retentionDays, startedAtMs);
}

/** The TTL attribute value of event detail that started at `startedAtMs` (eventRetentionDays first). */
export function eventExpiresAt(options: DynamoDbStoreOptions, startedAtMs: number): number | null {
  return ttlAfter(options.eventRetentionDays ?? options.retentionDays, startedAtMs);
}

const ttlAfter = (days: number | undefined, startedAtMs: number): number | null =>
  days ? Math.floor(startedAtMs / 1000) + days * 86_400 : null;

/** Independent writes in flight at once per call (one UpdateItem per rollup key, per event…). */
export const WRITE_CONCURRENCY = 16;

/** Expression placeholders: any attribute name or value goes through a map, so any characters work. */
export class Expr {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, AttributeValue> = {};
  private readonly byName = new Map<string, string>();
  private nValues = 0;

  name(attr: string): string {
    let p = this.byName.get(attr);
    if (!p) {
      p = `#${this.byName.size.toString(36)}`;
      this.byName.set(attr, p);
      this.names[p] = attr;
    }
    return p;
  }

  value(v: AttributeValue): string {
    const p = `:${(this.nValues++).toString(36)}`;
    this.values[p] = v;
    return p;
  }

  /** The placeholder maps for a request (DynamoDB rejects empty maps). */
  maps(): {
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, AttributeValue>;
  } {
    return {
      ...(this.byName.size > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(this.nValues > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

export interface UpdateRequest {
  key: { pk: string; sk: string };
  update: string;
  condition?: string;
  expr: Expr;
  returnValues?: ReturnValue;
}

/** Thin access to the one table: every call translates SDK errors (see errors.ts). */
export class VigilTable {
  readonly client: DynamoDBClient;
  readonly tableName: string;

  constructor(options: DynamoDbStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async get(key: { pk: string; sk: string }): Promise<Item | null> {
    const out = await this.call('GetItem', () =>
      this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: keyItem(key), ConsistentRead: true }),
      ),
    );
    return out.Item ?? null;
  }

  /** Puts an item; returns false when the condition failed. */
  async put(
    item: Item,
    condition?: { expression: string; expr?: Expr },
    returnOld = false,
  ): Promise<Item | false | null> {
    const input: PutItemCommandInput = { TableName: this.tableName, Item: item };
    if (condition) {
      input.ConditionExpression = condition.expression;
      Object.assign(input, condition.expr?.maps() ?? {});
    }
    if (returnOld) input.ReturnValues = 'ALL_OLD';
    try {
      const out = await this.call('PutItem', () => this.client.send(new PutItemCommand(input)));
      return out.Attributes ?? null;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  /** Deletes an item; returns false when the condition failed. */
  async delete(
    key: { pk: string; sk: string },
    condition?: { expression: string; expr: Expr },
  ): Promise<boolean> {
    try {
      await this.call('DeleteItem', () =>
        this.client.send(
          new DeleteItemCommand({
            TableName: this.tableName,
            Key: keyItem(key),
            ...(condition ? { ConditionExpression: condition.expression, ...condition.expr.maps() } : {}),
          }),
        ),
      );
      return true;
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  /** Updates an item; returns the requested attributes, or false when the condition failed. */
  async update(req: UpdateRequest): Promise<Item | false> {
    try {
      const out = await this.call('UpdateItem', () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: keyItem(req.key),
            UpdateExpression: req.update,
            ...(req.condition ? { ConditionExpression: req.condition } : {}),
            ...req.expr.maps(),
            ReturnValues: req.returnValues ?? 'NONE',
          }),
        ),
      );
      return out.Attributes ?? {};
    } catch (e) {
      if (isConditionFailed(e)) return false;
      throw e;
    }
  }

  /** One page of a query. */
  async queryPage(
    input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
    start?: Item,
  ): Promise<{ items: Item[]; lastKey: Item | undefined }> {
    const out = await this.call('Query', () =>
      this.client.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start })),
    );
    return { items: out.Items ?? [], lastKey: out.LastEvaluatedKey };
  }

  /** Runs a query to the end, or until `enough` says stop (checked after each page). */
  async query(
    input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
    enough?: (items: Item[]) => boolean,
    start?: Item,
  ): Promise<{ items: Item[]; lastKey: Item | undefined }> {
    const items: Item[] = [];
    let lastKey: Item | undefined = start;
    do {
      const page = await this.queryPage(input, lastKey);
      items.push(...page.items);
      lastKey = page.lastKey;
    } while (lastKey && !enough?.(items));
    return { items, lastKey };
  }

  /**
   * The items of the partitions `<prefix>0` … `<prefix>7` (a sharded work queue: pending folds, the
   * rollup queue), strongly consistent, shards in parallel: all of them, or, with `perShard`, the
   * pages that hold the first `perShard` of each shard (so a backlog is read a slice at a time).
   */
  async queryShards(prefix: string, perShard?: number): Promise<Item[]> {
    const shards = await Promise.all(
      SHARD_IDS.map(async (shard) => {
        const expr = new Expr();
        const { items } = await this.query(
          {
            KeyConditionExpression: `${expr.name('pk')} = ${expr.value({ S: `${prefix}${shard}` })}`,
            ConsistentRead: true,
            ...expr.maps(),
            ...(perShard ? { Limit: perShard } : {}),
          },
          perShard ? (items) => items.length >= perShard : undefined,
        );
        return items;
      }),
    );
    return shards.flat();
  }

  /** Reads many items (strongly consistent unless told); missing ones are left out. Order is not kept. */
  async batchGet(keys: Array<{ pk: string; sk: string }>, consistent = true): Promise<Item[]> {
    const unique = [...new Map(keys.map((k) => [`${k.pk}\u0000${k.sk}`, k])).values()];
    const chunks: Array<Array<{ pk: string; sk: string }>> = [];
    for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100));
    const results = await mapLimit(chunks, 4, async (chunk) => {
      const found: Item[] = [];
      let pending: Item[] = chunk.map(keyItem);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
        if (attempt > 8) throw new DomainError('unavailable', 'DynamoDB BatchGetItem: keys left unprocessed');
        const out = await this.call('BatchGetItem', () =>
          this.client.send(
            new BatchGetItemCommand({
              RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: consistent } },
            }),
          ),
        );
        found.push(...(out.Responses?.[this.tableName] ?? []));
        pending = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
      return found;
    });
    return results.flat();
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isConditionFailed(e)) throw e;
      throw translateError(e, operation);
    }
  }
}

/** Maps with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opaque page cursors: base64url JSON. */
export const encodeCursor = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

export function decodeCursor(cursor: string | null, isValid: (v: unknown) => boolean): unknown {
  if (cursor === null) return null;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  if (!isValid(v)) throw validationError('cursor', 'is not a cursor this API returned');
  return v;
}
