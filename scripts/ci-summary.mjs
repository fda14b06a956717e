// Prints "N passed, N failed" from vitest's JSON report. A failing step before vitest (typecheck, lint,
// dependency rules) counts as one failure so CI can never read green when a check failed.
import { existsSync, readFileSync } from 'node:fs';

const status = Number(process.argv[2] ?? '0');
let passed = 0;
let failed = 0;
if (existsSync('.vitest-results.json')) {
  const r = JSON.parse(readFileSync('.vitest-results.json', 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed = (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0);
  if (status !== 0 && failed === 0) failed = 1;
} else if (status !== 0) {
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
