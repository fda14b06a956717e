import type { AlertRuleView } from '../../../../../contracts/alerts';

/** Rules in words for the list (type-only contract imports: the list does not load the schemas). */

const WINDOW_LABELS: Record<number, string> = { 60: '1 h', 1440: '24 h', 10080: '7 days' };
export function describeWindowMinutes(m: number): string {
  if (WINDOW_LABELS[m]) return WINDOW_LABELS[m];
  if (m % 60 === 0) return `${m / 60} h`;
  return `${m} min`;
}

/** "cost p95 > 0.5 (warning) / 1 (critical) over 1 h". */
export function describeRule(r: AlertRuleView): string {
  const levels = [
    r.warning !== null ? `${r.warning} warning` : null,
    r.critical !== null ? `${r.critical} critical` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return `${r.metric} ${r.aggregation} ${r.comparator} ${levels} over ${describeWindowMinutes(r.window_minutes)}`;
}

export function describeRuleFilter(r: AlertRuleView): string {
  const f = r.filters;
  const slice = f.tag
    ? `tag ${f.tag}`
    : f.model
      ? `model ${f.model}`
      : f.experiment
        ? `experiment ${f.experiment}`
        : f.event_type
          ? `${f.event_type} events`
          : f.error_type
            ? `${f.error_type} errors`
            : 'whole agent';
  const prod = f.production === 'all' ? 'all traffic' : f.production ? 'production' : 'experiments & tests';
  return `${slice} · ${prod}`;
}
