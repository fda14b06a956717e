import { describe, expect, it } from 'vitest';
import { DomainError } from '../../lambdas/domain/errors';
import { makeBuckets, parseQueryWindow, previousWindow } from '../../lambdas/domain/query/window';

const NOW = Date.parse('2026-12-04T12:30:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const fieldOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof DomainError ? e.field : 'not a domain error';
  }
  return undefined;
};

describe('parseQueryWindow', () => {
  it('ends a range at the end of the current hour', () => {
    const w = parseQueryWindow({ range: '24h' }, NOW);
    expect([iso(w.from), iso(w.to)]).toEqual(['2026-12-03T13:00:00.000Z', '2026-12-04T13:00:00.000Z']);
  });

  it('defaults to the last 7 days', () => {
    const w = parseQueryWindow({}, NOW);
    expect(w.to - w.from).toBe(7 * 86_400_000);
  });

  it('takes whole UTC days with an inclusive end date, and widens timestamps to hours', () => {
    const days = parseQueryWindow({ from: '2026-12-01', to: '2026-12-02' }, NOW);
    expect([iso(days.from), iso(days.to)]).toEqual(['2026-12-01T00:00:00.000Z', '2026-12-03T00:00:00.000Z']);
    const times = parseQueryWindow({ from: '2026-12-01T10:15:00Z', to: '2026-12-01T11:05:00Z' }, NOW);
    expect([iso(times.from), iso(times.to)]).toEqual([
      '2026-12-01T10:00:00.000Z',
      '2026-12-01T12:00:00.000Z',
    ]);
  });

  it('names the field of a bad window', () => {
    expect(fieldOf(() => parseQueryWindow({ range: '24h', from: '2026-12-01' }, NOW))).toBe('range');
    expect(fieldOf(() => parseQueryWindow({ from: '2026-12-05', to: '2026-12-01' }, NOW))).toBe('from');
    expect(fieldOf(() => parseQueryWindow({ range: '500d' }, NOW))).toBe('from');
    expect(fieldOf(() => parseQueryWindow({ range: '0h' }, NOW))).toBe('range');
  });

  it('gives the previous period of the same length', () => {
    const w = parseQueryWindow({ range: '3d' }, NOW);
    expect(previousWindow(w)).toEqual({ from: w.from - 3 * 86_400_000, to: w.from });
  });
});

describe('makeBuckets', () => {
  const w = parseQueryWindow({ from: '2026-11-03T06:00:00Z', to: '2026-12-04T13:00:00Z' }, NOW);

  it('clips day buckets to the window, aligned to UTC midnight', () => {
    const b = makeBuckets(w, '1d');
    expect(iso(b[0]!.from)).toBe('2026-11-03T06:00:00.000Z');
    expect(iso(b[0]!.to)).toBe('2026-11-04T00:00:00.000Z');
    expect(iso(b[b.length - 1]!.from)).toBe('2026-12-04T00:00:00.000Z');
    expect(iso(b[b.length - 1]!.to)).toBe('2026-12-04T13:00:00.000Z');
    expect(b).toHaveLength(32);
  });

  it('counts weeks from the first day and months by the calendar', () => {
    expect(makeBuckets(w, '1w').map((x) => iso(x.from).slice(0, 10))).toEqual([
      '2026-11-03',
      '2026-11-10',
      '2026-11-17',
      '2026-11-24',
      '2026-12-01',
    ]);
    expect(makeBuckets(w, '1mo').map((x) => [iso(x.from), iso(x.to)])).toEqual([
      ['2026-11-03T06:00:00.000Z', '2026-12-01T00:00:00.000Z'],
      ['2026-12-01T00:00:00.000Z', '2026-12-04T13:00:00.000Z'],
    ]);
  });

  it('covers the window exactly, without gaps or overlaps', () => {
    for (const bucket of ['1h', '1d', '3d', '1w', '2w', '1mo'] as const) {
      const b = makeBuckets(w, bucket);
      expect(b[0]!.from).toBe(w.from);
      expect(b[b.length - 1]!.to).toBe(w.to);
      for (let i = 1; i < b.length; i++) expect(b[i]!.from).toBe(b[i - 1]!.to);
    }
  });

  it('refuses more than 2000 buckets, naming bucket', () => {
    const year = parseQueryWindow({ range: '300d' }, NOW);
    expect(fieldOf(() => makeBuckets(year, '1h'))).toBe('bucket');
  });
});
