import type { RollupReadOptions, RollupStore } from '../../domain/ports';
import {
  applyDelta,
  emptyRecord,
  type RollupDelta,
  type RollupKey,
  type RollupRecord,
  rollupKeyString,
} from '../../domain/rollup';
import type { DuckDbDatabase } from './database';

const toRecord = (r: Record<string, unknown>): RollupRecord => {
  const key: RollupKey = {
    agentId: r.agent_id as string,
    production: r.production as boolean,
    slice: r.slice as string,
    hour: Number(r.hour),
  };
  return applyDelta(emptyRecord(key), {
    counters: JSON.parse(r.counters as string),
    sketches: JSON.parse(r.sketches as string),
  });
};

/** Counters-only reads skip the sketches column (most of a row's bytes). */
const columns = (o: RollupReadOptions | undefined): string =>
  o?.sketches === false ? "agent_id, production, slice, hour, counters, '{}' AS sketches" : '*';

function compact(counters: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(counters)) if (v !== 0) out[k] = v;
  return out;
}

/**
 * Hourly rollups, one row per (agent, production, slice, hour). Records touched by this process are
 * cached (they are few: hours × slices) and written back through the group commit.
 */
export class DuckDbRollupStore implements RollupStore {
  private readonly cache = new Map<string, RollupRecord>();
  private folds: Set<string> | null = null;
  private readonly admitted = new Map<string, Set<string>>();

  constructor(private readonly db: DuckDbDatabase) {
    db.register({
      name: 'rollups',
      columns: ['agent_id', 'production', 'slice', 'hour', 'counters', 'sketches'],
      key: ['agent_id', 'production', 'slice', 'hour'],
    });
    db.register({
      name: 'rollup_folds',
      columns: ['fold_id', 'rollup_key'],
      key: ['fold_id', 'rollup_key'],
      insertOnly: true,
    });
    db.register({
      name: 'tag_values',
      columns: ['agent_id', 'tag_key', 'tag_value'],
      key: ['agent_id', 'tag_key', 'tag_value'],
      insertOnly: true,
    });
  }

  private async markers(): Promise<Set<string>> {
    if (!this.folds) {
      const rows = await this.db.direct((q) => q.all('SELECT fold_id, rollup_key FROM rollup_folds'));
      this.folds ??= new Set(rows.map((r) => `${r.fold_id}\u0001${r.rollup_key}`));
    }
    return this.folds;
  }

  private async loadMissing(keys: RollupKey[]): Promise<void> {
    const missing = keys.filter((k) => !this.cache.has(rollupKeyString(k)));
    if (missing.length === 0) return;
    const byAgent = new Map<string, RollupKey[]>();
    for (const k of missing) byAgent.set(k.agentId, [...(byAgent.get(k.agentId) ?? []), k]);
    for (const [agentId, list] of byAgent) {
      const hours = [...new Set(list.map((k) => k.hour))];
      const slices = [...new Set(list.map((k) => k.slice))];
      const rows = await this.db.direct((q) =>
        q.all(
          `SELECT * FROM rollups WHERE agent_id = $1 AND hour IN (${hours.map((_, i) => `$${i + 2}`).join(',')})
             AND slice IN (${slices.map((_, i) => `$${i + 2 + hours.length}`).join(',')})`,
          [agentId, ...hours, ...slices],
        ),
      );
      for (const r of rows) {
        const rec = toRecord(r);
        const id = rollupKeyString(rec.key);
        if (!this.cache.has(id)) this.cache.set(id, rec);
      }
    }
    for (const k of missing) {
      const id = rollupKeyString(k);
      if (!this.cache.has(id)) this.cache.set(id, emptyRecord(k));
    }
  }

  async apply(foldId: string, deltas: RollupDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    const markers = await this.markers();
    await this.loadMissing(deltas.map((d) => d.key));
    // No await from here on: the marker check and the change are atomic.
    for (const d of deltas) {
      const id = rollupKeyString(d.key);
      const marker = `${foldId}\u0001${id}`;
      if (markers.has(marker)) continue;
      markers.add(marker);
      const rec = applyDelta(this.cache.get(id)!, d);
      this.db.stage('rollups', id, () => [
        rec.key.agentId,
        rec.key.production,
        rec.key.slice,
        rec.key.hour,
        JSON.stringify(compact(rec.counters)),
        JSON.stringify(rec.sketches),
      ]);
      this.db.stage('rollup_folds', marker, [foldId, id]);
    }
  }

  async release(foldId: string, keys: RollupKey[]): Promise<void> {
    const markers = await this.markers();
    for (const k of keys) {
      const id = rollupKeyString(k);
      const marker = `${foldId}\u0001${id}`;
      if (markers.delete(marker)) this.db.unstage('rollup_folds', marker, [foldId, id]);
    }
  }

  query(
    agentId: string,
    production: boolean | null,
    slice: string,
    fromHour: number,
    toHour: number,
    options?: RollupReadOptions,
  ): Promise<RollupRecord[]> {
    return this.db.exclusive(async (q) => {
      const rows = await q.all(
        `SELECT ${columns(options)} FROM rollups WHERE agent_id = $1 AND slice = $2 AND hour >= $3 AND hour < $4
           AND ($5::BOOLEAN IS NULL OR production = $5::BOOLEAN) ORDER BY hour`,
        [agentId, slice, fromHour, toHour, production],
      );
      return rows.map(toRecord);
    });
  }

  querySlices(
    agentId: string,
    production: boolean | null,
    prefix: string,
    fromHour: number,
    toHour: number,
    options?: RollupReadOptions,
  ): Promise<RollupRecord[]> {
    return this.db.exclusive(async (q) => {
      const rows = await q.all(
        `SELECT ${columns(options)} FROM rollups WHERE agent_id = $1 AND starts_with(slice, $2) AND hour >= $3 AND hour < $4
           AND ($5::BOOLEAN IS NULL OR production = $5::BOOLEAN) ORDER BY slice, hour`,
        [agentId, prefix, fromHour, toHour, production],
      );
      return rows.map(toRecord);
    });
  }

  async admitTagValues(agentId: string, key: string, values: string[], cap: number): Promise<Set<string>> {
    const cacheKey = `${agentId}\u0000${key}`;
    let known = this.admitted.get(cacheKey);
    if (!known) {
      const rows = await this.db.direct((q) =>
        q.all('SELECT tag_value FROM tag_values WHERE agent_id = $1 AND tag_key = $2', [agentId, key]),
      );
      known = this.admitted.get(cacheKey) ?? new Set(rows.map((r) => r.tag_value as string));
      this.admitted.set(cacheKey, known);
    }
    for (const v of values) {
      if (known.has(v) || known.size >= cap) continue;
      known.add(v);
      this.db.stage('tag_values', `${cacheKey}\u0000${v}`, [agentId, key, v]);
    }
    return new Set(values.filter((v) => known.has(v)));
  }
}
