import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { DomainError } from '../../domain/errors';

/**
 * One DuckDB file holds everything the local runtime stores. DuckDB allows one writer process per
 * file; inside the process every statement goes through one connection, serialised by a lock, and
 * multi-statement changes run in a transaction (so a change that was acknowledged is in the WAL).
 */
export class DuckDbDatabase {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  /** Opens (and creates) the database; `:memory:` for tests. */
  static async open(path: string): Promise<DuckDbDatabase> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (e) {
      throw new DomainError('unavailable', `cannot open DuckDB file ${path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const conn = await instance.connect();
    const db = new DuckDbDatabase(instance, conn);
    await db.conn.run(SCHEMA);
    return db;
  }

  /** Runs `fn` alone on the connection. */
  exclusive<T>(fn: (q: Queries) => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      if (this.closed) throw new DomainError('unavailable', 'store is closed');
      return fn(this.queries);
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Runs `fn` alone, inside a transaction (rolled back if it throws). */
  tx<T>(fn: (q: Queries) => Promise<T>): Promise<T> {
    return this.exclusive(async (q) => {
      await this.conn.run('BEGIN TRANSACTION');
      try {
        const result = await fn(q);
        await this.conn.run('COMMIT');
        return result;
      } catch (e) {
        await this.conn.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  private readonly queries: Queries = {
    run: async (sql, params) => {
      await this.conn.run(sql, params as DuckDBValue[] | undefined);
    },
    all: async (sql, params) => {
      const reader = await this.conn.runAndReadAll(sql, params as DuckDBValue[] | undefined);
      return reader.getRowObjects() as Array<Record<string, unknown>>;
    },
  };

  async checkpoint(): Promise<void> {
    await this.exclusive((q) => q.run('CHECKPOINT'));
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      this.closed = true;
      await this.conn.run('CHECKPOINT').catch(() => undefined);
      this.conn.closeSync();
      this.instance.closeSync();
    });
  }
}

export type SqlParam = string | number | boolean | bigint | null;

export interface Queries {
  run(sql: string, params?: SqlParam[]): Promise<void>;
  all(sql: string, params?: SqlParam[]): Promise<Array<Record<string, unknown>>>;
}

export const num = (v: unknown): number =>
  typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : 0;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS agents (agent_id VARCHAR PRIMARY KEY, created_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys (key_id VARCHAR PRIMARY KEY, hash VARCHAR NOT NULL, doc VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
  agent_id VARCHAR NOT NULL, session_id VARCHAR NOT NULL, started_at BIGINT NOT NULL,
  last_activity BIGINT NOT NULL, unsettled BOOLEAN NOT NULL, doc VARCHAR NOT NULL,
  PRIMARY KEY (agent_id, session_id));
CREATE TABLE IF NOT EXISTS session_locations (session_id VARCHAR PRIMARY KEY, agent_id VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS session_folds (agent_id VARCHAR, session_id VARCHAR, fold_id VARCHAR,
  PRIMARY KEY (agent_id, session_id, fold_id));
CREATE TABLE IF NOT EXISTS events (
  agent_id VARCHAR NOT NULL, session_id VARCHAR NOT NULL, event_id VARCHAR NOT NULL,
  parent_event_id VARCHAR, type VARCHAR NOT NULL, raw_type VARCHAR NOT NULL, name VARCHAR,
  started_at BIGINT NOT NULL, duration_ms DOUBLE, model VARCHAR, provider VARCHAR,
  input_tokens BIGINT, output_tokens BIGINT, cached_input_tokens BIGINT, reasoning_tokens BIGINT,
  cost_usd DOUBLE, unpriced BOOLEAN, error_category VARCHAR, error_fingerprint VARCHAR,
  production BOOLEAN NOT NULL, received_at BIGINT NOT NULL, pending BOOLEAN NOT NULL, doc VARCHAR NOT NULL,
  PRIMARY KEY (agent_id, session_id, event_id));
CREATE TABLE IF NOT EXISTS rollups (
  agent_id VARCHAR NOT NULL, production BOOLEAN NOT NULL, slice VARCHAR NOT NULL, hour INTEGER NOT NULL,
  counters VARCHAR NOT NULL, sketches VARCHAR NOT NULL,
  PRIMARY KEY (agent_id, production, slice, hour));
CREATE TABLE IF NOT EXISTS rollup_folds (fold_id VARCHAR, rollup_key VARCHAR, PRIMARY KEY (fold_id, rollup_key));
CREATE TABLE IF NOT EXISTS tag_values (agent_id VARCHAR, tag_key VARCHAR, tag_value VARCHAR,
  PRIMARY KEY (agent_id, tag_key, tag_value));
`;
