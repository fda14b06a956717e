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
import { eventToItem, type Item, itemToEvent, keyItem, num, str } from './items';
import { encTimeBound, indexKeys, keys, SHARD_IDS } from './table';

interface PendingFold {
  order: string;
  refs: Item[];
}

/**
 * Events, one item each under their session's partition (pk S#agent#session, sk E#<eventId>): the key
 * is the dedupe key, so a conditional PutItem (attribute_not_exists) inserts each id exactly once
 * however many callers race. Payloads are stored as JSON text (large ones are already in the BlobStore).
 *
 * gsi1 (E#agent#session / <startedAt>#<eventId>) orders a session's events. gsi2 is the pending-fold
 * queue: P#<hash(foldId) mod 8> / <earliest receivedAt of the fold>#<foldId>, so one fold's events sit
 * together in one shard; markFolded removes the attributes and the event leaves the index.
 */
export class DynamoDbEventStore implements EventStore {
  private readonly table: VigilTable;

  constructor(private readonly options: DynamoDbStoreOptions) {
    this.table = new VigilTable(options);
  }

  async insertNew(events: StoredEvent[]): Promise<{ inserted: string[]; duplicates: string[] }> {
    const foldReceivedAt = new Map<string, number>();
    for (const e of events) {
      const t = foldReceivedAt.get(e.fold.foldId);
      if (t === undefined || e.receivedAt < t) foldReceivedAt.set(e.fold.foldId, e.receivedAt);
    }
    const seen = new Set<string>();
    const outcome = await mapLimit(events, WRITE_CONCURRENCY, async (e) => {
      const id = `${e.agentId}\u0000${e.sessionId}\u0000${e.eventId}`;
      if (seen.has(id)) return false;
      seen.add(id);
      const item = eventToItem(e, foldReceivedAt.get(e.fold.foldId)!);
      const ttl = expiresAt(this.options, e.startedAt);
      if (ttl !== null) item.expiresAt = num(ttl);
      return (await this.table.put(item, { expression: 'attribute_not_exists(pk)' })) !== false;
    });
    const inserted: string[] = [];
    const duplicates: string[] = [];
    events.forEach((e, i) => {
      (outcome[i] ? inserted : duplicates).push(e.eventId);
    });
    return { inserted, duplicates };
  }

  async markFolded(agentId: string, sessionId: string, eventIds: string[]): Promise<void> {
    await mapLimit([...new Set(eventIds)], WRITE_CONCURRENCY, async (eventId) => {
      const expr = new Expr();
      // Already folded (or unknown) events fail the condition: nothing to do.
      await this.table.update({
        key: keys.event(agentId, sessionId, eventId),
        update: `REMOVE ${expr.name('gsi2pk')}, ${expr.name('gsi2sk')}`,
        condition: `attribute_exists(${expr.name('gsi2pk')})`,
        expr,
      });
    });
  }

  /**
   * Pending events of folds whose earliest event was received before `before`, oldest fold first.
   * Folds are never split: a fold replayed in halves after a half-applied first attempt would count the
   * second half twice. So this returns whole folds up to `limit` events, or one whole fold if that
   * alone is larger.
   */
  async listPending(before: number, limit: number): Promise<StoredEvent[]> {
    if (limit <= 0) return [];
    const perShard = await Promise.all(SHARD_IDS.map((shard) => this.pendingFolds(shard, before, limit)));
    const folds = perShard.flat().sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
    const chosen: Item[] = [];
    for (const fold of folds) {
      if (chosen.length > 0 && chosen.length + fold.refs.length > limit) break;
      chosen.push(...fold.refs);
    }
    const items = await this.table.batchGet(chosen.map((r) => ({ pk: r.pk!.S!, sk: r.sk!.S! })));
    const rank = new Map(chosen.map((r, i) => [`${r.pk!.S!}\u0000${r.sk!.S!}`, i]));
    return items
      .filter((i) => i.gsi2pk !== undefined)
      .sort((a, b) => rank.get(`${a.pk!.S!}\u0000${a.sk!.S!}`)! - rank.get(`${b.pk!.S!}\u0000${b.sk!.S!}`)!)
      .map(itemToEvent);
  }

  /** Whole folds from one shard, oldest first, until they hold at least `limit` events. */
  private async pendingFolds(shard: number, before: number, limit: number): Promise<PendingFold[]> {
    const folds: PendingFold[] = [];
    let count = 0;
    let start: Item | undefined;
    do {
      const expr = new Expr();
      const page = await this.table.queryPage(
        {
          IndexName: 'gsi2',
          KeyConditionExpression: `${expr.name('gsi2pk')} = ${expr.value(str(`P#${shard}`))} AND ${expr.name('gsi2sk')} < ${expr.value(str(encTimeBound(before)))}`,
          Limit: Math.max(limit, 100),
          ...expr.maps(),
        },
        start,
      );
      start = page.lastKey;
      for (const ref of page.items) {
        const order = ref.gsi2sk!.S!;
        const last = folds[folds.length - 1];
        if (last?.order === order) last.refs.push(ref);
        else {
          // The previous fold is complete: stop once complete folds hold enough.
          if (count >= limit) return folds;
          folds.push({ order, refs: [ref] });
        }
        count++;
      }
    } while (start);
    return folds;
  }

  async listBySession(
    agentId: string,
    sessionId: string,
    cursor: string | null,
    limit: number,
  ): Promise<Page<StoredEvent>> {
    if (limit <= 0) return { items: [], cursor: null };
    const after = decodeCursor(cursor, isEventCursor) as [string, string] | null;
    const gsi1pk = indexKeys.eventsOf(agentId, sessionId);
    const start: Item | undefined = after
      ? { gsi1pk: str(gsi1pk), gsi1sk: str(after[0]), ...keyItem(keys.event(agentId, sessionId, after[1])) }
      : undefined;
    const expr = new Expr();
    const { items: refs } = await this.table.query(
      {
        IndexName: 'gsi1',
        KeyConditionExpression: `${expr.name('gsi1pk')} = ${expr.value(str(gsi1pk))}`,
        Limit: limit + 1,
        ...expr.maps(),
      },
      (found) => found.length > limit,
      start,
    );
    const page = refs.slice(0, limit);
    const items = await this.table.batchGet(page.map((r) => ({ pk: r.pk!.S!, sk: r.sk!.S! })));
    const bySk = new Map(items.map((i) => [i.sk!.S!, itemToEvent(i)]));
    const events = page.map((r) => bySk.get(r.sk!.S!)).filter((e): e is StoredEvent => e !== undefined);
    const last = page[page.length - 1];
    return {
      items: events,
      cursor:
        refs.length > limit && last ? encodeCursor([last.gsi1sk!.S!, last.sk!.S!.slice('E#'.length)]) : null,
    };
  }

  /** See error-groups.ts: grouped in memory over the window's sessions' events (capped, costs documented). */
  errorGroups(q: ErrorGroupSearch, cursor: string | null, limit: number): Promise<Page<ErrorGroup>> {
    return errorGroups(this.table, q, cursor, limit);
  }
}

const isEventCursor = (v: unknown): boolean =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string';
