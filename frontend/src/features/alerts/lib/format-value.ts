import { formatCount, formatMs, formatNumber, formatPct, formatUsd } from '../../../lib/format';

/** A rule metric's value in its unit: USD, ms, a share, or a count. */
export function formatRuleValue(metric: string, v: number | null): string {
  if (/cost/.test(metric)) return formatUsd(v);
  if (/duration|latency/.test(metric)) return formatMs(v);
  if (/rate$/.test(metric)) return formatPct(v, 2);
  return v !== null && Math.abs(v) >= 1000 ? formatCount(v) : formatNumber(v);
}

/** The unit thresholds are typed in, shown beside the inputs. */
export function thresholdUnit(metric: string): string {
  if (/cost/.test(metric)) return 'USD';
  if (/duration|latency/.test(metric)) return 'ms';
  if (/rate$/.test(metric)) return 'share 0–1';
  if (metric === 'tokens') return 'tokens';
  return 'count';
}
