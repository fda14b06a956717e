import type { MetricFamily } from '../../../contracts/alerts';
import type { Baseline, BaselineStore, IncidentStore } from '../alert-ports';
import type { AlertConfig } from '../alerts/config';
import { epochHour, HOUR_MS } from '../model';
import type { AgentStore, Clock, RollupStore } from '../ports';
import { OTHER_TAG_VALUE, type RollupRecord } from '../rollup';
import { computeBaseline } from './compute';
import { utcDate } from './hour-of-week';

export interface BaselineDeps {
  rollups: RollupStore;
  agents: AgentStore;
  baselines: BaselineStore;
  incidents: IncidentStore;
  clock: Clock;
  alertConfig: AlertConfig;
}

const DAY_MS = 86_400_000;

export const byHour = (records: RollupRecord[]): Map<number, RollupRecord> =>
  new Map(records.map((r) => [r.key.hour, r]));

/**
 * Hours each metric family leaves out of a baseline: the affected windows of anomaly incidents that
 * overlap it, at most `maxExcludedHours` of each (a lasting change becomes the new normal).
 */
export async function excludedHours(
  deps: Pick<BaselineDeps, 'incidents' | 'alertConfig'>,
  agentId: string,
  fromMs: number,
  toMs: number,
  now: number,
): Promise<Map<MetricFamily, Set<number>>> {
  const out = new Map<MetricFamily, Set<number>>();
  let cursor: string | null = null;
  do {
    const page = await deps.incidents.list(
      { agentId, source: 'anomaly', from: fromMs, to: toMs },
      cursor,
      200,
    );
    for (const i of page.items) {
      if (!i.family) continue;
      const first = epochHour(i.windowFrom);
      const last = Math.min(epochHour(i.windowTo ?? now), first + deps.alertConfig.maxExcludedHours - 1);
      const set = out.get(i.family) ?? new Set<number>();
      for (let h = first; h <= last; h++) set.add(h);
      out.set(i.family, set);
    }
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** Slices busy enough for a baseline of their own (tag values, experiments, models), busiest first. */
function busySlices(records: RollupRecord[], config: AlertConfig): string[] {
  const totals = new Map<string, { sessions: number; events: number }>();
  for (const r of records) {
    const t = totals.get(r.key.slice) ?? { sessions: 0, events: 0 };
    t.sessions += r.counters.sessions;
    t.events += r.counters.events;
    totals.set(r.key.slice, t);
  }
  return [...totals]
    .filter(([slice, t]) =>
      slice.startsWith('model:')
        ? t.events >= config.minSliceEvents
        : !slice.endsWith(`=${OTHER_TAG_VALUE}`) && t.sessions >= config.minSliceSessions,
    )
    .sort((a, b) => b[1].events - a[1].events || (a[0] < b[0] ? -1 : 1))
    .slice(0, config.maxSlices)
    .map(([slice]) => slice);
}

export interface BaselineRunResult {
  agents: number;
  baselines: number;
  warmingUp: number;
  /** Baselines deleted because their retention had passed (0 where the store's TTL deletes them). */
  pruned: number;
  /** Agents left alone because they already had today's baseline (`onlyMissing`). */
  skipped: number;
}

export interface BaselineRunOptions {
  /**
   * Only agents without a baseline dated today. A process that starts (or checks hourly) catches up on
   * a missed daily run without re-baselining today over hours that may hold an anomaly not yet flagged.
   */
  onlyMissing?: boolean;
}

/**
 * The daily baseline job: for each agent, a baseline of its traffic (slice `all`) and of each busy slice,
 * from the trailing window ending at the current hour, leaving out periods already flagged as anomalous.
 * Stored under today's date (a rerun the same day replaces it), so every day's baseline can be charted,
 * and kept for `baseline.retentionDays` (older ones are deleted here, or by DynamoDB's TTL).
 */
export async function runBaselines(
  deps: BaselineDeps,
  agentIds?: string[],
  options: BaselineRunOptions = {},
): Promise<BaselineRunResult> {
  const now = deps.clock.now();
  const cfg = deps.alertConfig;
  const toHour = epochHour(now);
  const fromHour = toHour - cfg.baseline.windowDays * 24;
  const production = cfg.production;
  const keep = cfg.baseline.retentionDays * DAY_MS;
  const agents = agentIds ?? (await deps.agents.list()).map((a) => a.agentId);
  const result: BaselineRunResult = {
    agents: agents.length,
    baselines: 0,
    warmingUp: 0,
    pruned: 0,
    skipped: 0,
  };
  const today = utcDate(now);
  for (const agentId of agents) {
    if (options.onlyMissing) {
      const q = { agentId, production, fromDate: today, toDate: today, slice: 'all' };
      if ((await deps.baselines.list(q)).length > 0) {
        result.skipped++;
        continue;
      }
    }
    const excluded = await excludedHours(deps, agentId, fromHour * HOUR_MS, toHour * HOUR_MS, now);
    const sliced: RollupRecord[] = [];
    for (const prefix of ['tag:', 'exp:', 'model:']) {
      sliced.push(...(await deps.rollups.querySlices(agentId, production, prefix, fromHour, toHour)));
    }
    const all = await deps.rollups.query(agentId, production, 'all', fromHour, toHour);
    const inputs: Array<[string, RollupRecord[]]> = [['all', all]];
    for (const slice of busySlices(sliced, cfg)) {
      inputs.push([slice, sliced.filter((r) => r.key.slice === slice)]);
    }
    for (const [slice, records] of inputs) {
      if (slice === 'all' && records.length === 0) continue;
      const baseline = computeBaseline({
        agentId,
        slice,
        production,
        asOf: now,
        computedAt: now,
        hourly: byHour(records),
        excluded,
        settings: cfg.baseline,
      });
      await deps.baselines.put(baseline, Date.parse(baseline.date) + keep);
      result.baselines++;
      if (baseline.status === 'warming_up' && slice === 'all') result.warmingUp++;
    }
    // A baseline dated D is kept while now < D + retention (the same moment its TTL falls due).
    result.pruned += await deps.baselines.prune(agentId, utcDate(now - keep + DAY_MS));
  }
  return result;
}

/**
 * The newest baseline per slice that applies at `now`: today's, or while today's is not computed yet
 * (the daily job runs after midnight) the most recent of the two days before.
 */
export async function latestBaselines(
  deps: Pick<BaselineDeps, 'baselines' | 'alertConfig'>,
  agentId: string,
  now: number,
  slice?: string,
): Promise<Map<string, Baseline>> {
  const q = { agentId, production: deps.alertConfig.production, slice };
  let list = await deps.baselines.list({ ...q, fromDate: utcDate(now), toDate: utcDate(now) });
  if (!list.some((b) => b.slice === (slice ?? 'all'))) {
    list = await deps.baselines.list({ ...q, fromDate: utcDate(now - 2 * DAY_MS), toDate: utcDate(now) });
  }
  const out = new Map<string, Baseline>();
  for (const b of list) {
    const prev = out.get(b.slice);
    if (!prev || b.date > prev.date || (b.date === prev.date && b.computedAt >= prev.computedAt)) {
      out.set(b.slice, b);
    }
  }
  return out;
}
