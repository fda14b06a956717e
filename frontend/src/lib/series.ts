import type { Bucket } from '../../../contracts/query-api';
import { formatDay, formatHour } from './format';

/** Colours of chart series (CSS variables defined by the theme). */
export const SERIES = [
  'var(--series-1)',
  'var(--series-2)',
  'var(--series-3)',
  'var(--series-4)',
  'var(--series-5)',
  'var(--series-6)',
  'var(--series-7)',
  'var(--series-8)',
];

/** Axis label and tooltip title of a bucket starting at `start`. */
export function bucketLabels(
  starts: readonly string[],
  bucket: Bucket,
): { labels: string[]; titles: string[] } {
  const hourly = bucket === '1h';
  const labels = starts.map((s, i) => {
    if (!hourly) return formatDay(s);
    // Hourly axes: show the day at midnight (and on the first label), the hour otherwise.
    const h = new Date(s).getUTCHours();
    return i === 0 || h === 0 ? `${formatDay(s)} ${formatHour(s)}` : formatHour(s);
  });
  const titles = starts.map((s) =>
    hourly ? `${formatDay(s)} ${formatHour(s)} UTC` : `${formatDay(s)} (${bucket})`,
  );
  return { labels, titles };
}
