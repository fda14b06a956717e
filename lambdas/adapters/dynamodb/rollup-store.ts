import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { RollupStore } from '../../domain/ports';
import {
  applyDelta,
  type CounterName,
  type RollupDelta,
  type RollupKey,
  type RollupRecord,
  rollupKeyString,
  type SketchName,
} from '../../domain/rollup';
import { type DynamoDbStoreOptions, Expr, mapLimit, VigilTable, WRITE_CONCURRENCY } from './client';
import { addend, binAttr, counterAttr, foldMarker, itemToRollup, num, rollupIdentity, str } from './items';
import { clampHour, encHour, esc, indexKeys, keys } from './table';

/**
 * DynamoDB keeps UpdateExpression under 4 KB. A delta with more terms than fit (a large batch spreads
 * latencies over hundreds of sketch bins) is written as several parts, each with its own marker.
 */
const MAX_ADD_CHARS = 3000;
/** Queued markers one write removes on the side (keeps the expression well inside its limits). */
const MAX_PIGGYBACK = 16;
/** Queued markers per item before they get a write of their own. */
const MAX_QUEUED = 16;
/** Items with queued markers before the oldest gets a write of its own. */
const MAX_QUEUED_ITEMS = 5000;

interface AddTerm {
  attr: string;
  amount: number;
}

/**
 * Hourly rollups, one item per (agent, production, slice, hour), every counter and sketch bin a
 * top-level number that UpdateItem ADDs to. Exactly-once per fold without transactions: each write
 * also SETs a marker attribute named after the fold, on the condition that the marker is absent, so
 * a replayed write fails its condition and changes nothing. `release` removes the markers.
 *
 * Reads are eventually consistent (half the read cost; dashboards lag writes by well under a second).
 * Read cost: `query` is one Query range per production flag (pk R#agent#p, sk slice#hour). `querySlices`
 * reads the KEYS_ONLY gsi1 partition of the prefix's slice family (e.g. every "model:" slice) for the
 * hours asked, then BatchGets the matching items: O(hours × slices in that family). A prefix without
 * ':' has no family; it falls back to a begins_with Query over every hour the slices ever had.
 */
export class DynamoDbRollupStore implements RollupStore {
  private readonly table: VigilTable;
  /** Markers of folds recorded done, per rollup item (rollupKeyString), for the next write to remove. */
  private readonly releasable = new Map<string, string[]>();
  private readonly releasableKeys = new Map<string, RollupKey>();
  /** Parts written per (fold, item) by this store, so release knows the marker names without a read. */
  private readonly written = new Map<string, number>();
  /** Positive cache of admitted tag values, and the cap at which a key was seen full (sets only grow). */
  private readonly admitted = new Map<string, { values: Set<string>; fullAtCap: number | null }>();

  constructor(options: DynamoDbStoreOptions) {
    this.table = new VigilTable(options);
  }

  async apply(foldId: string, deltas: RollupDelta[]): Promise<void> {
    const writes = mergeByKey(deltas).flatMap((d) => {
      const item = rollupKeyString(d.key);
      const piggyback = (this.releasable.get(item) ?? []).slice(0, MAX_PIGGYBACK);
      const parts = rollupWrites(foldId, d, piggyback);
      this.written.set(`${foldId}\u0000${item}`, parts.length);
      return parts.map((w, i) => ({ w, item, removes: i === 0 ? piggyback : [] }));
    });
    await mapLimit(writes, WRITE_CONCURRENCY, async ({ w, item, removes }) => {
      // A failed condition means this part of the fold is already in the item: nothing to do.
      const done = await this.table.update(w);
      if (done !== false && removes.length > 0) {
        const left = (this.releasable.get(item) ?? []).filter((m) => !removes.includes(m));
        if (left.length > 0) this.releasable.set(item, left);
        else {
          this.releasable.delete(item);
          this.releasableKeys.delete(item);
        }
      }
    });
  }

  /**
   * Markers of a fold this store applied are not removed by a write of their own (a rewrite of the
   * whole multi-KB item): they are queued and removed by this store's next write to the same item,
   * in the same UpdateItem. A queue past MAX_QUEUED markers for an item, or past MAX_QUEUED_ITEMS
   * items, is flushed with a write of its own; so is a fold this store did not apply (a replay by
   * another process). A container that stops leaves its queued markers in the items (~50 bytes each,
   * at most one or two per item and container): harmless, as a marker only matters to a replay.
   */
  async release(foldId: string, rollupKeys: RollupKey[]): Promise<void> {
    const unique = [...new Map(rollupKeys.map((k) => [rollupKeyString(k), k])).values()];
    const eager: RollupKey[] = [];
    const flush: RollupKey[] = [];
    for (const k of unique) {
      const item = rollupKeyString(k);
      const parts = this.written.get(`${foldId}\u0000${item}`);
      if (parts === undefined) {
        eager.push(k);
        continue;
      }
      this.written.delete(`${foldId}\u0000${item}`);
      const queue = this.releasable.get(item) ?? [];
      for (let i = 0; i < parts; i++)
        if (!queue.includes(foldMarker(foldId, i))) queue.push(foldMarker(foldId, i));
      this.releasable.delete(item);
      this.releasable.set(item, queue);
      this.releasableKeys.set(item, k);
      if (queue.length > MAX_QUEUED) flush.push(k);
    }
    const over = this.releasable.size - MAX_QUEUED_ITEMS;
    if (over > 0) {
      for (const item of [...this.releasable.keys()].slice(0, over))
        flush.push(this.releasableKeys.get(item)!);
    }
    await mapLimit(flush, WRITE_CONCURRENCY, (k) => this.flushQueued(k));
    await mapLimit(eager, WRITE_CONCURRENCY, (k) => this.releaseNow(foldId, k));
  }

  /** Removes the queued markers of one item with a write of its own. */
  private async flushQueued(k: RollupKey): Promise<void> {
    const item = rollupKeyString(k);
    const names = this.releasable.get(item) ?? [];
    this.releasable.delete(item);
    this.releasableKeys.delete(item);
    if (names.length === 0) return;
    const expr = new Expr();
    await this.table.update({
      key: keys.rollup(k.agentId, k.production, k.slice, k.hour),
      update: `REMOVE ${names.map((n) => expr.name(n)).join(', ')}`,
      condition: `attribute_exists(${expr.name('pk')})`,
      expr,
    });
  }

  /** Removes a fold's markers from one item now, reading the part count from the first marker. */
  private async releaseNow(foldId: string, k: RollupKey): Promise<void> {
    {
      const key = keys.rollup(k.agentId, k.production, k.slice, k.hour);
      const expr = new Expr();
      const marker = expr.name(foldMarker(foldId));
      const old = await this.table.update({
        key,
        update: `REMOVE ${marker}`,
        condition: `attribute_exists(${marker})`,
        expr,
        returnValues: 'UPDATED_OLD',
      });
      const parts = old ? Number(old[foldMarker(foldId)]?.N ?? 1) : 1;
      if (parts <= 1) return;
      const rest = new Expr();
      const names = Array.from({ length: parts - 1 }, (_, i) => rest.name(foldMarker(foldId, i + 1)));
      await this.table.update({
        key,
        update: `REMOVE ${names.join(', ')}`,
        condition: `attribute_exists(${rest.name('pk')})`,
        expr: rest,
      });
    }
  }

  async query(
    agentId: string,
    production: boolean | null,
    slice: string,
    fromHour: number,
    toHour: number,
  ): Promise<RollupRecord[]> {
    [fromHour, toHour] = [clampHour(fromHour), clampHour(toHour)];
    if (toHour <= fromHour) return [];
    const perFlag = await Promise.all(
      flags(production).map(async (p) => {
        const expr = new Expr();
        const { items } = await this.table.query({
          KeyConditionExpression: `${expr.name('pk')} = ${expr.value(str(keys.rollupPartition(agentId, p)))} AND ${expr.name('sk')} BETWEEN ${expr.value(str(`${esc(slice)}#${encHour(fromHour)}`))} AND ${expr.value(str(`${esc(slice)}#${encHour(toHour - 1)}`))}`,
          ...expr.maps(),
        });
        return items.map(itemToRollup);
      }),
    );
    return sortRecords(perFlag.flat());
  }

  async querySlices(
    agentId: string,
    production: boolean | null,
    prefix: string,
    fromHour: number,
    toHour: number,
  ): Promise<RollupRecord[]> {
    [fromHour, toHour] = [clampHour(fromHour), clampHour(toHour)];
    if (toHour <= fromHour) return [];
    const perFlag = await Promise.all(
      flags(production).map((p) =>
        prefix.includes(':')
          ? this.sliceFamilyRange(agentId, p, prefix, fromHour, toHour)
          : this.slicePrefixScan(agentId, p, prefix, fromHour, toHour),
      ),
    );
    const inWindow = (r: RollupRecord) =>
      r.key.slice.startsWith(prefix) && r.key.hour >= fromHour && r.key.hour < toHour;
    return sortRecords(perFlag.flat().filter(inWindow));
  }

  private async sliceFamilyRange(
    agentId: string,
    production: boolean,
    prefix: string,
    fromHour: number,
    toHour: number,
  ): Promise<RollupRecord[]> {
    const expr = new Expr();
    const family = indexKeys.sliceFamily(prefix);
    const { items } = await this.table.query({
      IndexName: 'gsi1',
      // gsi1sk is "<hour>#<slice>": '$' sorts right after '#', so this covers every slice of the last hour.
      KeyConditionExpression: `${expr.name('gsi1pk')} = ${expr.value(str(indexKeys.rollupsOf(agentId, production, family)))} AND ${expr.name('gsi1sk')} BETWEEN ${expr.value(str(`${encHour(fromHour)}#`))} AND ${expr.value(str(`${encHour(toHour - 1)}$`))}`,
      ...expr.maps(),
    });
    const wanted = items.filter((i) => {
      const order = i.gsi1sk?.S ?? '';
      return order.slice(order.indexOf('#') + 1).startsWith(prefix);
    });
    const found = await this.table.batchGet(
      wanted.map((i) => ({ pk: i.pk!.S!, sk: i.sk!.S! })),
      false,
    );
    return found.map(itemToRollup);
  }

  private async slicePrefixScan(
    agentId: string,
    production: boolean,
    prefix: string,
    fromHour: number,
    toHour: number,
  ): Promise<RollupRecord[]> {
    const expr = new Expr();
    const pk = `${expr.name('pk')} = ${expr.value(str(keys.rollupPartition(agentId, production)))}`;
    // The hour is part of the sort key, not an attribute: the caller keeps the window's hours (a
    // server-side filter would not lower the read cost anyway).
    const { items } = await this.table.query({
      KeyConditionExpression:
        prefix === '' ? pk : `${pk} AND begins_with(${expr.name('sk')}, ${expr.value(str(esc(prefix)))})`,
      ...expr.maps(),
    });
    return items.map(itemToRollup).filter((r) => r.key.hour >= fromHour && r.key.hour < toHour);
  }

  async admitTagValues(agentId: string, key: string, values: string[], cap: number): Promise<Set<string>> {
    const cacheKey = `${agentId}\u0000${key}`;
    const entry = this.admitted.get(cacheKey) ?? { values: new Set<string>(), fullAtCap: null };
    this.admitted.set(cacheKey, entry);
    const out = new Set<string>();
    for (const value of new Set(values)) {
      if (entry.values.has(value)) {
        out.add(value);
        continue;
      }
      if (cap <= 0 || (entry.fullAtCap !== null && cap <= entry.fullAtCap)) continue;
      const expr = new Expr();
      const set = expr.name('values');
      const result = await this.table.update({
        key: keys.tagValues(agentId, key),
        update: `ADD ${set} ${expr.value({ SS: [value] })}`,
        condition: `attribute_not_exists(${set}) OR contains(${set}, ${expr.value(str(value))}) OR size(${set}) < ${expr.value(num(cap))}`,
        expr,
        returnValues: 'ALL_NEW',
      });
      if (result) {
        for (const v of result.values?.SS ?? [value]) entry.values.add(v);
        out.add(value);
      } else {
        // Full at this cap. Sets only grow, so it stays full for any cap up to this one.
        entry.fullAtCap = Math.max(entry.fullAtCap ?? 0, cap);
        const item = await this.table.get(keys.tagValues(agentId, key));
        for (const v of item?.values?.SS ?? []) entry.values.add(v);
        if (entry.values.has(value)) out.add(value);
      }
    }
    return out;
  }
}

const flags = (production: boolean | null): boolean[] => (production === null ? [false, true] : [production]);

function sortRecords(records: RollupRecord[]): RollupRecord[] {
  return records.sort(
    (a, b) =>
      (a.key.slice < b.key.slice ? -1 : a.key.slice > b.key.slice ? 1 : 0) ||
      a.key.hour - b.key.hour ||
      Number(a.key.production) - Number(b.key.production),
  );
}

/** Deltas for the same key are merged: a second write under the same marker would be skipped. */
function mergeByKey(deltas: RollupDelta[]): RollupDelta[] {
  const byKey = new Map<string, RollupDelta>();
  for (const d of deltas) {
    const id = rollupKeyString(d.key);
    const seen = byKey.get(id);
    if (!seen) {
      byKey.set(id, {
        key: d.key,
        counters: { ...d.counters },
        sketches: Object.fromEntries(Object.entries(d.sketches).map(([k, v]) => [k, { ...v }])),
      });
    } else {
      applyDelta(seen as Parameters<typeof applyDelta>[0], d);
    }
  }
  return [...byKey.values()];
}

/**
 * The UpdateItem requests that add one delta under one fold: usually one; more when the ADD clause
 * would pass DynamoDB's expression size limit. Terms are sorted by attribute name, so a replay splits
 * the same delta into the same parts and each part meets its own marker.
 */
export function rollupWrites(foldId: string, delta: RollupDelta, removeMarkers: string[] = []) {
  const terms: AddTerm[] = [];
  for (const [counter, amount] of Object.entries(delta.counters)) {
    if (amount !== undefined && Number.isFinite(amount))
      terms.push({ attr: counterAttr(counter as CounterName), amount });
  }
  for (const [sketch, bins] of Object.entries(delta.sketches)) {
    for (const [bin, w] of Object.entries(bins ?? {})) {
      if (Number.isFinite(w)) terms.push({ attr: binAttr(sketch as SketchName, bin), amount: w });
    }
  }
  if (terms.length === 0) return [];
  terms.sort((a, b) => (a.attr < b.attr ? -1 : a.attr > b.attr ? 1 : 0));

  const parts: AddTerm[][] = [[]];
  let size = 0;
  for (const t of terms) {
    // Placeholders stay under 4 base-36 characters each for any realistic delta.
    const cost = 12;
    if (size + cost > MAX_ADD_CHARS && parts[parts.length - 1]!.length > 0) {
      parts.push([]);
      size = 0;
    }
    parts[parts.length - 1]!.push(t);
    size += cost;
  }

  const key = keys.rollup(delta.key.agentId, delta.key.production, delta.key.slice, delta.key.hour);
  const identity = rollupIdentity(delta.key);
  return parts.map((part, index) => {
    const expr = new Expr();
    const marker = expr.name(foldMarker(foldId, index));
    const sets = Object.entries(identity).map(
      ([attr, v]: [string, AttributeValue]) => `${expr.name(attr)} = ${expr.value(v)}`,
    );
    sets.push(`${marker} = ${expr.value(num(parts.length))}`);
    const adds = part.map((t) => `${expr.name(t.attr)} ${expr.value(addend(t.amount))}`);
    // Markers of earlier folds recorded done (see release): removed in the same write, for free.
    const own = new Set(parts.map((_, i) => foldMarker(foldId, i)));
    const removes = index === 0 ? removeMarkers.filter((m) => !own.has(m)).map((m) => expr.name(m)) : [];
    return {
      key,
      update: `SET ${sets.join(', ')} ADD ${adds.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
      condition: `attribute_not_exists(${marker})`,
      expr,
    };
  });
}
