import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { DomainError } from '../../domain/errors';

export type SqlParam = string | number | boolean | bigint | null;

export interface Queries {
  run(sql: string, params?: SqlParam[]): Promise<void>;
  all(sql: string, params?: SqlParam[]): Promise<Array<Record<string, unknown>>>;
}

/** Rows to upsert/insert/delete at the next group commit, keyed so later writes replace earlier ones. */
export type Row = SqlParam[] | (() => SqlParam[]);

export interface PendingTable {
  /** Full rows (or thunks producing them at commit time) to insert or upsert, keyed by primary key. */
  upserts: Map<string, Row>;
  /** Primary-key tuples to delete. */
  deletes: Map<string, SqlParam[]>;
}

export interface TableSpec {
  name: string;
  columns: string[];
  key: string[];
  /** true: ON CONFLICT DO NOTHING (insert-only rows such as events); false: update the other columns. */
  insertOnly?: boolean;
  /**
   * Append-only table without a key constraint: rows are written with DuckDB's appender (an order of
   * magnitude faster than INSERT); the store guarantees each row is staged once. Column types in order.
   */
  append?: Array<'varchar' | 'bigint' | 'double' | 'boolean'>;
}

export const num = (v: unknown): number =>
  typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : 0;

/**
 * One DuckDB file holds everything the local runtime stores; DuckDB allows one process per file, so
 * this process is the only writer and its in-memory state is authoritative.
 *
 * DuckDB statements cost about a millisecond each whatever their size, so writes are not executed one
 * by one: stores stage final row states here (`stage`/`unstage`) and `sync()` writes everything staged
 * in one transaction of a few bulk statements (group commit). Callers acknowledge a client only after
 * `sync()` resolves; commits happen in staging order, so a crash loses at most an unacknowledged suffix.
 */
export class DuckDbDatabase {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private pending = new Map<string, PendingTable>();
  private readonly specs = new Map<string, TableSpec>();
  private committing: Promise<void> | null = null;
  /** Id of the batch being staged; commits take batches in order. */
  private batchId = 1;
  private inFlightId = 0;
  private committedId = 0;
  private failure: { id: number; error: unknown } | null = null;
  private inFlight: Map<string, PendingTable> | null = null;

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

  register(spec: TableSpec): void {
    this.specs.set(spec.name, spec);
  }

  private table(name: string): PendingTable {
    let t = this.pending.get(name);
    if (!t) {
      t = { upserts: new Map(), deletes: new Map() };
      this.pending.set(name, t);
    }
    return t;
  }

  /** Stages a row (final state) for the next commit; replaces an earlier staged row with the same key. */
  stage(table: string, key: string, row: Row): void {
    if (this.failure)
      throw new DomainError('unavailable', 'store is unusable after a failed commit', {
        cause: this.failure.error,
      });
    const t = this.table(table);
    t.deletes.delete(key);
    t.upserts.set(key, row);
  }

  /** Stages a delete; when the row is only staged (not being committed) the staged insert is simply dropped. */
  unstage(table: string, key: string, keyValues: SqlParam[]): void {
    const t = this.table(table);
    if (t.upserts.delete(key)) return;
    t.deletes.set(key, keyValues);
  }

  /** Whether a row with this key is staged or being committed (not yet visible to queries). */
  isStaged(table: string, key: string): boolean {
    return (
      (this.pending.get(table)?.upserts.has(key) ?? false) ||
      (this.inFlight?.get(table)?.upserts.has(key) ?? false)
    );
  }

  /** Resolves when everything staged before the call is committed (one transaction per group). */
  async sync(): Promise<void> {
    const target = this.pending.size > 0 ? this.batchId : this.inFlightId;
    while (this.committedId < target) {
      if (this.failure && this.failure.id >= target) throw this.failure.error;
      this.committing ??= this.commitNext();
      await this.committing;
    }
    if (this.failure && this.failure.id >= target) throw this.failure.error;
  }

  private async commitNext(): Promise<void> {
    try {
      const batch = this.pending;
      const id = this.batchId;
      this.pending = new Map();
      // Serialise every staged row now, synchronously: the in-memory state at this instant is exactly
      // the staged changes, so the batch is a consistent snapshot even if later changes land meanwhile.
      for (const t of batch.values()) {
        for (const [k, r] of t.upserts) if (typeof r === 'function') t.upserts.set(k, r());
      }
      this.batchId++;
      this.inFlightId = id;
      this.inFlight = batch;
      try {
        await this.runExclusive(() => this.commit(batch));
      } catch (e) {
        // The in-memory state now differs from the file: refuse further writes (the runtime must restart).
        this.failure = { id, error: e };
      }
      this.inFlight = null;
      this.committedId = id;
    } finally {
      this.committing = null;
    }
  }

  private async commit(batch: Map<string, PendingTable>): Promise<void> {
    if (this.closed) throw new DomainError('unavailable', 'store is closed');
    await this.conn.run('BEGIN TRANSACTION');
    try {
      for (const [name, t] of batch) {
        const spec = this.specs.get(name)!;
        const dels = [...t.deletes.values()];
        for (let i = 0; i < dels.length; i += 500) {
          const chunk = dels.slice(i, i + 500);
          const w = spec.key.length;
          const tuples = chunk
            .map((_, r) => `(${spec.key.map((_, c) => `$${r * w + c + 1}`).join(',')})`)
            .join(',');
          await this.conn.run(
            `DELETE FROM ${spec.name} WHERE (${spec.key.join(',')}) IN (VALUES ${tuples})`,
            chunk.flat() as DuckDBValue[],
          );
        }
        const rows = [...t.upserts.values()].map((r) => (typeof r === 'function' ? r() : r));
        if (spec.append) {
          await this.appendRows(spec.name, spec.append, rows);
          continue;
        }
        const width = spec.columns.length;
        const per = Math.max(1, Math.floor(4000 / width));
        const others = spec.columns.filter((c) => !spec.key.includes(c));
        const conflict =
          spec.insertOnly || others.length === 0
            ? 'DO NOTHING'
            : `DO UPDATE SET ${others.map((c) => `${c} = excluded.${c}`).join(', ')}`;
        for (let i = 0; i < rows.length; i += per) {
          const chunk = rows.slice(i, i + per);
          const values = chunk
            .map((_, r) => `(${spec.columns.map((_, c) => `$${r * width + c + 1}`).join(',')})`)
            .join(',');
          await this.conn.run(
            `INSERT INTO ${spec.name} (${spec.columns.join(',')}) VALUES ${values} ON CONFLICT (${spec.key.join(',')}) ${conflict}`,
            chunk.flat() as DuckDBValue[],
          );
        }
      }
      await this.conn.run('COMMIT');
    } catch (e) {
      await this.conn.run('ROLLBACK').catch(() => undefined);
      throw new DomainError('unavailable', `DuckDB commit failed: ${(e as Error).message}`, { cause: e });
    }
  }

  private async appendRows(
    table: string,
    types: NonNullable<TableSpec['append']>,
    rows: SqlParam[][],
  ): Promise<void> {
    if (rows.length === 0) return;
    const appender = await this.conn.createAppender(table);
    try {
      for (const row of rows) {
        types.forEach((type, i) => {
          const v = row[i];
          if (v === null || v === undefined) appender.appendNull();
          else if (type === 'varchar') appender.appendVarchar(String(v));
          else if (type === 'bigint') appender.appendBigInt(BigInt(Math.round(Number(v))));
          else if (type === 'double') appender.appendDouble(Number(v));
          else appender.appendBoolean(Boolean(v));
        });
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  private runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Runs `fn` alone on the connection without waiting for staged writes (reads of rows never staged). */
  direct<T>(fn: (q: Queries) => Promise<T>): Promise<T> {
    return this.runExclusive(async () => {
      if (this.closed) throw new DomainError('unavailable', 'store is closed');
      return fn(this.queries);
    });
  }

  /** Runs `fn` alone on the connection, after everything staged so far is committed (reads see it). */
  async exclusive<T>(fn: (q: Queries) => Promise<T>): Promise<T> {
    await this.sync();
    return this.runExclusive(async () => {
      if (this.closed) throw new DomainError('unavailable', 'store is closed');
      return fn(this.queries);
    });
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
    await this.sync();
    await this.runExclusive(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.conn.run('CHECKPOINT').catch(() => undefined);
      this.conn.closeSync();
      this.instance.closeSync();
    });
  }
}

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
  key_hash BIGINT NOT NULL, agent_id VARCHAR NOT NULL, session_id VARCHAR NOT NULL, event_id VARCHAR NOT NULL,
  parent_event_id VARCHAR, type VARCHAR NOT NULL, raw_type VARCHAR NOT NULL, name VARCHAR,
  started_at BIGINT NOT NULL, duration_ms DOUBLE, model VARCHAR, provider VARCHAR,
  input_tokens BIGINT, output_tokens BIGINT, cached_input_tokens BIGINT, reasoning_tokens BIGINT,
  cost_usd DOUBLE, unpriced BOOLEAN, error_category VARCHAR, error_fingerprint VARCHAR,
  production BOOLEAN NOT NULL, received_at BIGINT NOT NULL, doc VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS pending_events (agent_id VARCHAR, session_id VARCHAR, event_id VARCHAR,
  received_at BIGINT NOT NULL, fold_id VARCHAR NOT NULL, PRIMARY KEY (agent_id, session_id, event_id));
CREATE TABLE IF NOT EXISTS rollups (
  agent_id VARCHAR NOT NULL, production BOOLEAN NOT NULL, slice VARCHAR NOT NULL, hour INTEGER NOT NULL,
  counters VARCHAR NOT NULL, sketches VARCHAR NOT NULL,
  PRIMARY KEY (agent_id, production, slice, hour));
CREATE TABLE IF NOT EXISTS rollup_folds (fold_id VARCHAR, rollup_key VARCHAR, PRIMARY KEY (fold_id, rollup_key));
CREATE TABLE IF NOT EXISTS tag_values (agent_id VARCHAR, tag_key VARCHAR, tag_value VARCHAR,
  PRIMARY KEY (agent_id, tag_key, tag_value));
`;
