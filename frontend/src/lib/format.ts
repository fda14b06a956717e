/** Display formatting. Every function accepts null (unknown) and shows it as an em dash. */

const DASH = '—';

export function formatUsd(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  const a = Math.abs(v);
  if (a === 0) return '$0';
  if (a < 0.01) return `${v < 0 ? '-' : ''}$${a.toFixed(4)}`;
  // Below a dollar a third decimal matters (per-session and per-call costs live there).
  if (a < 1) return `${v < 0 ? '-' : ''}$${a.toFixed(3)}`;
  if (a < 100) return `${v < 0 ? '-' : ''}$${a.toFixed(2)}`;
  return `${v < 0 ? '-' : ''}$${Math.round(a).toLocaleString('en-US')}`;
}

export function formatMs(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  const a = Math.abs(v);
  const sign = v < 0 ? '-' : '';
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(a < 10_000 ? 2 : 1)} s`;
  if (a < 3_600_000) {
    const m = Math.floor(a / 60_000);
    const s = Math.round((a % 60_000) / 1000);
    return s === 60 ? `${sign}${m + 1}m` : `${sign}${m}m ${s}s`;
  }
  const h = Math.floor(a / 3_600_000);
  return `${sign}${h}h ${Math.round((a % 3_600_000) / 60_000)}m`;
}

/** 0.0652 → "6.5%". */
export function formatPct(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return `${(v * 100).toFixed(digits)}%`;
}

/** Relative change with its sign: 0.25 → "+25%". */
export function formatChangePct(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  const p = v * 100;
  const digits = Math.abs(p) < 10 ? 1 : 0;
  return `${p > 0 ? '+' : p < 0 ? '−' : '±'}${Math.abs(p).toFixed(digits)}%`;
}

/** Change of a rate in percentage points: 0.0101 → "+1.0 pp". */
export function formatChangePp(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  const p = v * 100;
  return `${p > 0 ? '+' : p < 0 ? '−' : '±'}${Math.abs(p).toFixed(1)} pp`;
}

/** 8932443 → "8.93M". */
export function formatCount(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  const a = Math.abs(v);
  if (a < 1000) return Number.isInteger(v) ? String(v) : v.toFixed(1);
  for (const [limit, suffix] of [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (a >= limit) {
      const x = v / limit;
      return `${x.toFixed(Math.abs(x) < 10 ? 2 : Math.abs(x) < 100 ? 1 : 0)}${suffix}`;
    }
  }
  return String(v);
}

export function formatNumber(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(digits);
}

/** ISO time → "Dec 4, 17:30" (UTC: every figure of the API is in UTC). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return DASH;
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  return `${month} ${d.getUTCDate()}, ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** ISO time → "Dec 4". */
export function formatDay(iso: string | number): string {
  const d = new Date(iso);
  return `${d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })} ${d.getUTCDate()}`;
}

/** ISO time → "17:30". */
export function formatHour(iso: string | number): string {
  const d = new Date(iso);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** A window as "Nov 27, 21:00 – Dec 4, 21:00 UTC". */
export function formatWindow(w: { from: string; to: string }): string {
  return `${formatTime(w.from)} – ${formatTime(w.to)} UTC`;
}

const pad = (n: number) => String(n).padStart(2, '0');
