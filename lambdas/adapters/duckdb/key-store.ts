import type { ApiKeyRecord, KeyStore } from '../../domain/ports';
import type { DuckDbDatabase } from './database';

export class DuckDbKeyStore implements KeyStore {
  constructor(private readonly db: DuckDbDatabase) {}

  put(record: ApiKeyRecord): Promise<void> {
    return this.db.exclusive((q) =>
      q.run(
        `INSERT INTO api_keys VALUES ($1, $2, $3) ON CONFLICT (key_id) DO UPDATE SET hash = excluded.hash, doc = excluded.doc`,
        [record.keyId, record.hash, JSON.stringify(record)],
      ),
    );
  }

  getByHash(hash: string): Promise<ApiKeyRecord | null> {
    return this.db.exclusive(async (q) => {
      const rows = await q.all('SELECT doc FROM api_keys WHERE hash = $1', [hash]);
      return rows[0] ? (JSON.parse(rows[0].doc as string) as ApiKeyRecord) : null;
    });
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.db.exclusive(async (q) =>
      (await q.all('SELECT doc FROM api_keys ORDER BY key_id')).map(
        (r) => JSON.parse(r.doc as string) as ApiKeyRecord,
      ),
    );
  }

  revoke(keyId: string, at: number): Promise<boolean> {
    return this.db.tx(async (q) => {
      const rows = await q.all('SELECT doc FROM api_keys WHERE key_id = $1', [keyId]);
      if (!rows[0]) return false;
      const rec = JSON.parse(rows[0].doc as string) as ApiKeyRecord;
      if (rec.revokedAt === null) {
        rec.revokedAt = at;
        await q.run('UPDATE api_keys SET doc = $2 WHERE key_id = $1', [keyId, JSON.stringify(rec)]);
      }
      return true;
    });
  }
}
