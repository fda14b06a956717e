import { type FormEvent, useState } from 'react';
import type { CompareResponse } from '../../../../../contracts/query-api';
import { Panel } from '../../../components/ui/card';
import { BarChart } from '../../../components/ui/charts/bar-chart';
import { LineChart } from '../../../components/ui/charts/line-chart';
import { choicesOf, SelectLabel } from '../../../components/ui/select-label';
import { Async, Empty, Loading } from '../../../components/ui/states';
import { type Filters, isoDate, windowLengthMs, windowParams } from '../../../lib/filters';
import { formatWindow } from '../../../lib/format';
import { useParams } from '../../../lib/router';
import { useSliceOptions } from '../../filters/api/use-filter-options';
import { tagKeys, tagValues } from '../../filters/lib/options';
import { histogramRange, prepareHistogram } from '../../latency/lib/prepare-latency';
import { prepareCostTrend } from '../../overview/lib/prepare-overview';
import { useCompare, useExperiments, useSideSeries } from '../api/use-compare';
import {
  COMPARE_MODE_LABELS,
  COMPARE_MODES,
  type CompareMode,
  type CompareState,
  compareRequest,
  parseCompareState,
  prepareCompareRows,
  sharedHistogramMax,
  sharedMax,
} from '../lib/prepare-compare';

/** Two slices of traffic side by side: the same figures and charts, with B − A. */
export function CompareScreen({ agentId, filters }: { agentId: string; filters: Filters }) {
  const [params, setParams] = useParams();
  const state = parseCompareState(params);
  const request = compareRequest(state, filters);
  const result = useCompare(agentId, 'params' in request ? request.params : null);

  return (
    <div className="stack">
      <Panel
        title="Compare"
        subtitle="A is the baseline, B the candidate; deltas are B − A"
        id="compare-controls"
      >
        <div className="compare-controls">
          <SelectLabel
            label="Mode"
            ariaLabel="Comparison mode"
            value={state.mode}
            onChange={(v) => setParams({ mode: v === 'previous' ? null : v }, { replace: true })}
            choices={choicesOf(COMPARE_MODES, COMPARE_MODE_LABELS)}
          />
          <ModeInputs agentId={agentId} filters={filters} state={state} mode={state.mode} />
        </div>
        {(state.mode === 'tag' || state.mode === 'experiment') && (filters.tag || filters.model) && (
          <p className="muted small">
            This mode picks its own slices: the tag/model filter above does not apply.
          </p>
        )}
      </Panel>
      {'missing' in request ? (
        <Empty title="Choose what to compare">{request.missing}</Empty>
      ) : (
        <Async state={result} loadingLabel="Comparing…">
          {(r) => <CompareResult agentId={agentId} result={r} />}
        </Async>
      )}
    </div>
  );
}

function ModeInputs({
  agentId,
  filters,
  state,
  mode,
}: {
  agentId: string;
  filters: Filters;
  state: CompareState;
  mode: CompareMode;
}) {
  const [, setParams] = useParams();
  const options = useSliceOptions(agentId, filters);
  const experiments = useExperiments(agentId, windowParams(filters));
  const now = Date.now();
  const len = windowLengthMs(filters, now);
  const [at, setAt] = useState(() =>
    (state.at ?? new Date(Math.floor((now - len / 2) / 3_600_000) * 3_600_000).toISOString()).slice(0, 16),
  );
  const [bf, setBf] = useState(state.baselineFrom ?? isoDate(now - 2 * len));
  const [bt, setBt] = useState(state.baselineTo ?? isoDate(now - len - 86_400_000));

  if (mode === 'previous')
    return <p className="muted">The filter bar's window against the period of the same length before it.</p>;
  if (mode === 'wow')
    return <p className="muted">The last 7 days against the 7 days before (ignores the window above).</p>;
  if (mode === 'before_after') {
    const submit = (e: FormEvent) => {
      e.preventDefault();
      setParams({ at: `${at}:00Z` }, { replace: true });
    };
    return (
      <form className="inline-form" onSubmit={submit} aria-label="Split moment">
        <label>
          Split at (UTC){' '}
          <input type="datetime-local" name="at" value={at} onChange={(e) => setAt(e.target.value)} />
        </label>
        <button type="submit">Compare</button>
        <span className="muted small">A = window start → moment, B = moment → window end.</span>
      </form>
    );
  }
  if (mode === 'windows') {
    const submit = (e: FormEvent) => {
      e.preventDefault();
      if (bf && bt && bf <= bt) setParams({ baseline_from: bf, baseline_to: bt }, { replace: true });
    };
    return (
      <form className="inline-form" onSubmit={submit} aria-label="Baseline window">
        <label>
          Baseline from{' '}
          <input type="date" name="baseline_from" value={bf} onChange={(e) => setBf(e.target.value)} />
        </label>
        <label>
          to <input type="date" name="baseline_to" value={bt} onChange={(e) => setBt(e.target.value)} />
        </label>
        <button type="submit">Compare</button>
        <span className="muted small">B is the window of the filter bar.</span>
      </form>
    );
  }
  if (mode === 'tag') {
    if (!options.data) return <Loading label="Loading tags…" />;
    const keys = tagKeys(options.data);
    if (keys.length === 0) return <p className="muted">No tagged sessions in this window.</p>;
    const key = state.tagKey && keys.includes(state.tagKey) ? state.tagKey : null;
    const values = key ? tagValues(options.data, key) : [];
    return (
      <div className="inline-form">
        <label className="select-label">
          Tag
          <select
            aria-label="Tag key"
            value={key ?? ''}
            onChange={(e) => {
              const v = tagValues(options.data!, e.target.value);
              setParams(
                { tag_key: e.target.value || null, a: v[0] ?? null, b: v[1] ?? null },
                { replace: true },
              );
            }}
          >
            <option value="">— pick —</option>
            {keys.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        {key && (
          <>
            <label className="select-label">
              A
              <select
                aria-label="Value A"
                value={state.a ?? ''}
                onChange={(e) => setParams({ a: e.target.value || null }, { replace: true })}
              >
                <option value="">—</option>
                {values.map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            </label>
            <label className="select-label">
              B
              <select
                aria-label="Value B"
                value={state.b ?? ''}
                onChange={(e) => setParams({ b: e.target.value || null }, { replace: true })}
              >
                <option value="">—</option>
                {values.map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
      </div>
    );
  }
  // experiment
  if (!experiments.data) return <Loading label="Loading experiments…" />;
  const names = experiments.data.rows.map((r) => r.key);
  if (names.length === 0) return <p className="muted">No experiments in this window.</p>;
  return (
    <label className="select-label">
      Experiment
      <select
        aria-label="Experiment"
        value={state.experiment ?? ''}
        onChange={(e) => setParams({ experiment: e.target.value || null }, { replace: true })}
      >
        <option value="">— pick —</option>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </label>
  );
}

function CompareResult({ agentId, result }: { agentId: string; result: CompareResponse }) {
  const rows = prepareCompareRows(result);
  const a = useSideSeries(agentId, result.a);
  const b = useSideSeries(agentId, result.b);
  const costMax = sharedMax(a.cost.data, b.cost.data);
  const histMax = sharedHistogramMax(a.latency.data, b.latency.data);
  const range = histogramRange([a.latency.data?.histogram ?? [], b.latency.data?.histogram ?? []]);
  return (
    <div className="stack" data-compare={result.mode}>
      <div className="card-grid">
        {rows
          .filter((r) => r.headline)
          .map((r) => (
            <div key={r.key} className="stat-card" data-stat={r.label}>
              <div className="stat-label">{r.label}</div>
              <div className="compare-pair">
                <span>
                  <small>A</small> {r.a}
                </span>
                <span>
                  <small>B</small> <strong>{r.b}</strong>
                </span>
              </div>
              <div className={`stat-change tone-${r.tone}`}>{r.delta}</div>
            </div>
          ))}
      </div>
      <div className="grid-2">
        {(['a', 'b'] as const).map((k) => {
          const side = result[k];
          const series = k === 'a' ? a : b;
          return (
            <Panel
              key={k}
              title={`${k.toUpperCase()}: ${side.label}`}
              subtitle={formatWindow(side.window)}
              id={`side-${k}`}
            >
              <Async state={series.cost} loadingLabel="Loading cost…">
                {(s) => (
                  <LineChart
                    id={`compare-cost-${k}`}
                    title={`Cost, ${side.label}`}
                    data={{ ...prepareCostTrend({ ...s, previous_total_usd: 0 }), yMax: costMax }}
                    height={180}
                  />
                )}
              </Async>
              <Async state={series.latency} loadingLabel="Loading durations…">
                {(l) => (
                  <BarChart
                    id={`compare-duration-${k}`}
                    title={`Session durations, ${side.label}`}
                    data={{ ...prepareHistogram(l, range), yMax: histMax }}
                    height={180}
                  />
                )}
              </Async>
            </Panel>
          );
        })}
      </div>
      <Panel title="All figures" id="compare-table">
        <table className="table" aria-label="Comparison">
          <thead>
            <tr>
              <th>Figure</th>
              <th className="num">A · {result.a.label}</th>
              <th className="num">B · {result.b.label}</th>
              <th className="num">B − A</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <td>{r.label}</td>
                <td className="num">{r.a}</td>
                <td className="num">{r.b}</td>
                <td className={`num tone-${r.tone}`}>{r.delta}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
    </div>
  );
}
