import type { RollupStore } from '../../domain/ports';
import {
  applyDelta,
  emptyRecord,
  type RollupDelta,
  type RollupKey,
  type RollupRecord,
  rollupKeyString,
} from '../../domain/rollup';
import type { DuckDbDatabase, Queries } from './database';

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

/** Hourly rollups; one row per (agent, production, slice, hour). Apply is one transaction per fold. */
export class DuckDbRollupStore implements RollupStore {
  private readonly admitted = new Map<string, Set<string>>();

  constructor(private readonly db: DuckDbDatabase) {}

  apply(foldId: string, deltas: RollupDelta[]): Promise<void> {
    if (deltas.length === 0) return Promise.resolve();
    return this.db.tx(async (q) => {
      const pending = await this.unapplied(q, foldId, deltas);
      if (pending.length === 0) return;
      const current = await this.readMany(
        q,
        pending.map((d) => d.key),
      );
      for (const d of pending) {
        const id = rollupKeyString(d.key);
        const rec = applyDelta(current.get(id) ?? emptyRecord(d.key), d);
        await q.run(
          `INSERT INTO rollups VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (agent_id, production, slice, hour) DO UPDATE SET counters = excluded.counters, sketches = excluded.sketches`,
          [
            d.key.agentId,
            d.key.production,
            d.key.slice,
            d.key.hour,
            JSON.stringify(compact(rec.counters)),
            JSON.stringify(rec.sketches),
          ],
        );
        await q.run('INSERT INTO rollup_folds VALUES ($1, $2)', [foldId, id]);
      }
    });
  }

  private async unapplied(q: Queries, foldId: string, deltas: RollupDelta[]): Promise<RollupDelta[]> {
    const rows = await q.all('SELECT rollup_key FROM rollup_folds WHERE fold_id = $1', [foldId]);
    if (rows.length === 0) return deltas;
    const done = new Set(rows.map((r) => r.rollup_key as string));
    return deltas.filter((d) => !done.has(rollupKeyString(d.key)));
  }

  private async readMany(q: Queries, keys: RollupKey[]): Promise<Map<string, RollupRecord>> {
    const out = new Map<string, RollupRecord>();
    const byAgent = new Map<string, RollupKey[]>();
    for (const k of keys) byAgent.set(k.agentId, [...(byAgent.get(k.agentId) ?? []), k]);
    for (const [agentId, list] of byAgent) {
      const hours = [...new Set(list.map((k) => k.hour))];
      const rows = await q.all(
        `SELECT * FROM rollups WHERE agent_id = $1 AND hour IN (${hours.map((_, i) => `$${i + 2}`).join(',')})`,
        [agentId, ...hours],
      );
      for (const r of rows) {
        const rec = toRecord(r);
        out.set(rollupKeyString(rec.key), rec);
      }
    }
    return out;
  }

  release(foldId: string, _keys: RollupKey[]): Promise<void> {
    return this.db.exclusive((q) => q.run('DELETE FROM rollup_folds WHERE fold_id = $1', [foldId]));
  }

  query(
    agentId: string,
    production: boolean | null,
    slice: string,
    fromHour: number,
    toHour: number,
  ): Promise<RollupRecord[]> {
    return this.db.exclusive(async (q) => {
      const rows = await q.all(
        `SELECT * FROM rollups WHERE agent_id = $1 AND slice = $2 AND hour >= $3 AND hour < $4
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
  ): Promise<RollupRecord[]> {
    return this.db.exclusive(async (q) => {
      const rows = await q.all(
        `SELECT * FROM rollups WHERE agent_id = $1 AND starts_with(slice, $2) AND hour >= $3 AND hour < $4
           AND ($5::BOOLEAN IS NULL OR production = $5::BOOLEAN) ORDER BY slice, hour`,
        [agentId, prefix, fromHour, toHour, production],
      );
      return rows.map(toRecord);
    });
  }

  async admitTagValues(agentId: string, key: string, values: string[], cap: number): Promise<Set<string>> {
    const cacheKey = `${agentId}\u0000${key}`;
    const known = this.admitted.get(cacheKey) ?? new Set<string>();
    if (values.every((v) => known.has(v))) return new Set(values);
    return this.db.tx(async (q) => {
      const rows = await q.all('SELECT tag_value FROM tag_values WHERE agent_id = $1 AND tag_key = $2', [
        agentId,
        key,
      ]);
      const all = new Set(rows.map((r) => r.tag_value as string));
      for (const v of values) {
        if (all.has(v) || all.size >= cap) continue;
        await q.run('INSERT INTO tag_values VALUES ($1, $2, $3)', [agentId, key, v]);
        all.add(v);
      }
      this.admitted.set(cacheKey, all);
      return new Set(values.filter((v) => all.has(v)));
    });
  }
}

function compact(counters: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(counters)) if (v !== 0) out[k] = v;
  return out;
}
