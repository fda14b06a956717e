import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { DrainBatch, QueuedFold, RollupQueue } from '../../domain/ports';
import type { RollupDelta } from '../../domain/rollup';
import { type DynamoDbStoreOptions, Expr, mapLimit, VigilTable, WRITE_CONCURRENCY } from './client';
import { type Item, keyItem, num, SESSION_ATTR, str } from './items';
import { keys, shardOf } from './table';

const DRAIN_PK = 'RQ#drain';
const queueKey = (foldId: string) => ({ pk: `RQ#${shardOf(foldId)}`, sk: `Q#${foldId}` });
const LEASE_KEY = { pk: DRAIN_PK, sk: 'lease' };
const BATCH_KEY = { pk: DRAIN_PK, sk: 'batch' };

/** How long a queued fold may wait before the table's TTL removes it (see enqueue). */
export const QUEUE_TTL_SECONDS = 7 * 86_400;

const pack = (value: unknown): Uint8Array => deflateRawSync(JSON.stringify(value));
const unpack = <T>(b: Uint8Array | undefined): T =>
  JSON.parse(inflateRawSync(b ?? new Uint8Array()).toString('utf8'));

/**
 * The rollup queue on the Vigil table (see RollupQueue in ports.ts).
 *
 * - A queued fold is one item, `RQ#<hash(foldId) mod 8>` / `Q#<foldId>`, holding its deltas as one
 *   deflated Binary (≈ 0.5 KB for a request of 10 events): put once by the fold (conditional, so a
 *   replay adds nothing) and deleted once drained — 2 write units a fold where writing the rollups
 *   directly costs one write per rollup item the fold touches (6 for a typical request, more when the
 *   items are large, plus a strongly consistent read each for packed sketches).
 * - A fold is drainable once its pending-fold item (EventStore, `P#…/F#<foldId>`) is gone, and a
 *   settlement once its session item records the version applied (`av`): until then either may be
 *   replayed, and a replay must find its deltas queued, not drained. Settlements queue their session
 *   (`sa`, `ss`) and version (`sv`) for that check.
 * - The drain's lease and its open batch are two items under `RQ#drain`.
 * - A drain reads up to `limit` items of each shard, not the whole queue, so a backlog (a drain that
 *   failed for a while) is worked off a slice at a time; queued items expire after a week.
 */
export class DynamoDbRollupQueue implements RollupQueue {
  private readonly table: VigilTable;

  constructor(options: DynamoDbStoreOptions) {
    this.table = new VigilTable(options);
  }

  async enqueue(fold: QueuedFold): Promise<void> {
    const item: Item = {
      ...keyItem(queueKey(fold.foldId)),
      t: num(fold.queuedAt),
      z: { B: pack(fold.deltas) },
      // A fold still queued a week on was never drainable (its session gone, a fold that never
      // completes): DynamoDB's TTL removes it, so such leftovers cannot pile up.
      expiresAt: num(Math.floor(fold.queuedAt / 1000) + QUEUE_TTL_SECONDS),
    };
    if (fold.settles) {
      item.sa = str(fold.settles.agentId);
      item.ss = str(fold.settles.sessionId);
      item.sv = num(fold.settles.version);
    }
    // false: already queued by an earlier attempt of the same fold; its deltas are the same.
    await this.table.put(item, { expression: 'attribute_not_exists(pk)' });
  }

  async take(limit: number): Promise<QueuedFold[]> {
    if (limit <= 0) return [];
    // A slice of each shard (keys are fold ids, so a slice is a random sample of the backlog).
    const queued = (await this.table.queryShards('RQ#', Math.max(limit, 100)))
      .map(toQueuedFold)
      .sort((a, b) => a.queuedAt - b.queuedAt || (a.foldId < b.foldId ? -1 : a.foldId > b.foldId ? 1 : 0));
    const out: QueuedFold[] = [];
    for (let i = 0; i < queued.length && out.length < limit; i += 100) {
      const candidates = queued.slice(i, i + 100);
      const folds = candidates.filter((f) => !f.settles);
      const settlements = candidates.filter((f) => f.settles);
      const pending = new Set(
        (await this.table.batchGet(folds.map((f) => keys.pendingFold(f.foldId)))).map((item) =>
          item.sk!.S!.slice('F#'.length),
        ),
      );
      const applied = new Map(
        (
          await this.table.batchGet(
            settlements.map((f) => keys.session(f.settles!.agentId, f.settles!.sessionId)),
          )
        ).map((item) => [item.pk!.S!, Number(item[SESSION_ATTR.settledAppliedVersion]?.N ?? 0)]),
      );
      for (const f of candidates) {
        if (out.length >= limit) break;
        const drainable = f.settles
          ? (applied.get(keys.session(f.settles.agentId, f.settles.sessionId).pk) ?? 0) >= f.settles.version
          : !pending.has(f.foldId);
        if (drainable) out.push(f);
      }
    }
    return out;
  }

  async get(foldIds: string[]): Promise<QueuedFold[]> {
    const items = await this.table.batchGet(foldIds.map(queueKey));
    const byId = new Map(items.map((item) => [item.sk!.S!.slice('Q#'.length), toQueuedFold(item)]));
    return foldIds.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  }

  async remove(foldIds: string[]): Promise<void> {
    await mapLimit(foldIds, WRITE_CONCURRENCY, (id) => this.table.delete(queueKey(id)));
  }

  async lease(owner: string, now: number, until: number): Promise<boolean> {
    const expr = new Expr();
    const taken = await this.table.put(
      { ...keyItem(LEASE_KEY), o: str(owner), u: num(until) },
      {
        expression: `attribute_not_exists(${expr.name('pk')}) OR ${expr.name('u')} < ${expr.value(num(now))}`,
        expr,
      },
    );
    return taken !== false;
  }

  async unlease(owner: string): Promise<void> {
    const expr = new Expr();
    await this.table.delete(LEASE_KEY, {
      expression: `${expr.name('o')} = ${expr.value(str(owner))}`,
      expr,
    });
  }

  async openBatch(): Promise<DrainBatch | null> {
    const item = await this.table.get(BATCH_KEY);
    if (!item) return null;
    return { batchId: item.i!.S!, foldIds: unpack<string[]>(item.f?.B) };
  }

  async putBatch(batch: DrainBatch): Promise<void> {
    await this.table.put({ ...keyItem(BATCH_KEY), i: str(batch.batchId), f: { B: pack(batch.foldIds) } });
  }

  async deleteBatch(batchId: string): Promise<void> {
    const expr = new Expr();
    await this.table.delete(BATCH_KEY, {
      expression: `${expr.name('i')} = ${expr.value(str(batchId))}`,
      expr,
    });
  }
}

function toQueuedFold(item: Item): QueuedFold {
  const fold: QueuedFold = {
    foldId: item.sk!.S!.slice('Q#'.length),
    queuedAt: Number(item.t!.N),
    deltas: unpack<RollupDelta[]>(item.z?.B),
  };
  if (item.sa?.S && item.ss?.S && item.sv?.N) {
    fold.settles = { agentId: item.sa.S, sessionId: item.ss.S, version: Number(item.sv.N) };
  }
  return fold;
}
