import type { ErrorGroup, ErrorGroupSearch, EventStore, Page, StoredEvent } from '../../domain/ports';
import {
  type DynamoDbStoreOptions,
  decodeCursor,
  Expr,
  encodeCursor,
  expiresAt,
  mapLimit,
  VigilTable,
  WRITE_CONCURRENCY,
} from './client';
import { errorGroups } from './error-groups';
import { eventToItem, itemToEvent, itemToPendingFold, num, pendingFoldToItem, str } from './items';
import { keys, SHARD_IDS } from './table';

/**
 * Events, one item each under their session's partition (pk S#agent#session, sk E#<eventId>): the key
 * is the dedupe key, so a conditional PutItem (attribute_not_exists) inserts each id exactly once
 * however many callers race. The record is one deflated Binary attribute (items.ts eventToItem), so a
 * 1 KB-payload event is one write unit; large payloads are already in the BlobStore.
 *
 * Pending folds are items of their own (P#<hash(foldId) mod 8> / F#<foldId>, listing the fold's event
 * ids), written before the events and deleted by markFolded: one small put and one delete per fold,
 * where a flag on every event would rewrite every event item and move its index entry. Events carry no
 * index entry: listBySession reads the session's partition and orders the events in memory.
 */
export class DynamoDbEventStore implements EventStore {
  private readonly table: VigilTable;

  constructor(private readonly options: DynamoDbStoreOptions) {
    this.table = new VigilTable(options);
  }

  async insertNew(events: StoredEvent[]): Promise<{ inserted: string[]; duplicates: string[] }> {
    const folds = new Map<
      string,
      { agentId: string; sessionId: string; foldId: string; receivedAt: number; eventIds: string[] }
    >();
    for (const e of events) {
      const id = `${e.agentId}\u0000${e.sessionId}\u0000${e.fold.foldId}`;
      const f = folds.get(id);
      if (!f) {
        folds.set(id, {
          agentId: e.agentId,
          sessionId: e.sessionId,
          foldId: e.fold.foldId,
          receivedAt: e.receivedAt,
          eventIds: [e.eventId],
        });
      } else {
        f.receivedAt = Math.min(f.receivedAt, e.receivedAt);
        f.eventIds.push(e.eventId);
      }
    }
    // The fold first: an event stored without its pending fold would never be folded after a crash.
    await mapLimit([...folds.values()], WRITE_CONCURRENCY, (f) => this.table.put(pendingFoldToItem(f)));
    const seen = new Set<string>();
    const outcome = await mapLimit(events, WRITE_CONCURRENCY, async (e) => {
      const id = `${e.agentId}\u0000${e.sessionId}\u0000${e.eventId}`;
      if (seen.has(id)) return false;
      seen.add(id);
      const item = eventToItem(e);
      const ttl = expiresAt(this.options, e.startedAt);
      if (ttl !== null) item.expiresAt = num(ttl);
      return (await this.table.put(item, { expression: 'attribute_not_exists(pk)' })) !== false;
    });
    const inserted: string[] = [];
    const duplicates: string[] = [];
    const owning = new Set<string>();
    events.forEach((e, i) => {
      (outcome[i] ? inserted : duplicates).push(e.eventId);
      if (outcome[i]) owning.add(e.fold.foldId);
    });
    // A fold that stored nothing (a retry of events already stored) has nothing to replay.
    await mapLimit(
      [...folds.values()].filter((f) => !owning.has(f.foldId)),
      WRITE_CONCURRENCY,
      (f) => this.table.delete(keys.pendingFold(f.foldId)),
    );
    return { inserted, duplicates };
  }

  async markFolded(_agentId: string, _sessionId: string, foldId: string): Promise<void> {
    await this.table.delete(keys.pendingFold(foldId));
  }

  /**
   * Reads every pending fold (the P# partitions hold only folds in flight or left by a crash, so they
   * stay small), oldest first, and fetches the events each one owns. A fold that owns no event (its
   * writer crashed before storing any) is deleted on the way.
   */
  async listPending(before: number, limit: number): Promise<StoredEvent[]> {
    if (limit <= 0) return [];
    const perShard = await Promise.all(
      SHARD_IDS.map(async (shard) => {
        const expr = new Expr();
        const { items } = await this.table.query({
          KeyConditionExpression: `${expr.name('pk')} = ${expr.value(str(`P#${shard}`))}`,
          ConsistentRead: true,
          ...expr.maps(),
        });
        return items.map(itemToPendingFold);
      }),
    );
    const folds = perShard
      .flat()
      .filter((f) => f.receivedAt < before)
      .sort(
        (a, b) => a.receivedAt - b.receivedAt || (a.foldId < b.foldId ? -1 : a.foldId > b.foldId ? 1 : 0),
      );
    const chosen: StoredEvent[] = [];
    for (const fold of folds) {
      const items = await this.table.batchGet(
        fold.eventIds.map((id) => keys.event(fold.agentId, fold.sessionId, id)),
      );
      const rank = new Map(fold.eventIds.map((id, i) => [id, i]));
      const own = items
        .map(itemToEvent)
        .filter((e) => e.fold.foldId === fold.foldId)
        .sort((a, b) => rank.get(a.eventId)! - rank.get(b.eventId)!);
      if (own.length === 0) {
        await this.table.delete(keys.pendingFold(fold.foldId));
        continue;
      }
      if (chosen.length > 0 && chosen.length + own.length > limit) break;
      chosen.push(...own);
    }
    return chosen;
  }

  /**
   * Reads the whole session partition's events (consistent) and pages in memory by (startedAt, eventId):
   * each page costs the size of all the session's events, which the write savings of having no index
   * entry per event pay for many times over (sessions are read far less often than written).
   */
  async listBySession(
    agentId: string,
    sessionId: string,
    cursor: string | null,
    limit: number,
  ): Promise<Page<StoredEvent>> {
    if (limit <= 0) return { items: [], cursor: null };
    const after = decodeCursor(cursor, isEventCursor) as [number, string] | null;
    const expr = new Expr();
    const { items } = await this.table.query({
      KeyConditionExpression: `${expr.name('pk')} = ${expr.value(str(keys.session(agentId, sessionId).pk))} AND begins_with(${expr.name('sk')}, ${expr.value(str('E#'))})`,
      ConsistentRead: true,
      ...expr.maps(),
    });
    const ordered = items
      .map(itemToEvent)
      .filter((e) => !after || e.startedAt > after[0] || (e.startedAt === after[0] && e.eventId > after[1]))
      .sort(
        (a, b) => a.startedAt - b.startedAt || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
      );
    const page = ordered.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page,
      cursor: ordered.length > limit && last ? encodeCursor([last.startedAt, last.eventId]) : null,
    };
  }

  /** See error-groups.ts: grouped in memory over the window's sessions' events (capped, costs documented). */
  errorGroups(q: ErrorGroupSearch, cursor: string | null, limit: number): Promise<Page<ErrorGroup>> {
    return errorGroups(this.table, q, cursor, limit);
  }
}

const isEventCursor = (v: unknown): boolean =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string';
