import { CardGrid, Panel, StatCard } from '../../../components/ui/card';
import { LineChart } from '../../../components/ui/charts/line-chart';
import { Async, Empty } from '../../../components/ui/states';
import { describeWindow, type Filters } from '../../../lib/filters';
import { useParams } from '../../../lib/router';
import { useSliceOptions } from '../../filters/api/use-filter-options';
import { tagKeys } from '../../filters/lib/options';
import { useQuality } from '../api/use-quality';
import {
  prepareQualityFigures,
  prepareQualityTrend,
  prepareRubrics,
  prepareSliceRows,
} from '../lib/prepare-quality';

const SLICE = /^(experiment|tag:[^:=,]{1,64})$/;

/** "Is it doing the job?" — success rate, session evals and rubric results, over time and by slice. */
export function QualityScreen({ agentId, filters }: { agentId: string; filters: Filters }) {
  const [params, setParams] = useParams();
  const byRaw = params.get('by');
  const by = byRaw && SLICE.test(byRaw) ? byRaw : 'experiment';
  const state = useQuality(agentId, filters, by);
  const options = useSliceOptions(agentId, filters);
  const keys = options.data ? tagKeys(options.data) : [];

  return (
    <Async state={state}>
      {(q) => (
        <div className="stack">
          <CardGrid>
            {prepareQualityFigures(q).map((f) => (
              <StatCard
                key={f.id}
                label={f.label}
                value={f.value}
                change={f.change}
                tone={f.tone}
                detail={f.detail}
              />
            ))}
          </CardGrid>
          <Panel title="Success and evals over time" subtitle={describeWindow(filters)} id="quality-trend">
            <LineChart
              id="quality-trend"
              title="Success rate and average eval over time"
              data={prepareQualityTrend(q)}
            />
          </Panel>
          <Panel
            title="By slice"
            subtitle="The same figures per experiment or tag value"
            id="quality-slices"
            actions={
              <label className="select-label">
                Slice by
                <select
                  aria-label="Slice by"
                  value={by}
                  onChange={(e) =>
                    setParams(
                      { by: e.target.value === 'experiment' ? null : e.target.value },
                      { replace: true },
                    )
                  }
                >
                  <option value="experiment">experiment</option>
                  {keys.map((k) => (
                    <option key={k} value={`tag:${k}`}>
                      tag {k}
                    </option>
                  ))}
                </select>
              </label>
            }
          >
            {q.rows.length === 0 ? (
              <Empty title="No sessions in any slice">
                {by === 'experiment'
                  ? 'Experiments run outside production: pick "Experiments & tests" or "All traffic" above.'
                  : null}
              </Empty>
            ) : (
              <table className="table" aria-label="Quality by slice">
                <thead>
                  <tr>
                    <th>{by}</th>
                    <th className="num">Settled</th>
                    <th>Success rate</th>
                    <th className="num">Failed</th>
                    <th className="num">Avg eval</th>
                  </tr>
                </thead>
                <tbody>
                  {prepareSliceRows(q).map((r) => (
                    <tr key={r.key}>
                      <td className="mono">{r.key}</td>
                      <td className="num">{r.settled}</td>
                      <td>
                        <div className="share">
                          <span className="share-bar share-good" style={{ width: `${r.successWidth}%` }} />
                          <span>{r.success}</span>
                        </div>
                      </td>
                      <td className="num">{r.failed}</td>
                      <td className="num">{r.avgEval}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Panel>
          <Panel
            title="Rubrics"
            subtitle="Per-rubric evaluation results of the sessions in the window"
            id="rubrics"
          >
            {q.rubrics === null ? (
              <Empty title="Rubric results are not available from this store" />
            ) : q.rubrics.length === 0 ? (
              <Empty title="No rubric results in this window">
                Send evaluations with the SDK's evals API to see them here.
              </Empty>
            ) : (
              <div className="rubrics">
                {prepareRubrics(q.rubrics, q.bucket).map((r) => (
                  <div key={r.name} className="rubric" data-rubric={r.name}>
                    <div className="rubric-head">
                      <strong>{r.name}</strong> <span className="badge">{r.kind}</span>
                    </div>
                    <div className="stat-value">{r.headline}</div>
                    <div className="muted small">{r.detail}</div>
                    {r.trend && (
                      <LineChart
                        id={`rubric-${r.name}`}
                        title={`${r.name} over time`}
                        data={r.trend}
                        width={360}
                        height={130}
                      />
                    )}
                    {r.topValues.length > 0 && (
                      <ul className="top-values">
                        {r.topValues.map((v) => (
                          <li key={v.value}>
                            <span className="mono">{v.value}</span>
                            <span className="share">
                              <span className="share-bar" style={{ width: `${v.width}%` }} />
                              <span>{v.count}</span>
                            </span>
                          </li>
                        ))}
                      </ul>
                    )}
                  </div>
                ))}
              </div>
            )}
            {q.rubrics_truncated && <p className="muted small">Only the most recent results were read.</p>}
          </Panel>
        </div>
      )}
    </Async>
  );
}
