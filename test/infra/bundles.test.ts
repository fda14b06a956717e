import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BuiltEntry, buildEntry, lambdaEntries } from '../../bench/lambda-bundles';

/**
 * Every handler the CDK app deploys builds with the deployed esbuild options (the templates in the
 * other tests skip bundling) and exports the `handler` the functions are configured with.
 */
describe('Lambda bundles', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'vigil-bundles-test-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  for (const entry of lambdaEntries()) {
    it(`builds ${entry.entry} as a minified ES module that exports handler`, async () => {
      // Act
      const built: BuiltEntry = await buildEntry(entry, outdir);
      // Assess
      expect(built.exports).toContain('handler');
      expect(built.bytes).toBeGreaterThan(1000);
      expect(built.outfile.endsWith('.mjs')).toBe(true);
    });
  }
});
