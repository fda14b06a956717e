import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningVigil, startVigil } from '../helpers/local-runtime';
import { getSession, metrics } from './support';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const EXAMPLE = join(ROOT, 'sdk', 'examples', 'quickstart.ts');

/** The first ```ts block after `heading` in a markdown file. */
function codeBlockAfter(file: string, heading: string): string {
  const text = readFileSync(file, 'utf8');
  const from = text.indexOf(heading);
  const block = /```ts\n([\s\S]*?)```/.exec(text.slice(from));
  if (from < 0 || !block) throw new Error(`no ts block after "${heading}" in ${file}`);
  return block[1]!;
}

describe('the README quickstart', () => {
  let v: RunningVigil;
  beforeAll(async () => {
    v = await startVigil();
  });
  afterAll(async () => {
    await v.stop();
  });

  it('is the runnable example, word for word (bar the import path)', () => {
    // Prepare
    const example = readFileSync(EXAMPLE, 'utf8').replace("from '../src/index.js'", "from '@vigil/sdk'");

    // Act
    const inSdkReadme = codeBlockAfter(join(ROOT, 'sdk', 'README.md'), '## Quickstart');
    const inRootReadme = codeBlockAfter(join(ROOT, 'README.md'), '## TypeScript SDK');

    // Assess
    expect(inSdkReadme).toBe(example);
    expect(inRootReadme).toBe(example);
  });

  it('sends a session that the session and metrics APIs (what the dashboard reads) then show', async () => {
    // Act
    const { stdout } = await run(process.execPath, ['--import', 'tsx', EXAMPLE], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', VIGIL_API_KEY: v.key, VIGIL_BASE_URL: v.url },
    });
    const sessionId = /^sent session (\S+)$/m.exec(stdout)?.[1];
    const session = await getSession(v, sessionId ?? 'missing');
    const m = await metrics(v, 'support-bot');

    // Assess
    expect(session.body).toMatchObject({
      agent_id: 'support-bot',
      name: 'Refund question',
      production_monitoring: true,
      status: 'finished',
      is_successful: true,
      session_eval: 0.9,
      totals: { events: 3, llm_calls: 1, input_tokens: 1200, cached_input_tokens: 1000 },
    });
    expect(m.sessions.count).toBe(1);
    expect(m.cost.total_usd).toBeGreaterThan(0);
  });
});
