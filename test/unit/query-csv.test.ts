import { describe, expect, it } from 'vitest';
import { toCsv } from '../../lambdas/domain/query/csv';

describe('toCsv', () => {
  it('writes a header and one CRLF-terminated line per row, in column order', () => {
    expect(toCsv(['a', 'b'], [{ b: 2, a: 1 }, { a: 'x' }])).toBe('a,b\r\n1,2\r\nx,\r\n');
  });

  it('quotes fields with commas, quotes or line breaks, doubling quotes', () => {
    expect(toCsv(['v'], [{ v: 'a,b' }, { v: 'say "hi"' }, { v: 'two\nlines' }])).toBe(
      'v\r\n"a,b"\r\n"say ""hi"""\r\n"two\nlines"\r\n',
    );
  });

  it('leaves null and undefined empty, writes booleans and objects', () => {
    expect(toCsv(['a', 'b', 'c', 'd'], [{ a: null, b: false, c: { k: 1 } }])).toBe(
      'a,b,c,d\r\n,false,"{""k"":1}",\r\n',
    );
  });

  it('defuses cells a spreadsheet would run as a formula, but not numbers', () => {
    expect(toCsv(['a', 'b', 'c'], [{ a: '=SUM(A1)', b: -3, c: '@cmd' }])).toBe(
      "a,b,c\r\n'=SUM(A1),-3,'@cmd\r\n",
    );
  });
});
