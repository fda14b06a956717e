import type { ErrorGroupView, ErrorSeriesResponse } from '../../../../../contracts/query-api';
import type { BarChartData, LineChartData } from '../../../components/ui/charts/layout';
import { formatCount, formatPct, formatTime } from '../../../lib/format';
import { bucketLabels } from '../../../lib/series';

/** A fixed colour per error category, so a category looks the same on every chart. */
export const CATEGORY_COLORS: Record<string, string> = {
  timeout: 'var(--cat-timeout)',
  rate_limit: 'var(--cat-rate-limit)',
  api: 'var(--cat-api)',
  auth: 'var(--cat-auth)',
  validation: 'var(--cat-validation)',
  context_length: 'var(--cat-context)',
  content_filter: 'var(--cat-filter)',
  tool: 'var(--cat-tool)',
  network: 'var(--cat-network)',
  unknown: 'var(--cat-unknown)',
};

export const categoryLabel = (c: string): string => c.replace(/_/g, ' ');

/** Categories by their total in the window, largest first (the stack order and the legend). */
export function categoryTotals(
  s: ErrorSeriesResponse,
): Array<{ category: string; count: number; label: string; color: string }> {
  return Object.entries(s.totals.by_category)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([category, count]) => ({
      category,
      count,
      label: categoryLabel(category),
      color: CATEGORY_COLORS[category] ?? 'var(--cat-unknown)',
    }));
}

/** Errors per bucket stacked by category. */
export function prepareErrorBars(s: ErrorSeriesResponse): BarChartData {
  const cats = categoryTotals(s);
  const { labels, titles } = bucketLabels(
    s.points.map((p) => p.start),
    s.bucket,
  );
  return {
    labels,
    titles,
    stacks: cats.map((c) => ({ key: c.category, label: c.label, color: c.color })),
    values: s.points.map((p) => cats.map((c) => p.by_category[c.category] ?? 0)),
    formatY: (v) => formatCount(v),
  };
}

/** Share of sessions with an error per bucket; null where no session settled (a gap, not 0 %). */
export function prepareErrorRate(s: ErrorSeriesResponse): LineChartData {
  const { labels, titles } = bucketLabels(
    s.points.map((p) => p.start),
    s.bucket,
  );
  return {
    labels,
    titles,
    series: [
      {
        id: 'rate',
        label: 'Sessions with an error',
        color: 'var(--bad)',
        values: s.points.map((p) =>
          p.errored_sessions === null || p.error_rate === null ? null : p.error_rate,
        ),
      },
    ],
    formatY: (v) => formatPct(v, 0),
  };
}

export interface GroupRow {
  fingerprint: string;
  category: string;
  categoryLabel: string;
  color: string;
  type: string;
  message: string;
  stack: string | null;
  count: string;
  sessions: string;
  firstSeen: string;
  lastSeen: string;
  sampleSessionIds: string[];
}

export function prepareGroups(groups: readonly ErrorGroupView[]): GroupRow[] {
  return groups.map((g) => ({
    fingerprint: g.fingerprint,
    category: g.category,
    categoryLabel: categoryLabel(g.category),
    color: CATEGORY_COLORS[g.category] ?? 'var(--cat-unknown)',
    type: g.type ?? '—',
    message: g.message,
    stack: g.stack,
    // Sampled agents store fewer events than happened; the estimate is comparable with the rollups.
    count: g.estimated_count !== g.count ? `≈${formatCount(g.estimated_count)}` : formatCount(g.count),
    sessions: formatCount(g.sessions),
    firstSeen: formatTime(g.first_seen),
    lastSeen: formatTime(g.last_seen),
    sampleSessionIds: g.sample_session_ids,
  }));
}
