import { CardGrid, Panel, StatCard } from '../../../components/ui/card';
import { BarChart } from '../../../components/ui/charts/bar-chart';
import { Group } from '../../../components/ui/group';
import { Link } from '../../../components/ui/link';
import { Async, Empty } from '../../../components/ui/states';
import { DataTable, num } from '../../../components/ui/table';
import { describeWindow, type Filters } from '../../../lib/filters';
import { formatUsd } from '../../../lib/format';
import { useParams, useSearch } from '../../../lib/router';
import { sessionHref } from '../../../lib/routes';
import { useCostBuckets, useCostModels, usePercentiles, usePrices, useTopSessions } from '../api/use-cost';
import {
  COST_BUCKET_LABELS,
  COST_BUCKETS,
  parseCostBucket,
  prepareAlternatives,
  prepareCostBars,
  prepareCostPercentiles,
  prepareModels,
  prepareOutliers,
} from '../lib/prepare-cost';

/** "Where does the money go?" — spend over time, per session, per outlier and per model. */
export function CostScreen({ agentId, filters }: { agentId: string; filters: Filters }) {
  const [params, setParams] = useParams();
  const search = useSearch();
  const bucket = parseCostBucket(params.get('bucket'));
  const alternative = params.get('alt');
  const series = useCostBuckets(agentId, filters, bucket);
  const pct = usePercentiles(agentId, filters);
  const top = useTopSessions(agentId, filters, 'cost', 10);
  const models = useCostModels(agentId, filters, alternative);
  const prices = usePrices();

  return (
    <div className="stack">
      <Panel
        title="Cost over time"
        subtitle={describeWindow(filters)}
        id="cost-buckets"
        actions={
          <Group className="segmented" label="Bucket">
            {COST_BUCKETS.map((b) => (
              <button
                key={b}
                type="button"
                aria-pressed={b === bucket}
                onClick={() => setParams({ bucket: b === '1d' ? null : b }, { replace: true })}
              >
                {COST_BUCKET_LABELS[b]}
              </button>
            ))}
          </Group>
        }
      >
        <Async state={series}>
          {(s) => (
            <>
              <BarChart
                id="cost-buckets"
                title={`Cost per ${COST_BUCKET_LABELS[bucket].toLowerCase()}`}
                data={prepareCostBars(s)}
              />
              <p className="muted small">
                Total {formatUsd(s.total_usd)}
                {s.previous_total_usd > 0 ? ` · previous period ${formatUsd(s.previous_total_usd)}` : ''}
              </p>
            </>
          )}
        </Async>
      </Panel>

      <Async state={pct}>
        {(p) => {
          const v = prepareCostPercentiles(p);
          return (
            <section aria-label="Cost per session">
              <CardGrid>
                {v.figures.map((f) => (
                  <StatCard key={f.id} label={f.label} value={f.value} detail={f.detail} />
                ))}
              </CardGrid>
            </section>
          );
        }}
      </Async>

      <Panel
        title="Expensive outliers"
        subtitle="The costliest sessions of the window; beyond the p99 line they are outliers"
        id="outliers"
      >
        <Async
          state={top}
          isEmpty={(t) => t.sessions.length === 0}
          empty={<Empty title="No sessions in this window" />}
        >
          {(t) => (
            <DataTable
              label="Expensive sessions"
              columns={[
                'Session',
                'Started',
                num('Cost'),
                num('Tokens'),
                num('LLM calls'),
                num('Duration'),
                '',
              ]}
            >
              {prepareOutliers(t).map((r) => (
                <tr key={r.sessionId} data-session={r.sessionId}>
                  <td>
                    <Link href={sessionHref(search, agentId, r.sessionId)}>{r.name}</Link>
                  </td>
                  <td>{r.started}</td>
                  <td className="num strong">{r.cost}</td>
                  <td className="num">{r.tokens}</td>
                  <td className="num">{r.llmCalls}</td>
                  <td className="num">{r.duration}</td>
                  <td>{r.abovePct && <span className="badge badge-bad">{r.abovePct}</span>}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </Async>
      </Panel>

      <Panel
        title="Cost by model"
        subtitle="Share of spend, and what the same tokens would cost on another model"
        id="models"
        actions={
          <label className="select-label">
            What if
            <select
              aria-label="Cheaper model"
              value={alternative ?? ''}
              onChange={(e) => setParams({ alt: e.target.value || null }, { replace: true })}
            >
              <option value="">— pick a model —</option>
              {prices.data &&
                prepareAlternatives(prices.data).map((g) => (
                  <optgroup key={g.provider} label={g.provider}>
                    {g.models.map((m) => (
                      <option key={m.model} value={m.model}>
                        {m.label}
                      </option>
                    ))}
                  </optgroup>
                ))}
            </select>
          </label>
        }
      >
        <Async
          state={models}
          isEmpty={(m) => m.rows.length === 0}
          empty={<Empty title="No LLM calls in this window" />}
        >
          {(m) => {
            const v = prepareModels(m);
            return (
              <>
                {v.whatIf && (
                  <p className="callout" data-fact="what-if">
                    The same tokens on <strong>{v.whatIf.model}</strong> would cost{' '}
                    <strong>{v.whatIf.total}</strong> instead of {v.total} ({v.whatIf.change},{' '}
                    {v.whatIf.savings} saved). Quality is not part of this estimate.
                  </p>
                )}
                <table className="table" aria-label="Cost by model">
                  <thead>
                    <tr>
                      <th>Model</th>
                      <th className="num">Calls</th>
                      <th className="num">Input tok</th>
                      <th className="num">Output tok</th>
                      <th className="num">Cost</th>
                      <th>Share of spend</th>
                      {v.whatIf && <th className="num">On {v.whatIf.model}</th>}
                      {v.whatIf && <th className="num">Saved</th>}
                    </tr>
                  </thead>
                  <tbody>
                    {v.rows.map((r) => (
                      <tr key={r.model}>
                        <td>
                          {r.model}
                          {r.unpriced > 0 && (
                            <span className="badge" title="Calls without a known price are not counted as $0">
                              {r.unpriced} unpriced
                            </span>
                          )}
                        </td>
                        <td className="num">{r.calls}</td>
                        <td className="num">{r.inputTokens}</td>
                        <td className="num">{r.outputTokens}</td>
                        <td className="num strong">{r.cost}</td>
                        <td>
                          <div className="share">
                            <span className="share-bar" style={{ width: `${r.shareWidth}%` }} />
                            <span>{r.share}</span>
                          </div>
                        </td>
                        {v.whatIf && <td className="num">{r.whatIf}</td>}
                        {v.whatIf && <td className="num">{r.savings}</td>}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            );
          }}
        </Async>
      </Panel>
    </div>
  );
}
