import { type FormEvent, useEffect, useState } from 'react';
import { Group } from '../../../components/ui/group';
import {
  isoDate,
  PRODUCTION_LABELS,
  type Production,
  parseFilters,
  RANGE_LABELS,
  RANGE_PRESETS,
} from '../../../lib/filters';
import { useParams } from '../../../lib/router';
import { useSliceOptions } from '../api/use-filter-options';

/** Window presets, a custom date range, one tag-or-model slice and the traffic kind; all in the URL. */
export function FilterBar({ agentId, allowSlice = true }: { agentId: string; allowSlice?: boolean }) {
  const [params, setParams] = useParams();
  const filters = parseFilters(params);
  const options = useSliceOptions(agentId, filters);
  const custom = filters.from !== null || filters.to !== null;
  const [editing, setEditing] = useState(custom);
  const [from, setFrom] = useState(filters.from ?? isoDate(Date.now() - 7 * 86_400_000));
  const [to, setTo] = useState(filters.to ?? isoDate(Date.now()));
  useEffect(() => {
    if (filters.from) setFrom(filters.from);
    if (filters.to) setTo(filters.to);
  }, [filters.from, filters.to]);

  const applyCustom = (e: FormEvent) => {
    e.preventDefault();
    if (!from || !to || to < from) return;
    setParams({ range: null, from, to });
  };
  const slice = filters.tag ? `tag|${filters.tag}` : filters.model ? `model|${filters.model}` : '';
  const setSlice = (v: string) => {
    const [kind, value] = [v.slice(0, v.indexOf('|')), v.slice(v.indexOf('|') + 1)];
    setParams({ tag: kind === 'tag' ? value : null, model: kind === 'model' ? value : null });
  };
  const tags = options.data?.tags ?? [];
  const models = options.data?.models ?? [];
  // The current slice stays selectable even when the sample did not contain it.
  const missing = filters.tag && !tags.some((t) => t.value === filters.tag) ? filters.tag : null;
  const missingModel = filters.model && !models.some((m) => m.value === filters.model) ? filters.model : null;

  return (
    <div className="filter-bar" role="toolbar" aria-label="Filters">
      <Group className="segmented" label="Time range">
        {RANGE_PRESETS.map((r) => (
          <button
            key={r}
            type="button"
            aria-pressed={!custom && filters.range === r}
            onClick={() => {
              setEditing(false);
              setParams({ range: r === '7d' ? null : r, from: null, to: null });
            }}
          >
            {RANGE_LABELS[r]}
          </button>
        ))}
        <button type="button" aria-pressed={custom || editing} onClick={() => setEditing(true)}>
          Custom
        </button>
      </Group>
      {(editing || custom) && (
        <form className="date-range" onSubmit={applyCustom} aria-label="Custom date range">
          <label>
            From{' '}
            <input type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} name="from" />
          </label>
          <label>
            To <input type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} name="to" />
          </label>
          <button type="submit">Apply</button>
        </form>
      )}
      {allowSlice && (
        <label className="select-label">
          Filter
          <select value={slice} onChange={(e) => setSlice(e.target.value)} aria-label="Tag or model filter">
            <option value="">All sessions</option>
            {(tags.length > 0 || missing) && (
              <optgroup label="Tag">
                {missing && <option value={`tag|${missing}`}>{missing}</option>}
                {tags.map((t) => (
                  <option key={t.value} value={`tag|${t.value}`}>
                    {t.value}
                  </option>
                ))}
              </optgroup>
            )}
            {(models.length > 0 || missingModel) && (
              <optgroup label="Model">
                {missingModel && <option value={`model|${missingModel}`}>{missingModel}</option>}
                {models.map((m) => (
                  <option key={m.value} value={`model|${m.value}`}>
                    {m.value}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
        </label>
      )}
      <label className="select-label">
        Traffic
        <select
          value={filters.production}
          onChange={(e) => setParams({ production: e.target.value === 'true' ? null : e.target.value })}
          aria-label="Traffic"
        >
          {(Object.keys(PRODUCTION_LABELS) as Production[]).map((p) => (
            <option key={p} value={p}>
              {PRODUCTION_LABELS[p]}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
