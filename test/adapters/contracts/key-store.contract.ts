import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyRecord, KeyStore } from '../../../lambdas/domain/ports';
import { type MakeStore, T0, uid } from './fixtures';

const apiKey = (overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord => {
  const secret = uid('vgl');
  return {
    keyId: uid('key'),
    prefix: secret.slice(0, 8),
    hash: createHash('sha256').update(secret).digest('hex'),
    name: 'ci ingest',
    scopes: ['ingest', 'read'],
    agents: '*',
    createdAt: T0,
    revokedAt: null,
    lastUsedAt: null,
    ...overrides,
  };
};

/** The KeyStore contract (lambdas/domain/ports.ts), run against every adapter. */
export function describeKeyStoreContract(name: string, makeStore: MakeStore<KeyStore>): void {
  describe(`KeyStore contract: ${name}`, () => {
    let store: KeyStore;
    let cleanup: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      ({ store, cleanup } = await makeStore());
    });
    afterAll(async () => {
      await cleanup?.();
    });

    it('finds a stored key by the hash of its secret', async () => {
      // Prepare
      const record = apiKey({ agents: ['agent-a', 'agent-b'], scopes: ['admin'], lastUsedAt: T0 + 5 });
      // Act
      await store.put(record);
      // Assess
      expect(await store.getByHash(record.hash)).toEqual(record);
      expect(await store.getByHash(createHash('sha256').update('unknown').digest('hex'))).toBeNull();
    });

    it('lists every key, ordered by key id', async () => {
      // Prepare
      const fresh = await makeStore();
      try {
        const records = ['k2', 'k1', 'k3'].map((keyId) => apiKey({ keyId }));
        for (const r of records) await fresh.store.put(r);
        // Act
        const listed = await fresh.store.list();
        // Assess
        expect(listed.map((r) => r.keyId)).toEqual(['k1', 'k2', 'k3']);
        expect(listed[0]).toEqual(records[1]);
      } finally {
        await fresh.cleanup?.();
      }
    });

    it('revokes a key once, keeping the first revocation time', async () => {
      // Prepare
      const record = apiKey();
      await store.put(record);
      // Act
      const first = await store.revoke(record.keyId, T0 + 100);
      const second = await store.revoke(record.keyId, T0 + 200);
      // Assess
      expect([first, second]).toEqual([true, true]);
      expect(await store.getByHash(record.hash)).toEqual({ ...record, revokedAt: T0 + 100 });
    });

    it('reports false when revoking an unknown key', async () => {
      // Act
      const revoked = await store.revoke(uid('key'), T0);
      // Assess
      expect(revoked).toBe(false);
    });

    it('replaces a key stored again under the same id', async () => {
      // Prepare
      const before = apiKey();
      await store.put(before);
      const after = apiKey({ keyId: before.keyId, name: 'rotated' });
      // Act
      await store.put(after);
      // Assess
      expect(await store.getByHash(after.hash)).toEqual(after);
      expect(await store.getByHash(before.hash)).toBeNull();
    });
  });
}
