import type {
  AgentsSummaryResponse,
  BreakdownResponse,
  BreakdownRow,
  Bucket,
  CompareQuery,
  CompareResponse,
  CostModelsResponse,
  CostSeriesResponse,
  ErrorSeriesResponse,
  LatencyResponse,
  OverviewResponse,
  PercentilesResponse,
} from '../../../contracts/query-api';
import { validationError } from '../errors';
import { HOUR_MS } from '../model';
import type { AgentStore, RollupStore } from '../ports';
import type { PriceBook } from '../pricing/pricing';
import type { SketchName } from '../rollup';
import { Sketch } from '../sketch';
import {
  binMidpoint,
  delta,
  distribution,
  figures,
  kpi,
  type Merged,
  mergeMerged,
  ratio,
  round,
  round0,
} from './figures';
import { filterView, type QueryFilter, requireNoSliceFilter, type SliceChoice, sliceFor } from './filters';
import { readerFor } from './reader';
import { DAY_MS, defaultBucket, iso, makeBuckets, previousWindow, type Window, windowView } from './window';

/** What every aggregate read is about: an agent, a window, a filter. */
export interface AggregateScope {
  agentId: string;
  window: Window;
  filter: QueryFilter;
}

/** One merge of a slice per window. */
function merged(
  rollups: RollupStore,
  agentId: string,
  c: SliceChoice,
  windows: readonly Window[],
  sketches: readonly SketchName[] = [],
): Promise<Merged[]> {
  return readerFor(rollups).buckets(agentId, c.production, c.slice, windows, sketches);
}

/** Per slice under `prefix` (key without the prefix), merged over one window. */
async function family(
  rollups: RollupStore,
  agentId: string,
  production: boolean | null,
  prefix: string,
  w: Window,
  sketches: readonly SketchName[],
): Promise<Map<string, Merged>> {
  const out = new Map<string, Merged>();
  for (const [k, [m]] of await readerFor(rollups).family(agentId, production, prefix, [w], sketches))
    out.set(k, m!);
  return out;
}

/** Overview cards: each KPI with its value in the previous period of the same length. */
export async function overview(rollups: RollupStore, scope: AggregateScope): Promise<OverviewResponse> {
  const choice = sliceFor(scope.filter);
  const prevW = previousWindow(scope.window);
  const [cur, prev] = (await merged(rollups, scope.agentId, choice, [scope.window, prevW])) as [
    Merged,
    Merged,
  ];
  const session = choice.level === 'session';
  const pair = (f: (m: Merged) => number | null, digits = 6, sessionOnly = false) =>
    sessionOnly && !session ? kpi(null, null) : kpi(f(cur), f(prev), digits);
  return {
    agent_id: scope.agentId,
    window: windowView(scope.window),
    previous_window: windowView(prevW),
    filter: filterView(choice),
    kpis: {
      sessions: pair((m) => m.counters.sessions, 3, true),
      avg_duration_ms: pair(
        (m) => ratio(m.counters.sessionDurationSum, m.counters.sessionDurationCount),
        1,
        true,
      ),
      total_cost_usd: pair((m) => m.counters.costUsd),
      avg_cost_usd: pair((m) => ratio(m.counters.sessionCostSum, m.counters.settledSessions), 6, true),
      total_tokens: pair((m) => m.counters.inputTokens + m.counters.outputTokens, 3),
      llm_calls: pair((m) => m.counters.llmCalls, 3),
      error_count: pair((m) => m.counters.errors, 3),
      error_rate: pair((m) => ratio(m.counters.erroredSessions, m.counters.settledSessions), 4, true),
      success_rate: pair(
        (m) => ratio(m.counters.succeededSessions, m.counters.succeededSessions + m.counters.failedSessions),
        4,
        true,
      ),
      avg_eval: pair((m) => ratio(m.counters.evalSum, m.counters.evalCount), 4, true),
    },
    unpriced_events: round0(cur.counters.unpricedEvents, 3),
  };
}

/** Buckets of the window, each merged, and (when asked) the same buckets one period earlier. */
async function bucketed(
  rollups: RollupStore,
  agentId: string,
  choice: SliceChoice,
  w: Window,
  bucket: Bucket,
  sketches: readonly SketchName[],
  withPrevious: boolean,
): Promise<{ buckets: Window[]; cur: Merged[]; prev: Merged[] }> {
  const buckets = makeBuckets(w, bucket);
  const len = w.to - w.from;
  const shifted = withPrevious ? buckets.map((b) => ({ from: b.from - len, to: b.to - len })) : [];
  const all = await merged(rollups, agentId, choice, [...shifted, ...buckets], sketches);
  return { buckets, cur: all.slice(shifted.length), prev: withPrevious ? all.slice(0, shifted.length) : [] };
}

/** Cost by bucket with the previous period beside it, and a month-end projection. */
export async function costSeries(
  rollups: RollupStore,
  scope: AggregateScope,
  bucketParam: Bucket | undefined,
  now: number,
): Promise<CostSeriesResponse> {
  const choice = sliceFor(scope.filter);
  const bucket = bucketParam ?? defaultBucket(scope.window);
  const { buckets, cur, prev } = await bucketed(
    rollups,
    scope.agentId,
    choice,
    scope.window,
    bucket,
    [],
    true,
  );
  const total = cur.reduce((s, m) => s + m.counters.costUsd, 0);
  const prevTotal = prev.reduce((s, m) => s + m.counters.costUsd, 0);
  return {
    agent_id: scope.agentId,
    window: windowView(scope.window),
    previous_window: windowView(previousWindow(scope.window)),
    filter: filterView(choice),
    bucket,
    total_usd: round0(total),
    previous_total_usd: round0(prevTotal),
    points: buckets.map((b, i) => ({
      start: iso(b.from),
      end: iso(b.to),
      cost_usd: round0(cur[i]!.counters.costUsd),
      previous_cost_usd: round0(prev[i]!.counters.costUsd),
      sessions: choice.level === 'session' ? round0(cur[i]!.counters.sessions, 3) : null,
      llm_calls: round0(cur[i]!.counters.llmCalls, 3),
      tokens: round0(cur[i]!.counters.inputTokens + cur[i]!.counters.outputTokens, 3),
    })),
    projection: await projection(rollups, scope.agentId, choice, now),
  };
}

/** Month to date plus the last 7 days' daily average for the days left in the (UTC) month. */
async function projection(
  rollups: RollupStore,
  agentId: string,
  choice: SliceChoice,
  now: number,
): Promise<CostSeriesResponse['projection']> {
  const d = new Date(now);
  const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const monthEnd = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  const end = Math.ceil((now + 1) / HOUR_MS) * HOUR_MS;
  const rateFrom = end - 7 * DAY_MS;
  const [month, week] = (await merged(rollups, agentId, choice, [
    { from: Math.min(monthStart, end), to: end },
    { from: rateFrom, to: end },
  ])) as [Merged, Merged];
  const mtd = month.counters.costUsd;
  const rate = week.counters.costUsd / 7;
  return {
    month_start: iso(monthStart),
    month_end: iso(monthEnd),
    month_to_date_usd: round0(mtd),
    daily_run_rate_usd: round0(rate),
    projected_month_usd: round0(mtd + (rate * Math.max(0, monthEnd - now)) / DAY_MS),
  };
}

const ALL_SKETCHES: SketchName[] = ['sessionCost', 'sessionDuration', 'eventLatency', 'llmCost', 'llmTokens'];

/** Cost, duration and latency percentiles (DDSketch, 1 % relative accuracy). */
export async function percentiles(rollups: RollupStore, scope: AggregateScope): Promise<PercentilesResponse> {
  const choice = sliceFor(scope.filter);
  const [m] = (await merged(rollups, scope.agentId, choice, [scope.window], ALL_SKETCHES)) as [Merged];
  const c = m.counters;
  const session = choice.level === 'session';
  return {
    agent_id: scope.agentId,
    window: windowView(scope.window),
    filter: filterView(choice),
    session_cost_usd: session
      ? distribution(m.sketches.sessionCost, ratio(c.sessionCostSum, c.settledSessions))
      : null,
    session_duration_ms: session
      ? distribution(m.sketches.sessionDuration, ratio(c.sessionDurationSum, c.sessionDurationCount), 1)
      : null,
    event_latency_ms: distribution(m.sketches.eventLatency, ratio(c.latencySumMs, c.latencyCount), 1),
    llm_call_cost_usd: distribution(m.sketches.llmCost),
    llm_call_tokens: distribution(m.sketches.llmTokens, null, 1),
  };
}

const BREAKDOWN_PREFIX: Record<string, [string, 'session' | 'event']> = {
  model: ['model:', 'event'],
  event_type: ['type:', 'event'],
  error_type: ['err:', 'event'],
  experiment: ['exp:', 'session'],
};

export function breakdownPrefix(by: string): [string, 'session' | 'event'] {
  if (by.startsWith('tag:')) return [`tag:${by.slice(4)}=`, 'session'];
  const p = BREAKDOWN_PREFIX[by];
  if (!p) throw validationError('by', 'must be model, event_type, error_type, experiment or tag:<key>');
  return p;
}

function breakdownRow(key: string, m: Merged, level: 'session' | 'event', totalCost: number): BreakdownRow {
  const c = m.counters;
  const session = level === 'session';
  const lat = new Sketch(m.sketches.eventLatency ?? {});
  return {
    key,
    sessions: session ? round0(c.sessions, 3) : null,
    events: round0(c.events, 3),
    llm_calls: round0(c.llmCalls, 3),
    errors: round0(c.errors, 3),
    error_rate: round(session ? ratio(c.erroredSessions, c.settledSessions) : ratio(c.errors, c.events), 4),
    cost_usd: round0(c.costUsd),
    cost_share: round(ratio(c.costUsd, totalCost), 4),
    input_tokens: round0(c.inputTokens, 3),
    output_tokens: round0(c.outputTokens, 3),
    avg_latency_ms: round(ratio(c.latencySumMs, c.latencyCount), 1),
    p95_latency_ms: round(lat.quantile(0.95), 1),
    avg_session_cost_usd: session ? round(ratio(c.sessionCostSum, c.settledSessions)) : null,
    success_rate: session
      ? round(ratio(c.succeededSessions, c.succeededSessions + c.failedSessions), 4)
      : null,
  };
}

/** One row per value of a dimension (model, event type, error category, experiment, tag key), by cost. */
export async function breakdown(
  rollups: RollupStore,
  agentId: string,
  w: Window,
  production: boolean | null,
  by: string,
): Promise<BreakdownResponse> {
  const [prefix, level] = breakdownPrefix(by);
  const all: SliceChoice = { slice: 'all', level: 'session', production };
  const [fam, [total]] = await Promise.all([
    family(rollups, agentId, production, prefix, w, ['eventLatency']),
    merged(rollups, agentId, all, [w]),
  ]);
  const totalCost = total!.counters.costUsd;
  const rows = [...fam].map(([key, m]) => breakdownRow(key, m, level, totalCost));
  rows.sort((a, b) => b.cost_usd - a.cost_usd || b.events - a.events || a.key.localeCompare(b.key));
  return {
    agent_id: agentId,
    window: windowView(w),
    by,
    level,
    production: production ?? 'all',
    total_cost_usd: round0(totalCost),
    rows,
  };
}

/** Cost by model with share of spend and a what-if: the same tokens priced at another model. */
export async function costByModel(
  rollups: RollupStore,
  prices: PriceBook,
  scope: AggregateScope,
  alternative: string | undefined,
  now: number,
): Promise<CostModelsResponse> {
  const f = scope.filter;
  if (f.tags.length > 0 || f.experiment || f.eventType || f.errorType) {
    requireNoSliceFilter(
      { ...f, model: null },
      'cost by model is a breakdown by model; only model and production filter it',
    );
  }
  const alt = alternative ? prices.resolve(alternative, null, now) : null;
  if (alternative && !alt)
    throw validationError('alternative', `unknown model "${alternative}"; see GET /api/prices`);
  const allChoice: SliceChoice = { slice: 'all', level: 'session', production: f.production };
  const [fam, [all]] = await Promise.all([
    family(rollups, scope.agentId, f.production, 'model:', scope.window, []),
    merged(rollups, scope.agentId, allChoice, [scope.window]),
  ]);
  const total = all!.counters.costUsd;
  let whatIfTotal = 0;
  const rows = [...fam]
    .filter(([model]) => f.model === null || model === f.model)
    .map(([model, m]) => {
      const c = m.counters;
      const usage = {
        inputTokens: c.inputTokens,
        outputTokens: c.outputTokens,
        cachedInputTokens: c.cachedInputTokens,
        reasoningTokens: c.reasoningTokens,
      };
      const whatIf = alt
        ? prices.price({ model: alt.model, provider: alt.provider, at: now, usage }).usd
        : null;
      whatIfTotal += whatIf ?? c.costUsd;
      return {
        model,
        llm_calls: round0(c.llmCalls, 3),
        input_tokens: round0(c.inputTokens, 3),
        output_tokens: round0(c.outputTokens, 3),
        cached_input_tokens: round0(c.cachedInputTokens, 3),
        reasoning_tokens: round0(c.reasoningTokens, 3),
        cost_usd: round0(c.costUsd),
        share: round(ratio(c.costUsd, total), 4),
        unpriced_events: round0(c.unpricedEvents, 3),
        what_if_cost_usd: round(whatIf),
        what_if_savings_usd: whatIf === null ? null : round(c.costUsd - whatIf),
      };
    })
    .sort((a, b) => b.cost_usd - a.cost_usd || a.model.localeCompare(b.model));
  return {
    agent_id: scope.agentId,
    window: windowView(scope.window),
    filter: filterView(sliceFor({ ...f, tags: [], experiment: null, eventType: null, errorType: null })),
    total_cost_usd: round0(total),
    alternative: alt
      ? {
          model: alt.model,
          provider: alt.provider,
          input_per_mtok: alt.inputPerMTok,
          output_per_mtok: alt.outputPerMTok,
        }
      : null,
    rows,
    what_if_total_usd: alt ? round(whatIfTotal) : null,
  };
}

/**
 * Errors per bucket, by category. Categories come from the err:<category> slices, so they are given
 * unfiltered, or for the one category an error_type filter names; under another filter they are omitted.
 */
export async function errorSeries(
  rollups: RollupStore,
  scope: AggregateScope,
  bucketParam: Bucket | undefined,
): Promise<ErrorSeriesResponse> {
  const choice = sliceFor(scope.filter);
  const bucket = bucketParam ?? defaultBucket(scope.window);
  const w = scope.window;
  const { buckets, cur } = await bucketed(rollups, scope.agentId, choice, w, bucket, [], false);
  const byCat = buckets.map(() => ({}) as Record<string, number>);
  if (choice.slice === 'all') {
    for (const [cat, perBucket] of await readerFor(rollups).family(
      scope.agentId,
      choice.production,
      'err:',
      buckets,
      [],
    )) {
      perBucket.forEach((m, i) => {
        if (m.counters.errors) byCat[i]![cat] = m.counters.errors;
      });
    }
  } else if (scope.filter.errorType) {
    cur.forEach((m, i) => {
      if (m.counters.errors) byCat[i]![scope.filter.errorType!] = m.counters.errors;
    });
  }
  const session = choice.level === 'session';
  const totalCat: Record<string, number> = {};
  for (const b of byCat) for (const [k, v] of Object.entries(b)) totalCat[k] = (totalCat[k] ?? 0) + v;
  const roundMap = (o: Record<string, number>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round0(v, 3)]));
  const all = cur.reduce(
    (acc, m) => {
      acc.errors += m.counters.errors;
      acc.errored += m.counters.erroredSessions;
      acc.settled += m.counters.settledSessions;
      return acc;
    },
    { errors: 0, errored: 0, settled: 0 },
  );
  return {
    agent_id: scope.agentId,
    window: windowView(w),
    filter: filterView(choice),
    bucket,
    totals: {
      errors: round0(all.errors, 3),
      by_category: roundMap(totalCat),
      error_rate: session ? round(ratio(all.errored, all.settled), 4) : null,
    },
    points: buckets.map((b, i) => ({
      start: iso(b.from),
      end: iso(b.to),
      errors: round0(cur[i]!.counters.errors, 3),
      by_category: roundMap(byCat[i]!),
      errored_sessions: session ? round0(cur[i]!.counters.erroredSessions, 3) : null,
      error_rate: session
        ? round(ratio(cur[i]!.counters.erroredSessions, cur[i]!.counters.settledSessions), 4)
        : null,
    })),
  };
}

/** Display edges (ms) for the session duration histogram. */
export const DURATION_EDGES_MS = [
  0, 100, 250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000,
  3_600_000,
];

export function histogram(bins: Record<string, number> | undefined): LatencyResponse['histogram'] {
  const counts = DURATION_EDGES_MS.map(() => 0);
  for (const [k, w] of Object.entries(bins ?? {})) {
    if (w <= 0) continue;
    const v = binMidpoint(k);
    let i = DURATION_EDGES_MS.length - 1;
    while (i > 0 && v < DURATION_EDGES_MS[i]!) i--;
    counts[i]! += w;
  }
  return DURATION_EDGES_MS.map((min, i) => ({
    min_ms: min,
    max_ms: DURATION_EDGES_MS[i + 1] ?? null,
    count: round0(counts[i]!, 3),
  }));
}

/** Session durations (distribution, histogram, trend) and event latencies by type and by model. */
export async function latency(
  rollups: RollupStore,
  scope: AggregateScope,
  bucketParam: Bucket | undefined,
): Promise<LatencyResponse> {
  const choice = sliceFor(scope.filter);
  const bucket = bucketParam ?? defaultBucket(scope.window);
  const w = scope.window;
  const f = scope.filter;
  const sketches: SketchName[] = ['sessionDuration', 'eventLatency'];
  const latencies = async (prefix: string, only: string | null, allowed: boolean) => {
    if (!allowed) return [];
    const fam = await family(rollups, scope.agentId, f.production, prefix, w, ['eventLatency']);
    return [...fam]
      .filter(([k]) => only === null || k === only)
      .map(
        ([k, m]) =>
          [
            k,
            distribution(m.sketches.eventLatency, ratio(m.counters.latencySumMs, m.counters.latencyCount), 1),
          ] as const,
      )
      .sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]));
  };
  const [series, byType, byModel] = await Promise.all([
    bucketed(rollups, scope.agentId, choice, w, bucket, sketches, false),
    latencies('type:', f.eventType, choice.slice === 'all' || f.eventType !== null),
    latencies('model:', f.model, choice.slice === 'all' || f.model !== null),
  ]);
  const total = mergeMerged(series.cur, ['sessionDuration']);
  const session = choice.level === 'session';
  const c = total.counters;
  return {
    agent_id: scope.agentId,
    window: windowView(w),
    filter: filterView(choice),
    bucket,
    session_duration_ms: session
      ? distribution(total.sketches.sessionDuration, ratio(c.sessionDurationSum, c.sessionDurationCount), 1)
      : null,
    histogram: session ? histogram(total.sketches.sessionDuration) : [],
    by_event_type: byType.map(([event_type, latency_ms]) => ({ event_type, latency_ms })),
    by_model: byModel.map(([model, latency_ms]) => ({ model, latency_ms })),
    points: series.buckets.map((b, i) => {
      const m = series.cur[i]!;
      const dur = new Sketch(m.sketches.sessionDuration ?? {});
      const lat = new Sketch(m.sketches.eventLatency ?? {});
      return {
        start: iso(b.from),
        end: iso(b.to),
        session_p50_ms: session ? round(dur.quantile(0.5), 1) : null,
        session_p95_ms: session ? round(dur.quantile(0.95), 1) : null,
        session_p99_ms: session ? round(dur.quantile(0.99), 1) : null,
        event_p50_ms: round(lat.quantile(0.5), 1),
        event_p95_ms: round(lat.quantile(0.95), 1),
      };
    }),
  };
}

interface CompareSideSpec {
  label: string;
  window: Window;
  choice: SliceChoice;
}

async function side(rollups: RollupStore, agentId: string, s: CompareSideSpec) {
  const [m] = (await merged(
    rollups,
    agentId,
    s.choice,
    [s.window],
    ['sessionCost', 'sessionDuration', 'eventLatency'],
  )) as [Merged];
  return {
    label: s.label,
    window: windowView(s.window),
    filter: filterView(s.choice),
    figures: figures(m, s.choice.level === 'session'),
  };
}

const alignHour = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** Two sides (a = baseline, b = candidate) merged from rollups, with b − a for every figure. */
export async function compare(
  rollups: RollupStore,
  scope: AggregateScope,
  q: Pick<CompareQuery, 'mode' | 'baseline_from' | 'baseline_to' | 'at' | 'tag_key' | 'a' | 'b'>,
  parseWindow: (from: string | undefined, to: string | undefined) => Window,
): Promise<CompareResponse> {
  const w = scope.window;
  const f = scope.filter;
  let a: CompareSideSpec;
  let b: CompareSideSpec;
  switch (q.mode) {
    case 'previous': {
      const choice = sliceFor(f);
      a = { label: 'previous period', window: previousWindow(w), choice };
      b = { label: 'current period', window: w, choice };
      break;
    }
    case 'windows': {
      if (!q.baseline_from) throw validationError('baseline_from', 'is required when mode=windows');
      if (!q.baseline_to) throw validationError('baseline_to', 'is required when mode=windows');
      const choice = sliceFor(f);
      a = { label: 'baseline', window: parseWindow(q.baseline_from, q.baseline_to), choice };
      b = { label: 'window', window: w, choice };
      break;
    }
    case 'before_after': {
      if (!q.at) throw validationError('at', 'is required when mode=before_after');
      const at = alignHour(Date.parse(q.at));
      if (!(at > w.from && at < w.to))
        throw validationError('at', 'must fall inside the window (from < at < to)');
      const choice = sliceFor(f);
      a = { label: `before ${iso(at)}`, window: { from: w.from, to: at }, choice };
      b = { label: `after ${iso(at)}`, window: { from: at, to: w.to }, choice };
      break;
    }
    case 'tag': {
      if (!q.tag_key) throw validationError('tag_key', 'is required when mode=tag');
      if (!q.a) throw validationError('a', 'is required when mode=tag (the first tag value)');
      if (!q.b) throw validationError('b', 'is required when mode=tag (the second tag value)');
      requireNoSliceFilter(f, 'mode=tag compares two tag slices; only production filters it');
      const choiceOf = (value: string): SliceChoice => sliceFor({ ...f, tags: [{ key: q.tag_key!, value }] });
      a = { label: `${q.tag_key}:${q.a}`, window: w, choice: choiceOf(q.a) };
      b = { label: `${q.tag_key}:${q.b}`, window: w, choice: choiceOf(q.b) };
      break;
    }
    case 'experiment': {
      if (!f.experiment) throw validationError('experiment', 'is required when mode=experiment');
      requireNoSliceFilter(
        { ...f, experiment: null },
        'mode=experiment compares the experiment with production',
      );
      a = { label: 'production', window: w, choice: { slice: 'all', level: 'session', production: true } };
      b = {
        label: `experiment ${f.experiment}`,
        window: w,
        choice: {
          slice: `exp:${f.experiment}`,
          level: 'session',
          production: f.production === true ? null : f.production,
        },
      };
      break;
    }
  }
  const [sa, sb] = await Promise.all([side(rollups, scope.agentId, a), side(rollups, scope.agentId, b)]);
  const deltas: CompareResponse['deltas'] = {};
  for (const k of Object.keys(sa.figures) as Array<keyof typeof sa.figures>) {
    deltas[k] = delta(sa.figures[k], sb.figures[k]);
  }
  return { agent_id: scope.agentId, mode: q.mode, a: sa, b: sb, deltas };
}

/** The agents list: sessions, cost and error rate per agent over the window, with the previous period. */
export async function agentsSummary(
  rollups: RollupStore,
  agents: AgentStore,
  visible: (agentId: string) => boolean,
  w: Window,
  production: boolean | null,
): Promise<AgentsSummaryResponse> {
  const prevW = previousWindow(w);
  const list = (await agents.list()).filter((a) => visible(a.agentId));
  const rows = await Promise.all(
    list.map(async (a) => {
      const [cur, prev] = (await merged(rollups, a.agentId, { slice: 'all', level: 'session', production }, [
        w,
        prevW,
      ])) as [Merged, Merged];
      const rate = (m: Merged) => round(ratio(m.counters.erroredSessions, m.counters.settledSessions), 4);
      return {
        agent_id: a.agentId,
        created_at: iso(a.createdAt),
        sessions: round0(cur.counters.sessions, 3),
        cost_usd: round0(cur.counters.costUsd),
        errors: round0(cur.counters.errors, 3),
        error_rate: rate(cur),
        previous: {
          sessions: round0(prev.counters.sessions, 3),
          cost_usd: round0(prev.counters.costUsd),
          error_rate: rate(prev),
        },
      };
    }),
  );
  return { window: windowView(w), production: production ?? 'all', agents: rows };
}
