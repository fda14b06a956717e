import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LocalFsBlobStore,
  signUploadToken,
  verifyUploadToken,
} from '../../../lambdas/adapters/local-fs/blob-store';
import { DomainError } from '../../../lambdas/domain/errors';

const SECRET = 'test-secret-0123456789abcdef';
const NOW = Date.UTC(2026, 0, 5, 10, 0, 0);
const dirs: string[] = [];

function freshStore(baseUrl = 'http://127.0.0.1:4000') {
  const root = mkdtempSync(join(tmpdir(), 'vigil-blobs-'));
  dirs.push(root);
  return { root, store: new LocalFsBlobStore({ root, baseUrl, secret: SECRET }) };
}

const text = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString('utf8'));
const tokenOf = (url: string) => url.split('/api/blobs/')[1] ?? '';

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('LocalFsBlobStore', () => {
  it('round-trips bytes under the root at the key path', async () => {
    // Prepare
    const { root, store } = freshStore();
    const key = 'payloads/agent%2F1/sess-1/ev-1.json';

    // Act
    await store.put(key, new TextEncoder().encode('{"a":1}'), 'application/json');
    const bytes = await store.get(key);

    // Assess
    expect(text(bytes)).toBe('{"a":1}');
    expect(readdirSync(join(root, 'payloads', 'agent%2F1', 'sess-1'))).toEqual(['ev-1.json']);
  });

  it('replaces a blob atomically and leaves no temp files', async () => {
    // Prepare
    const { root, store } = freshStore();
    await store.put('p/k.json', new TextEncoder().encode('old'), 'application/json');

    // Act
    await store.put('p/k.json', new TextEncoder().encode('new'), 'application/json');

    // Assess
    expect(text(await store.get('p/k.json'))).toBe('new');
    expect(readdirSync(join(root, 'p'))).toEqual(['k.json']);
  });

  it('reads a missing key as null', async () => {
    const { store } = freshStore();
    expect(await store.get('payloads/none/none.json')).toBeNull();
  });

  it('gunzips a blob that was uploaded gzip-compressed', async () => {
    // Prepare
    const { store } = freshStore();
    await store.put('p/z.json', gzipSync('{"big":true}'), 'application/json');

    // Act
    const bytes = await store.get('p/z.json');

    // Assess
    expect(text(bytes)).toBe('{"big":true}');
  });

  it.each([
    '../escape.json',
    'payloads/../../escape.json',
    'payloads/./x.json',
    '/etc/passwd',
    'payloads//x.json',
    'payloads\\..\\x.json',
    'C:/x.json',
    '',
    'a\0b',
  ])('refuses the key %j', async (key) => {
    // Prepare
    const { store } = freshStore();

    // Act
    const results = await Promise.allSettled([
      store.put(key, new Uint8Array([1]), 'application/octet-stream'),
      store.get(key),
      store.uploadUrl(key, NOW + 60_000),
    ]);

    // Assess
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ kind: 'validation', field: 'key' });
    }
  });

  it('does not follow a traversal even when the target exists', async () => {
    // Prepare
    const { root, store } = freshStore();
    const name = `outside-${randomUUID()}.json`;
    const outside = join(root, '..', name);
    writeFileSync(outside, 'secret');

    // Act
    const error = await store.get(`../${name}`).catch((e: unknown) => e);
    rmSync(outside);

    // Assess
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'validation' });
  });
});

describe('upload tokens', () => {
  it('issues a URL under /api/blobs/ whose token verifies to the key until it expires', async () => {
    // Prepare
    const { store } = freshStore('http://localhost:4000/');
    const key = 'payloads/agent-1/sess-1/ev-1.json';

    // Act
    const url = await store.uploadUrl(key, NOW + 3_600_000);

    // Assess
    expect(url).toMatch(/^http:\/\/localhost:4000\/api\/blobs\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyUploadToken(SECRET, tokenOf(url), NOW)).toBe(key);
    expect(verifyUploadToken(SECRET, tokenOf(url), NOW + 3_599_999)).toBe(key);
  });

  it('refuses an expired token with "upload URL expired"', async () => {
    // Prepare
    const token = tokenOf(await freshStore().store.uploadUrl('p/k.json', NOW + 1_000));

    // Act
    const error = (() => {
      try {
        return verifyUploadToken(SECRET, token, NOW + 1_000);
      } catch (e) {
        return e;
      }
    })();

    // Assess
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'auth', message: 'upload URL expired' });
  });

  it('refuses a token signed with another secret, altered claims or a mangled shape', () => {
    // Prepare
    const good = signUploadToken(SECRET, 'p/k.json', NOW + 60_000);
    const [, signature] = good.split('.');
    const otherKey = Buffer.from(JSON.stringify({ key: 'p/other.json', exp: NOW + 60_000 })).toString(
      'base64url',
    );
    const longer = Buffer.from(JSON.stringify({ key: 'p/k.json', exp: NOW + 999_999_999 })).toString(
      'base64url',
    );
    const forged = [
      signUploadToken('another-secret', 'p/k.json', NOW + 60_000),
      `${otherKey}.${signature}`,
      `${longer}.${signature}`,
      `${good}x`,
      good.replace('.', ''),
      `${good}.extra`,
      '',
      '.',
    ];

    // Act
    const outcomes = forged.map((token) => {
      try {
        return verifyUploadToken(SECRET, token, NOW);
      } catch (e) {
        return e;
      }
    });

    // Assess
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(DomainError);
      expect(outcome).toMatchObject({ kind: 'auth', message: 'invalid upload token' });
    }
  });

  it('refuses a validly signed token whose claims are not a key and an expiry', () => {
    // Prepare
    const payload = Buffer.from(JSON.stringify({ key: 42 })).toString('base64url');
    const token = `${payload}.${createHmac('sha256', SECRET).update(payload).digest('base64url')}`;

    // Act
    const act = () => verifyUploadToken(SECRET, token, NOW);

    // Assess
    expect(act).toThrow('invalid upload token');
  });
});
