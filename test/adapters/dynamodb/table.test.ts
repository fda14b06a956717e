import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createTableInput,
  encHour,
  encTime,
  esc,
  VIGIL_TABLE_SCHEMA,
} from '../../../lambdas/adapters/dynamodb/table';

/** DynamoDB orders string keys by their UTF-8 bytes. */
const byteCompare = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('Vigil table', () => {
  it('defines only key attributes and two sparse KEYS_ONLY indexes', () => {
    // Act
    const input = createTableInput('vigil-test');
    // Assess
    expect(input.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(input.AttributeDefinitions.map((a) => a.AttributeName).sort()).toEqual(
      ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'pk', 'sk'].sort(),
    );
    expect(input.GlobalSecondaryIndexes.map((g) => [g.IndexName, g.Projection.ProjectionType])).toEqual([
      ['gsi1', 'KEYS_ONLY'],
      ['gsi2', 'KEYS_ONLY'],
    ]);
    expect(VIGIL_TABLE_SCHEMA.billingMode).toBe('PAY_PER_REQUEST');
  });

  it('encodes times in fixed width and in order', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -9e14, max: 9e14, noNaN: true }),
        fc.double({ min: -9e14, max: 9e14, noNaN: true }),
        (a, b) => {
          // Act
          const [ea, eb] = [encTime(a), encTime(b)];
          // Assess
          expect(ea).toHaveLength(24);
          if (a < b) expect(byteCompare(ea, eb)).toBeLessThanOrEqual(0);
          if (a > b) expect(byteCompare(ea, eb)).toBeGreaterThanOrEqual(0);
        },
      ),
    );
    expect(byteCompare(encTime(1_700_000_000_000.5), encTime(1_700_000_000_001))).toBeLessThan(0);
  });

  it('encodes hours in fixed width and strictly in order', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e8, max: 1e8 }), fc.integer({ min: -1e8, max: 1e8 }), (a, b) => {
        // Act
        const [ea, eb] = [encHour(a), encHour(b)];
        // Assess
        expect(ea).toHaveLength(10);
        expect(Math.sign(byteCompare(ea, eb))).toBe(Math.sign(a - b));
      }),
    );
  });

  it('escapes key parts so prefixes stay prefixes and separators stay unambiguous', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        // Act
        const [ea, eb] = [esc(a), esc(b)];
        // Assess
        expect(ea).not.toContain('#');
        expect(ea.startsWith(eb)).toBe(a.startsWith(b));
        expect(ea === eb).toBe(a === b);
      }),
    );
  });
});
