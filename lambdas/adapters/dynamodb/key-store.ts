import type { ApiKeyRecord, KeyStore } from '../../domain/ports';
import { type DynamoDbStoreOptions, Expr, VigilTable } from './client';
import { apiKeyToItem, itemToApiKey, keyItem, num, str } from './items';
import { keys } from './table';

/**
 * API keys in one small partition (pk KEYS): the record under H#<hash>, so authentication is one
 * strongly consistent GetItem, and a pointer I#<keyId> → hash for revocation by id.
 */
export class DynamoDbKeyStore implements KeyStore {
  private readonly table: VigilTable;

  constructor(options: DynamoDbStoreOptions) {
    this.table = new VigilTable(options);
  }

  async put(record: ApiKeyRecord): Promise<void> {
    // The record before the pointer: a crash in between leaves a usable key that a retried put completes.
    await this.table.put(apiKeyToItem(record));
    const old = await this.table.put(
      { ...keyItem(keys.apiKeyId(record.keyId)), hash: str(record.hash) },
      undefined,
      true,
    );
    const oldHash = old ? old.hash?.S : undefined;
    if (oldHash !== undefined && oldHash !== record.hash) {
      // The key id now names another secret: the old one must stop authenticating.
      const expr = new Expr();
      await this.table.delete(keys.apiKey(oldHash), {
        expression: `${expr.name('keyId')} = ${expr.value(str(record.keyId))}`,
        expr,
      });
    }
  }

  async getByHash(hash: string): Promise<ApiKeyRecord | null> {
    const item = await this.table.get(keys.apiKey(hash));
    return item ? itemToApiKey(item) : null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const expr = new Expr();
    const { items } = await this.table.query({
      KeyConditionExpression: `${expr.name('pk')} = ${expr.value(str('KEYS'))} AND begins_with(${expr.name('sk')}, ${expr.value(str('H#'))})`,
      ConsistentRead: true,
      ...expr.maps(),
    });
    return items.map(itemToApiKey).sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
  }

  async revoke(keyId: string, at: number): Promise<boolean> {
    const pointer = await this.table.get(keys.apiKeyId(keyId));
    const hash = pointer?.hash?.S;
    if (hash === undefined) return false;
    const expr = new Expr();
    const revokedAt = expr.name('revokedAt');
    // The first revocation time stays.
    const result = await this.table.update({
      key: keys.apiKey(hash),
      update: `SET ${revokedAt} = if_not_exists(${revokedAt}, ${expr.value(num(at))})`,
      condition: `attribute_exists(${expr.name('pk')})`,
      expr,
    });
    return result !== false;
  }
}
