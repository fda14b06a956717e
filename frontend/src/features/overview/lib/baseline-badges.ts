import type { AnomalyMetric, BaselineStatusResponse } from '../../../../../contracts/alerts';
import type { OverviewResponse } from '../../../../../contracts/query-api';
import type { Filters } from '../../../lib/filters';
import { formatTime } from '../../../lib/format';
import {
  formatterFor,
  METRIC_LABELS,
  outsideSide,
  sliceLabel,
  sliceOfFilters,
} from '../../baselines/lib/prepare-baselines';

/**
 * Markers on the overview's cards for metrics outside their usual range now. A card gets one only when
 * its figure and a baseline metric measure the same thing:
 * - "Sessions" counts sessions started; `sessions_per_hour` is the same count per hour;
 * - "Error rate" is the share of settled sessions with a failure, exactly the `error_rate` metric (the
 *   card shows it only at session level; under a model filter it shows a count of failed events).
 * The others do not match: "Avg duration" is a mean (baselines judge the p50/p95), "Total cost" and
 * "Total tokens" are sums (baselines judge the median session and tokens per session), and success rate
 * and evals have no baseline. Those metrics still appear in the Baselines view.
 */
const CARD_METRIC: Record<string, AnomalyMetric> = {
  sessions: 'sessions_per_hour',
  errors: 'error_rate',
};

export interface BaselineBadge {
  cardId: string;
  metric: AnomalyMetric;
  side: 'above' | 'below';
  severity: 'warning' | 'critical' | null;
  /** "above usual range" */
  text: string;
  /** The tooltip: value now, expected value and band, and the window judged. */
  title: string;
}

/** The slice whose baseline status the overview asks for, or null when baselines do not apply. */
export function statusSliceFor(f: Pick<Filters, 'production' | 'tag' | 'model'>): string | null {
  // Baselines model production traffic only.
  return f.production === 'true' ? sliceOfFilters(f) : null;
}

export interface BaselineMarkers {
  /** By card id. */
  cards: Map<string, BaselineBadge>;
  /** Metrics outside their band that no card shows (cost per session, latency percentiles, …). */
  others: BaselineBadge[];
}

/** Markers for the metrics outside their band now: on the card that shows the metric, or listed apart. */
export function prepareBaselineMarkers(
  o: OverviewResponse,
  status: BaselineStatusResponse | null,
): BaselineMarkers {
  const out: BaselineMarkers = { cards: new Map(), others: [] };
  // Judgements need a ready baseline, of production traffic, for the slice the cards show.
  if (!status) return out;
  if (status.baseline?.status !== 'ready' || o.filter.production !== true) return out;
  if (status.slice !== o.filter.slice) return out;
  const onCards = new Map<AnomalyMetric, string>();
  for (const [cardId, metric] of Object.entries(CARD_METRIC)) {
    if (cardId === 'errors' && o.kpis.error_rate.value === null) continue;
    onCards.set(metric, cardId);
  }
  for (const m of status.metrics) {
    const side = outsideSide(m);
    if (!side) continue;
    const fmt = formatterFor(m.unit);
    const band =
      m.lower === null && m.upper === null ? '' : `, usual range ${fmt(m.lower)} – ${fmt(m.upper)}`;
    const slice = status.slice === 'all' ? '' : ` (${sliceLabel(status.slice)})`;
    const cardId = onCards.get(m.metric) ?? null;
    const badge: BaselineBadge = {
      cardId: cardId ?? '',
      metric: m.metric,
      side,
      severity: m.severity,
      text: `${side} usual range`,
      title: `${METRIC_LABELS[m.metric]}${slice} now ${fmt(m.value)}: expected ${fmt(m.expected)}${band}${
        m.severity ? ` (${m.severity})` : ''
      }${m.window ? `, judged over ${formatTime(m.window.from)} – ${formatTime(m.window.to)} UTC` : ''}`,
    };
    if (cardId) out.cards.set(cardId, badge);
    else out.others.push(badge);
  }
  return out;
}
