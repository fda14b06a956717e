import type { Bucket, QualityResponse, RubricView } from '../../../contracts/query-api';
import { validationError } from '../errors';
import { HOUR_MS, type RubricResult } from '../model';
import type { RollupStore, SessionSearch, SessionStore } from '../ports';
import type { AggregateScope } from './aggregates';
import { type Merged, mergeMerged, ratio, round, round0 } from './figures';
import { filterView, requireNoSliceFilter, sliceFor } from './filters';
import { readerFor } from './reader';
import { bucketIndex, defaultBucket, iso, makeBuckets, previousWindow, windowView } from './window';

const MAX_EVAL_RESULTS = 50_000;

function qualityFigures(m: Merged) {
  const c = m.counters;
  return {
    settled_sessions: round0(c.settledSessions, 3),
    success_rate: round(ratio(c.succeededSessions, c.succeededSessions + c.failedSessions), 4),
    succeeded: round0(c.succeededSessions, 3),
    failed: round0(c.failedSessions, 3),
    avg_eval: round(ratio(c.evalSum, c.evalCount), 4),
    evals: round0(c.evalCount, 3),
  };
}

const _hour = (ms: number) => Math.floor(ms / HOUR_MS);

/**
 * Quality: success rate and session_eval (from rollups) over time, against the previous period and by
 * slice; per-rubric results (Session.evals) from the session store. Quality is a session-level figure,
 * so event-level filters (model, event_type, error_type) are rejected.
 */
export async function quality(
  deps: { rollups: RollupStore; sessions: SessionStore },
  scope: AggregateScope,
  bucketParam: Bucket | undefined,
  by: string | undefined,
): Promise<QualityResponse> {
  const choice = sliceFor(scope.filter);
  if (choice.level === 'event') {
    const field = scope.filter.model ? 'model' : scope.filter.eventType ? 'event_type' : 'error_type';
    throw validationError(
      field,
      'cannot filter quality: success and evals are per session; filter by tag or experiment',
    );
  }
  if (by)
    requireNoSliceFilter(
      scope.filter,
      'quality by slice breaks down by that slice; only production filters it',
    );
  const w = scope.window;
  const prevW = previousWindow(w);
  const bucket = bucketParam ?? defaultBucket(w);
  const buckets = makeBuckets(w, bucket);
  const reader = readerFor(deps.rollups);
  const [prev, ...points] = await reader.buckets(
    scope.agentId,
    choice.production,
    choice.slice,
    [prevW, ...buckets],
    [],
  );
  const total = mergeMerged(points, []);
  const rows: QualityResponse['rows'] = [];
  if (by) {
    const prefix = by === 'experiment' ? 'exp:' : `tag:${by.slice(4)}=`;
    for (const [key, [m]] of await reader.family(scope.agentId, choice.production, prefix, [w], [])) {
      rows.push({ key, ...qualityFigures(m!) });
    }
    rows.sort((a, b) => b.settled_sessions - a.settled_sessions || a.key.localeCompare(b.key));
  }
  let rubrics: RubricView[] | null = null;
  let truncated = false;
  if (deps.sessions.listEvals) {
    const q: SessionSearch = {
      agentId: scope.agentId,
      from: w.from,
      to: w.to,
      production: scope.filter.production,
      tags: scope.filter.tags,
      experimentId: scope.filter.experiment,
      model: null,
      eventType: null,
      errorCategory: null,
      fingerprint: null,
      status: null,
      hasError: null,
      minCostUsd: null,
      sort: 'started_at',
      order: 'desc',
    };
    const evals = await deps.sessions.listEvals(q, MAX_EVAL_RESULTS);
    truncated = evals.truncated;
    rubrics = rubricViews(evals.items, buckets);
  }
  return {
    agent_id: scope.agentId,
    window: windowView(w),
    filter: filterView(choice),
    bucket,
    totals: qualityFigures(total),
    previous: qualityFigures(prev!),
    points: buckets.map((b, i) => ({ start: iso(b.from), end: iso(b.to), ...qualityFigures(points[i]!) })),
    by: by ?? null,
    rows,
    rubrics,
    rubrics_truncated: truncated,
  };
}

interface RubricAcc {
  type: RubricResult['resultType'];
  count: number;
  passes: number;
  sum: number;
  numbers: number;
  min: number | null;
  max: number | null;
  values: Map<string, number>;
  points: Array<{ count: number; passes: number; sum: number; numbers: number }>;
}

/** Per rubric (name): counts, pass rate (boolean), avg/min/max (number), top values (string), per bucket. */
export function rubricViews(
  items: Array<{ startedAt: number; result: RubricResult }>,
  buckets: Array<{ from: number; to: number }>,
): RubricView[] {
  const acc = new Map<string, RubricAcc>();
  for (const { startedAt, result } of items) {
    let a = acc.get(result.name);
    if (!a) {
      a = {
        type: result.resultType,
        count: 0,
        passes: 0,
        sum: 0,
        numbers: 0,
        min: null,
        max: null,
        values: new Map(),
        points: buckets.map(() => ({ count: 0, passes: 0, sum: 0, numbers: 0 })),
      };
      acc.set(result.name, a);
    }
    const i = bucketIndex(buckets, startedAt);
    const p = i >= 0 ? a.points[i]! : null;
    a.count++;
    if (p) p.count++;
    const v = result.result;
    if (typeof v === 'boolean') {
      if (v) {
        a.passes++;
        if (p) p.passes++;
      }
    } else if (typeof v === 'number') {
      a.sum += v;
      a.numbers++;
      a.min = a.min === null ? v : Math.min(a.min, v);
      a.max = a.max === null ? v : Math.max(a.max, v);
      if (p) {
        p.sum += v;
        p.numbers++;
      }
    } else {
      a.values.set(v, (a.values.get(v) ?? 0) + 1);
    }
  }
  return [...acc]
    .map(([name, a]) => ({
      name,
      result_type: a.type,
      count: a.count,
      pass_rate: a.type === 'boolean' ? round(ratio(a.passes, a.count), 4) : null,
      avg: a.numbers > 0 ? round(a.sum / a.numbers, 4) : null,
      min: a.min,
      max: a.max,
      top_values: [...a.values]
        .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
        .slice(0, 10)
        .map(([value, count]) => ({ value, count })),
      points: buckets.map((b, i) => {
        const p = a.points[i]!;
        return {
          start: iso(b.from),
          count: p.count,
          pass_rate: a.type === 'boolean' ? round(ratio(p.passes, p.count), 4) : null,
          avg: p.numbers > 0 ? round(p.sum / p.numbers, 4) : null,
        };
      }),
    }))
    .sort((x, y) => y.count - x.count || x.name.localeCompare(y.name));
}
