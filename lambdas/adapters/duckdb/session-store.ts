import type { RubricResult, Session, SettledSnapshot } from '../../domain/model';
import type { Page, SessionStore, SessionUpsert, TotalsDelta } from '../../domain/ports';
import { addTotals, lastActivity, mergeSessionUpsert, owesSettlement } from '../../domain/session-merge';
import { decodeCursor, encodeCursor } from './cursor';
import type { DuckDbDatabase, Queries } from './database';

/** Sessions as JSON documents with indexed columns; read-modify-write under the database lock. */
export class DuckDbSessionStore implements SessionStore {
  constructor(private readonly db: DuckDbDatabase) {}

  private async read(q: Queries, agentId: string, sessionId: string): Promise<Session | null> {
    const rows = await q.all('SELECT doc FROM sessions WHERE agent_id = $1 AND session_id = $2', [
      agentId,
      sessionId,
    ]);
    return rows[0] ? (JSON.parse(rows[0].doc as string) as Session) : null;
  }

  private async write(q: Queries, s: Session): Promise<void> {
    await q.run(
      `INSERT INTO sessions VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (agent_id, session_id) DO UPDATE SET started_at = excluded.started_at,
         last_activity = excluded.last_activity, unsettled = excluded.unsettled, doc = excluded.doc`,
      [s.agentId, s.sessionId, s.startedAt, lastActivity(s), owesSettlement(s), JSON.stringify(s)],
    );
  }

  get(agentId: string, sessionId: string): Promise<Session | null> {
    return this.db.exclusive((q) => this.read(q, agentId, sessionId));
  }

  locate(sessionId: string): Promise<string | null> {
    return this.db.exclusive(async (q) => {
      const rows = await q.all('SELECT agent_id FROM session_locations WHERE session_id = $1', [sessionId]);
      return rows[0] ? (rows[0].agent_id as string) : null;
    });
  }

  upsert(change: SessionUpsert): Promise<{ session: Session; created: boolean }> {
    return this.db.tx(async (q) => {
      const existing = await this.read(q, change.agentId, change.sessionId);
      const session = mergeSessionUpsert(existing, change);
      if (session !== existing) await this.write(q, session);
      if (!existing) {
        await q.run('INSERT INTO session_locations VALUES ($1, $2) ON CONFLICT DO NOTHING', [
          change.sessionId,
          change.agentId,
        ]);
      }
      return { session, created: !existing };
    });
  }

  applyTotals(
    agentId: string,
    sessionId: string,
    foldId: string,
    delta: TotalsDelta,
    at: number,
  ): Promise<void> {
    return this.db.tx(async (q) => {
      const seen = await q.all(
        'SELECT 1 FROM session_folds WHERE agent_id = $1 AND session_id = $2 AND fold_id = $3',
        [agentId, sessionId, foldId],
      );
      if (seen.length > 0) return;
      const s = await this.read(q, agentId, sessionId);
      if (!s) return;
      await this.write(q, addTotals(s, delta, at));
      await q.run('INSERT INTO session_folds VALUES ($1, $2, $3)', [agentId, sessionId, foldId]);
    });
  }

  releaseFold(agentId: string, sessionId: string, foldId: string): Promise<void> {
    return this.db.exclusive((q) =>
      q.run('DELETE FROM session_folds WHERE agent_id = $1 AND session_id = $2 AND fold_id = $3', [
        agentId,
        sessionId,
        foldId,
      ]),
    );
  }

  addEval(agentId: string, sessionId: string, result: RubricResult): Promise<void> {
    return this.db.tx(async (q) => {
      const s = await this.read(q, agentId, sessionId);
      if (!s) return;
      await this.write(q, { ...s, evals: [...s.evals, result] });
    });
  }

  casSettled(
    agentId: string,
    sessionId: string,
    expectedVersion: number,
    next: SettledSnapshot,
  ): Promise<boolean> {
    return this.db.tx(async (q) => {
      const s = await this.read(q, agentId, sessionId);
      if (!s) return false;
      if ((s.settled?.version ?? 0) !== expectedVersion || s.settledAppliedVersion !== expectedVersion)
        return false;
      await this.write(q, { ...s, settledPrev: s.settled, settled: next });
      return true;
    });
  }

  markSettledApplied(agentId: string, sessionId: string, version: number): Promise<void> {
    return this.db.tx(async (q) => {
      const s = await this.read(q, agentId, sessionId);
      if (!s || s.settledAppliedVersion >= version) return;
      await this.write(q, { ...s, settledAppliedVersion: version });
    });
  }

  listUnsettled(before: number, limit: number): Promise<Session[]> {
    return this.db.exclusive(async (q) => {
      const rows = await q.all(
        'SELECT doc FROM sessions WHERE unsettled AND last_activity < $1 ORDER BY last_activity LIMIT $2',
        [before, limit],
      );
      return rows.map((r) => JSON.parse(r.doc as string) as Session);
    });
  }

  list(
    agentId: string,
    from: number,
    to: number,
    cursor: string | null,
    limit: number,
  ): Promise<Page<Session>> {
    return this.db.exclusive(async (q) => {
      const after = decodeCursor<[number, string]>(cursor);
      const rows = await q.all(
        `SELECT doc, started_at, session_id FROM sessions
         WHERE agent_id = $1 AND started_at >= $2 AND started_at < $3
           AND ($4::BIGINT IS NULL OR (started_at, session_id) < ($4::BIGINT, $5::VARCHAR))
         ORDER BY started_at DESC, session_id DESC LIMIT $6`,
        [agentId, from, to, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
      );
      const items = rows.slice(0, limit).map((r) => JSON.parse(r.doc as string) as Session);
      const last = items[items.length - 1];
      return {
        items,
        cursor: rows.length > limit && last ? encodeCursor([last.startedAt, last.sessionId]) : null,
      };
    });
  }
}
