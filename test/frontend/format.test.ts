import { describe, expect, it } from 'vitest';
import {
  formatChangePct,
  formatChangePp,
  formatCount,
  formatDay,
  formatMs,
  formatPct,
  formatTime,
  formatUsd,
} from '../../frontend/src/lib/format';

describe('format', () => {
  it('shows unknown values as a dash, never as zero', () => {
    for (const f of [formatUsd, formatMs, formatPct, formatCount, formatChangePct, formatChangePp]) {
      expect(f(null)).toBe('—');
    }
  });

  it('gives small costs enough digits to tell them apart', () => {
    expect(formatUsd(0.000834)).toBe('$0.0008');
    expect(formatUsd(0.03924)).toBe('$0.039');
    expect(formatUsd(12.63543)).toBe('$12.64');
    expect(formatUsd(1234.5)).toBe('$1,235');
    expect(formatUsd(0)).toBe('$0');
  });

  it('formats durations from milliseconds to hours', () => {
    expect(formatMs(820)).toBe('820 ms');
    expect(formatMs(9579.6)).toBe('9.58 s');
    expect(formatMs(49528)).toBe('49.5 s');
    expect(formatMs(110_231)).toBe('1m 50s');
    expect(formatMs(3_900_000)).toBe('1h 5m');
  });

  it('formats rates, changes and counts', () => {
    expect(formatPct(0.0652)).toBe('6.5%');
    expect(formatChangePct(0.25)).toBe('+25%');
    expect(formatChangePct(-0.0667)).toBe('−6.7%');
    expect(formatChangePp(0.0101)).toBe('+1.0 pp');
    expect(formatCount(8932443)).toBe('8.93M');
    expect(formatCount(1169)).toBe('1.17k');
    expect(formatCount(42)).toBe('42');
  });

  it('shows times in UTC', () => {
    expect(formatTime('2026-12-04T17:30:20.578Z')).toBe('Dec 4, 17:30');
    expect(formatDay('2026-11-28T00:00:00.000Z')).toBe('Nov 28');
  });
});
