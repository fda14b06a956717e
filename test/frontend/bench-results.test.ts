import { describe, expect, it } from 'vitest';
import { upsertSection } from '../../bench/frontend';

describe('upsertSection (bench/RESULTS.md)', () => {
  const dash = '## Dashboard\n\nnew numbers\n';

  it('appends the section when it is missing, keeping the rest', () => {
    expect(upsertSection('# Results\n\n## Ingest\n\nrows\n', dash)).toBe(
      '# Results\n\n## Ingest\n\nrows\n\n## Dashboard\n\nnew numbers\n',
    );
  });

  it('replaces only the dashboard section, wherever it is', () => {
    const before = '# Results\n\n## Dashboard\n\nold\n\n## Ingest\n\nrows\n';
    expect(upsertSection(before, dash)).toBe(
      '# Results\n\n## Dashboard\n\nnew numbers\n\n## Ingest\n\nrows\n',
    );
    expect(upsertSection('# R\n\n## Ingest\n\nrows\n\n## Dashboard\n\nold\n', dash)).toBe(
      '# R\n\n## Ingest\n\nrows\n\n## Dashboard\n\nnew numbers\n',
    );
  });
});
