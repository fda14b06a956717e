import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnVigil } from '../helpers/vigil-process';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

async function keys(dataDir: string, args: string[], extraEnv: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/keys.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, VIGIL_DATA_DIR: dataDir, ...extraEnv },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('npm run keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a scoped key that works for its agent only, lists it by prefix, and revokes it', async () => {
    const data = join(dir, 'a');
    const created = await keys(data, ['create', '--name', 'ci', '--scopes', 'ingest', '--agents', 'bot-1']);
    expect(created.code).toBe(0);
    const record = JSON.parse(created.stdout);
    expect(record.key).toMatch(/^vgl_/);
    expect(record).toMatchObject({ name: 'ci', scopes: ['ingest'], agents: ['bot-1'] });

    const listed = JSON.parse((await keys(data, ['list'])).stdout);
    expect(listed.find((k: { key_id: string }) => k.key_id === record.key_id)).toMatchObject({
      prefix: record.key.slice(0, 12),
    });
    expect(JSON.stringify(listed)).not.toContain(record.key);

    const v = await spawnVigil(data, 'vgl_admin_key_for_keys_cli_test_000');
    try {
      const send = (agent: string) =>
        fetch(`${v.url}/api/v1/batch`, {
          method: 'POST',
          headers: { authorization: `Api-Key ${record.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ agent_id: agent, sessions: [{ session_id: 's1' }] }),
        });
      expect((await send('bot-1')).status).toBe(200);
      expect((await send('bot-2')).status).toBe(403);
      const revoked = await keys(data, ['revoke', record.key_id], {
        VIGIL_URL: v.url,
        VIGIL_API_KEY: 'vgl_admin_key_for_keys_cli_test_000',
      });
      expect(revoked.code).toBe(0);
      expect((await send('bot-1')).status).toBe(401);
    } finally {
      v.child.kill('SIGTERM');
      await v.exited;
    }
  });

  it('rejects bad arguments with a message naming the option', async () => {
    const res = await keys(join(dir, 'b'), ['create', '--name', 'x', '--scopes', 'root']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--scopes/);
  });
});
