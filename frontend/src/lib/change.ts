import { formatChangePct, formatChangePp } from './format';

export type Tone = 'good' | 'bad' | 'neutral';

/** Which direction of a figure is good news. */
export type Polarity = 'up-good' | 'up-bad' | 'neutral';

/** Relative change b vs a (0.25 = +25 %), null when a is 0 or unknown. */
export function relativeChange(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous === 0) return null;
  return (current - previous) / Math.abs(previous);
}

/** Tone of a change: small moves (under 2 %, or 0.2 pp for rates) are neutral noise. */
export function toneOf(change: number | null, polarity: Polarity, threshold = 0.02): Tone {
  if (change === null || polarity === 'neutral' || Math.abs(change) < threshold) return 'neutral';
  const up = change > 0;
  return (polarity === 'up-good') === up ? 'good' : 'bad';
}

/** "+12% vs previous" for counts and money; "+1.2 pp" for rates (a change of a share is in points). */
export function describeChange(
  kind: 'relative' | 'points',
  change: number | null,
  changePct: number | null,
): string | null {
  if (kind === 'points') return change === null ? null : formatChangePp(change);
  return changePct === null ? null : formatChangePct(changePct);
}
