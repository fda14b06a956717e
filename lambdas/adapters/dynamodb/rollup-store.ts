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
import { mergeBins, type SketchBins } from '../../domain/sketch';
import { type DynamoDbStoreOptions, Expr, mapLimit, VigilTable, WRITE_CONCURRENCY } from './client';
import {
  addend,
  binAttr,
  counterAttr,
  foldMarker,
  type Item,
  itemToRollup,
  num,
  packedSketchAttr,
  parseBinAttr,
  rollupIdentity,
  SKETCH_VERSION_ATTR,
  sketchVersionOf,
  str,
} from './items';
import { decodeSketch, encodeSketch } from './sketch-codec';
import { clampHour, encHour, esc, indexKeys, keys } from './table';

/**
 * DynamoDB keeps UpdateExpression under 4 KB. A delta with more terms than fit (a large batch spreads
 * latencies over hundreds of sketch bins) is written as several parts, each with its own marker.
 */
const MAX_ADD_CHARS = 3000;
/** Queued markers one write removes on the side (keeps the expression well inside its limits). */
const MAX_PIGGYBACK = 16;
/** Number bins one packed write moves into the blob at most (keeps the expression inside 4 KB). */
const MAX_COMPACT = 150;
/** Queued markers per item before they get a write of their own. */
const MAX_QUEUED = 16;
/** Items with queued markers before the oldest gets a write of its own. */
const MAX_QUEUED_ITEMS = 5000;

/**
 * How sketch bins are stored. `packed`: one Binary attribute per sketch, replaced by read-modify-write
 * with a compare-and-set on a version (a busy hour's items ≈ 3× smaller, so each write costs ≈ 3 units
 * instead of 8, plus a strongly consistent read; a fold that loses the race to another costs one failed
 * write and then ADDs its bins as numbers). `bins`: one number attribute per bin under atomic ADD (no
 * read, no conflict, every write billed by the larger item). Both read both, and every write of bins in
 * either format changes the version, so stores of both formats may write the same items at once.
 */
export type SketchFormat = 'packed' | 'bins';

export interface DynamoDbRollupStoreOptions extends DynamoDbStoreOptions {
  /** @default 'packed' */
  sketchFormat?: SketchFormat;
}

interface AddTerm {
  attr: string;
  amount: number;
}

/**
 * Hourly rollups, one item per (agent, production, slice, hour): every counter a top-level number that
 * UpdateItem ADDs to, every sketch one packed Binary attribute (or, see SketchFormat, one number per
 * bin). Exactly-once per fold without transactions: each write also SETs a marker attribute named
 * after the fold, on the condition that the marker is absent, so a replayed write fails its condition
 * and changes nothing (a packed replay sees the marker in its read and writes nothing). `release`
 * removes the markers.
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

  private readonly sketchFormat: SketchFormat;
  /** Packed writes that failed their compare-and-set and went the ADD way instead (bench, tests). */
  casConflicts = 0;

  constructor(options: DynamoDbRollupStoreOptions) {
    this.table = new VigilTable(options);
    this.sketchFormat = options.sketchFormat ?? 'packed';
  }

  async apply(foldId: string, deltas: RollupDelta[]): Promise<void> {
    const merged = mergeByKey(deltas);
    const packed = this.sketchFormat === 'packed' ? merged.filter(hasSketches) : [];
    const added = packed.length > 0 ? merged.filter((d) => !hasSketches(d)) : merged;
    await Promise.all([
      mapLimit(packed, WRITE_CONCURRENCY, (d) => this.applyPacked(foldId, d)),
      this.applyAdds(foldId, added),
    ]);
  }

  /**
   * One delta with sketches, packed: read the item, merge the delta's bins (and any bins the item holds
   * as numbers) into its packed sketches, and write them back with the counters' ADDs and the fold
   * marker in one UpdateItem, on condition that the marker is absent and the version is the one read.
   *
   * When the condition fails, another fold wrote the item since the read (or another process is
   * applying this same fold): the delta is then written as ADDs of one number per bin, like the `bins`
   * format, each write also adding 1 to the version, and the next packed write folds those numbers into
   * the blob. So a conflict costs one failed write and one ADD write, never a chain of retries; and as
   * every write that touches bins changes the version, a packed write never overwrites bins it did not
   * read. An ADD write split in parts (a huge delta) marks each part; a packed write is only tried
   * while none of this fold's markers is on the item.
   */
  private async applyPacked(foldId: string, d: RollupDelta): Promise<void> {
    const item = rollupKeyString(d.key);
    const key = keys.rollup(d.key.agentId, d.key.production, d.key.slice, d.key.hour);
    const parts = rollupWrites(foldId, d).length;
    const current = await this.table.get(key);
    // Marker 0 holds the part count of the write that set it: 1 is a packed write (or a one-part ADD
    // write) that carried the whole delta, so the fold is in. A higher count: finish the ADD parts.
    if (current?.[foldMarker(foldId)]?.N === '1') return;
    const marked = Array.from({ length: parts }, (_, i) => foldMarker(foldId, i)).some(
      (m) => current?.[m] !== undefined,
    );
    if (!marked) {
      const piggyback = (this.releasable.get(item) ?? []).slice(0, MAX_PIGGYBACK);
      const done = await this.table.update(packedRollupWrite(foldId, d, current, piggyback));
      if (done !== false) {
        this.written.set(`${foldId}\u0000${item}`, 1);
        this.dropReleased(item, piggyback);
        return;
      }
      this.casConflicts++;
    }
    await this.applyAdds(foldId, [d]);
  }

  private dropReleased(item: string, removes: string[]): void {
    if (removes.length === 0) return;
    const left = (this.releasable.get(item) ?? []).filter((m) => !removes.includes(m));
    if (left.length > 0) this.releasable.set(item, left);
    else {
      this.releasable.delete(item);
      this.releasableKeys.delete(item);
    }
  }

  /**
   * Deltas written with ADD alone: every delta in the `bins` format, counter-only ones when packed, and
   * packed ones that lost their compare-and-set.
   */
  private async applyAdds(foldId: string, deltas: RollupDelta[]): Promise<void> {
    const writes = deltas.flatMap((d) => {
      const item = rollupKeyString(d.key);
      const piggyback = (this.releasable.get(item) ?? []).slice(0, MAX_PIGGYBACK);
      const parts = rollupWrites(foldId, d, piggyback);
      this.written.set(`${foldId}\u0000${item}`, parts.length);
      return parts.map((w, i) => ({ w, item, removes: i === 0 ? piggyback : [] }));
    });
    await mapLimit(writes, WRITE_CONCURRENCY, async ({ w, item, removes }) => {
      // A failed condition means this part of the fold is already in the item: nothing to do.
      const done = await this.table.update(w);
      if (done !== false) this.dropReleased(item, removes);
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

const hasSketches = (d: RollupDelta): boolean =>
  Object.values(d.sketches).some((bins) => bins !== undefined && Object.keys(bins).length > 0);

/**
 * The compare-and-set UpdateItem that adds one delta to an item whose sketches are packed, given the
 * item as read (null when absent): the merged sketches replace the stored ones (an emptied sketch is
 * removed), counters are ADDed, the fold marker and the next version are SET.
 */
export function packedRollupWrite(
  foldId: string,
  delta: RollupDelta,
  current: Item | null,
  removeMarkers: string[] = [],
) {
  const expr = new Expr();
  const marker = expr.name(foldMarker(foldId));
  const version = expr.name(SKETCH_VERSION_ATTR);
  const read = sketchVersionOf(current);
  const sets = Object.entries(rollupIdentity(delta.key)).map(
    ([attr, v]: [string, AttributeValue]) => `${expr.name(attr)} = ${expr.value(v)}`,
  );
  sets.push(`${marker} = ${expr.value(num(1))}`, `${version} = ${expr.value(num((read ?? 0) + 1))}`);
  const removes: string[] = [];
  // Bins the item holds as numbers (ADDed after a lost compare-and-set) move into the blob.
  const numeric = new Map<SketchName, SketchBins>();
  for (const [name, value] of Object.entries(current ?? {})) {
    const bin = value.N === undefined || removes.length >= MAX_COMPACT ? null : parseBinAttr(name);
    if (!bin) continue;
    numeric.set(bin.sketch, { ...numeric.get(bin.sketch), [bin.bin]: Number(value.N) });
    removes.push(expr.name(name));
  }
  const touched = new Set([
    ...numeric.keys(),
    ...Object.entries(delta.sketches)
      .filter(([, bins]) => bins && Object.keys(bins).length > 0)
      .map(([sketch]) => sketch as SketchName),
  ]);
  for (const sketch of touched) {
    const attr = packedSketchAttr(sketch);
    const stored = current?.[attr]?.B;
    const next = mergeBins(stored ? decodeSketch(stored) : {}, finiteBins(delta.sketches[sketch] ?? {}));
    mergeBins(next, numeric.get(sketch) ?? {});
    if (Object.keys(next).length > 0)
      sets.push(`${expr.name(attr)} = ${expr.value({ B: encodeSketch(next) })}`);
    else if (stored) removes.push(expr.name(attr));
  }
  const adds = Object.entries(delta.counters)
    .filter(([, amount]) => amount !== undefined && Number.isFinite(amount))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(
      ([counter, amount]) =>
        `${expr.name(counterAttr(counter as CounterName))} ${expr.value(addend(amount!))}`,
    );
  const own = foldMarker(foldId);
  for (const m of removeMarkers) if (m !== own) removes.push(expr.name(m));
  const versionCheck =
    read === null ? `attribute_not_exists(${version})` : `${version} = ${expr.value(num(read))}`;
  return {
    key: keys.rollup(delta.key.agentId, delta.key.production, delta.key.slice, delta.key.hour),
    update:
      `SET ${sets.join(', ')}` +
      (adds.length > 0 ? ` ADD ${adds.join(', ')}` : '') +
      (removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''),
    condition: `attribute_not_exists(${marker}) AND ${versionCheck}`,
    expr,
  };
}

function finiteBins(bins: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(bins).filter(([, w]) => Number.isFinite(w)));
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
  const versioned = hasSketches(delta);
  return parts.map((part, index) => {
    const expr = new Expr();
    const marker = expr.name(foldMarker(foldId, index));
    const sets = Object.entries(identity).map(
      ([attr, v]: [string, AttributeValue]) => `${expr.name(attr)} = ${expr.value(v)}`,
    );
    sets.push(`${marker} = ${expr.value(num(parts.length))}`);
    const adds = part.map((t) => `${expr.name(t.attr)} ${expr.value(addend(t.amount))}`);
    // Bins ADDed change the version, so a packed write racing this one (another store's, a replay's,
    // or a store still writing the `bins` format during a rollout) cannot overwrite them.
    if (versioned) adds.push(`${expr.name(SKETCH_VERSION_ATTR)} ${expr.value(num(1))}`);
    // A later part must not land on an item where this fold went through packed (marker 0 = 1).
    let notPacked = '';
    if (versioned && index > 0) {
      const first = expr.name(foldMarker(foldId));
      notPacked = ` AND (attribute_not_exists(${first}) OR ${first} = ${expr.value(num(parts.length))})`;
    }
    // Markers of earlier folds recorded done (see release): removed in the same write, for free.
    const own = new Set(parts.map((_, i) => foldMarker(foldId, i)));
    const removes = index === 0 ? removeMarkers.filter((m) => !own.has(m)).map((m) => expr.name(m)) : [];
    return {
      key,
      update: `SET ${sets.join(', ')} ADD ${adds.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
      condition: `attribute_not_exists(${marker})${notPacked}`,
      expr,
    };
  });
}
