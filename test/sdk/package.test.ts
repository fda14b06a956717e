import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../contracts/common';
import { WIRE_LIMITS } from '../../sdk/src/wire';
import { type RunningVigil, startVigil } from '../helpers/local-runtime';
import { getSession, newAgent } from './support';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const SDK = join(ROOT, 'sdk');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

describe('@vigil/sdk package', () => {
  let v: RunningVigil;
  beforeAll(async () => {
    v = await startVigil();
  });
  afterAll(async () => {
    await v.stop();
  });

  it('is self-contained: imports only node built-ins and its own files', () => {
    // Prepare
    const files = sourceFiles(join(SDK, 'src'));

    // Act
    const outside = files.flatMap((file) => {
      const specifiers = [
        ...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm),
      ].map((m) => m[1]!);
      return specifiers
        .filter((s) => {
          if (s.startsWith('node:')) return false;
          const target = resolve(dirname(file), s);
          return !(
            s.startsWith('.') &&
            s.endsWith('.js') &&
            !relative(join(SDK, 'src'), target).startsWith('..')
          );
        })
        .map((s) => `${relative(ROOT, file)} → ${s}`);
    });

    // Assess
    expect(files.length).toBeGreaterThan(5);
    expect(outside).toEqual([]);
  });

  it('declares a publishable ESM package with no dependencies', () => {
    // Act
    const pkg = JSON.parse(readFileSync(join(SDK, 'package.json'), 'utf8'));

    // Assess
    expect(pkg).toMatchObject({
      name: '@vigil/sdk',
      version: '0.1.0',
      type: 'module',
      exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } },
      files: ['dist', 'README.md'],
    });
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.private).toBeUndefined();
  });

  it('respects the server limits in its wire format', () => {
    // Assess
    expect(WIRE_LIMITS).toMatchObject({
      maxBodyBytes: LIMITS.maxBodyBytes,
      maxBatchItems: LIMITS.maxBatchItems,
      maxIdLength: LIMITS.maxIdLength,
      maxTags: LIMITS.maxTags,
      maxTagLength: LIMITS.maxTagLength,
      maxTokens: LIMITS.maxTokens,
      maxCostUsd: LIMITS.maxCostUsd,
      maxDurationMs: LIMITS.maxDurationMs,
      maxStringField: LIMITS.maxStringField,
    });
  });

  it('builds with its own tsconfig into JavaScript that plain Node runs against the server', async () => {
    // Prepare
    const out = mkdtempSync(join(tmpdir(), 'vigil-sdk-dist-'));
    const agent = newAgent();
    try {
      await run(process.execPath, [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        join(SDK, 'tsconfig.json'),
        '--outDir',
        out,
      ]);
      const script = `
        import { init, flush, wrapOpenAI, wrapAnthropic } from ${JSON.stringify(join(out, 'index.js'))};
        const s = init({ sessionName: 'built' });
        s.llm({ model: 'gpt-4o', usage: { inputTokens: 5, outputTokens: 1 } });
        s.end({ success: true });
        const r = await flush();
        console.log(JSON.stringify({ id: s.id, ok: r.ok, wrappers: typeof wrapOpenAI + typeof wrapAnthropic }));`;

      // Act
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        env: {
          PATH: process.env.PATH ?? '',
          VIGIL_API_KEY: v.key,
          VIGIL_AGENT_ID: agent,
          VIGIL_BASE_URL: v.url,
        },
      });
      const result = JSON.parse(stdout);
      const res = await getSession(v, result.id);

      // Assess
      expect(readdirSync(out)).toEqual(expect.arrayContaining(['index.js', 'index.d.ts']));
      expect(result).toMatchObject({ ok: true, wrappers: 'functionfunction' });
      expect(res.body).toMatchObject({ agent_id: agent, name: 'built', totals: { llm_calls: 1 } });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
