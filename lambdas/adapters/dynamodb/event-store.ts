import { DomainError } from '../../domain/errors';
import type { ErrorGroup, ErrorGroupSearch, EventStore, Page, StoredEvent } from '../../domain/ports';
import {
  type DynamoDbStoreOptions,
  decodeCursor,
  encodeCursor,
  eventExpiresAt,
  mapLimit,
  VigilTable,
  WRITE_CONCURRENCY,
} from './client';
import { errorGroups } from './error-groups';
import { readChunkItems } from './event-chunks';
import {
  chunkHead,
  chunkToEvents,
  chunkToItem,
  type Item,
  itemToPendingFold,
  MAX_CHUNK_BYTES,
  num,
  packChunks,
  pendingFoldToItem,
} from './items';
import { keys } from './table';

/**
 * Rounds of "read the session's new chunks, put at the next sequence number" one append may take. A
 * round fails only because another writer stored a chunk of the same session in between, so every
 * round some writer progresses: this bounds the wait of a writer that keeps losing to others.
 */
export const APPEND_ROUNDS = 50;

/**
 * Event ids the per-process cache of known chunks may hold in all (~80 B each: a few MB). Sessions past
 * it are forgotten least recently used first; a session with more ids than this is not cached.
 */
export const KNOWN_IDS_BUDGET = 50_000;

/**
 * Events are stored in chunks: the events one insertNew call stores for a session (one fold) are one
 * item under the session's partition (pk S#agent#session, sk C#<seq>, seq 0, 1, 2… zero-padded), their
 * records deflated together into one Binary (items.ts encodeChunkEvents, with a preset dictionary of
 * the record's field names). A request's 10 events with ~1 KB of chat text each deflate to ~4 KB
 * together (vs ~0.9 KB each alone): 5 write units instead of 10–20, and under half the stored bytes; a
 * lone event (a Lucidic request) fits one write unit. Runs whose deflated size passes MAX_CHUNK_BYTES
 * are split over consecutive seqs.
 *
 * Exactly-once without a key per event: an append reads the session's chunks (consistent Query),
 * drops the ids already stored, and puts the fresh events as chunk `next` (max seq + 1) on
 * attribute_not_exists. A chunk at seq n was thus written by a caller that had read every chunk < n
 * (chunks are never rewritten), so appends to a session are linearizable and no id is stored twice;
 * a caller whose put lost the seq to another reads the chunks from that seq on and tries again with
 * what is still fresh. The price is that read: one consistent Query per call per session, costing one
 * read unit per 4 KB of the chunks it reads, at least one (a 20-event session in 2 requests: 1 + 2
 * units). Uncached, every call re-reads the whole session, so a session's reads grow with the square of
 * its requests (20 one-event Lucidic requests: ~45 units); the per-process cache below reads only
 * chunks this process has not seen (1 unit a call while requests of a session reach a warm Lambda).
 *
 * Pending folds are items of their own (P#<hash(foldId) mod 8> / F#<foldId>), written before the
 * chunks and deleted by markFolded: the fold's events are the chunks of its session that carry its fold
 * id. Chunks carry no index entry: listBySession reads the session's partition and orders in memory.
 * A chunk expires (TTL) by the latest start of its events plus eventRetentionDays (else retentionDays).
 */
export class DynamoDbEventStore implements EventStore {
  private readonly table: VigilTable;

  /**
   * What this process knows of recently appended sessions: every id stored in chunks < `next`. Chunks
   * are immutable, so an append starting from it reads only chunks ≥ `next`: a warm Lambda that sees a
   * session's successive requests pays one small Query each, not a re-read of the whole session (which
   * grows with every request: a 20-event Lucidic session, one event per request, reads ~45 read units
   * uncached). Never wrong, only incomplete: a miss reads from chunk 0.
   */
  private readonly known = new Map<string, { next: number; ids: Set<string> }>();
  private knownIds = 0;

  constructor(private readonly options: DynamoDbStoreOptions) {
    this.table = new VigilTable(options);
  }

  async insertNew(events: StoredEvent[]): Promise<{ inserted: string[]; duplicates: string[] }> {
    // Folds per session; only the first occurrence of an id in the call is a candidate.
    const sessions = new Map<string, { agentId: string; sessionId: string; folds: Map<string, Fold> }>();
    const firstOf = new Map<string, number>();
    events.forEach((e, i) => {
      const sessionKey = `${e.agentId}\u0000${e.sessionId}`;
      let s = sessions.get(sessionKey);
      if (!s) {
        s = { agentId: e.agentId, sessionId: e.sessionId, folds: new Map() };
        sessions.set(sessionKey, s);
      }
      let f = s.folds.get(e.fold.foldId);
      if (!f) {
        f = { foldId: e.fold.foldId, receivedAt: e.receivedAt, candidates: [] };
        s.folds.set(e.fold.foldId, f);
      }
      f.receivedAt = Math.min(f.receivedAt, e.receivedAt);
      const idKey = `${sessionKey}\u0000${e.eventId}`;
      if (!firstOf.has(idKey)) {
        firstOf.set(idKey, i);
        f.candidates.push(e);
      }
    });
    const folds = [...sessions.values()].flatMap((s) =>
      [...s.folds.values()].map((f) => ({ agentId: s.agentId, sessionId: s.sessionId, ...f })),
    );
    // The folds first: an event stored without its pending fold would never be folded after a crash.
    await mapLimit(folds, WRITE_CONCURRENCY, (f) => this.table.put(pendingFoldToItem(f)));
    const stored = new Set<string>();
    const owning = new Set<string>();
    await mapLimit([...sessions.values()], WRITE_CONCURRENCY, async (s) => {
      // Folds of one session in turn (in practice there is one): they append to the same chunks.
      for (const f of s.folds.values()) {
        const mine = await this.append(s.agentId, s.sessionId, f.foldId, f.candidates);
        if (mine.size > 0) owning.add(f.foldId);
        for (const id of mine) stored.add(`${s.agentId}\u0000${s.sessionId}\u0000${id}`);
      }
    });
    const inserted: string[] = [];
    const duplicates: string[] = [];
    events.forEach((e, i) => {
      const idKey = `${e.agentId}\u0000${e.sessionId}\u0000${e.eventId}`;
      (firstOf.get(idKey) === i && stored.has(idKey) ? inserted : duplicates).push(e.eventId);
    });
    // A fold that stored nothing (a retry of events already stored) has nothing to replay.
    await mapLimit(
      folds.filter((f) => !owning.has(f.foldId)),
      WRITE_CONCURRENCY,
      (f) => this.table.delete(keys.pendingFold(f.foldId)),
    );
    return { inserted, duplicates };
  }

  /**
   * Appends the candidates not stored yet to the session's chunks, under `foldId`; returns the ids this
   * call stored. Read all chunks, then put at the next seq until the puts go through (see the class doc).
   */
  private async append(
    agentId: string,
    sessionId: string,
    foldId: string,
    candidates: StoredEvent[],
  ): Promise<Set<string>> {
    const mine = new Set<string>();
    if (candidates.length === 0) return mine;
    const sessionKey = `${agentId}\u0000${sessionId}`;
    const cached = this.known.get(sessionKey);
    const seen = new Set<string>(cached?.ids);
    let next = cached?.next ?? 0;
    let remaining = candidates;
    for (let round = 0; round < APPEND_ROUNDS; round++) {
      // Chunks are never rewritten, so only the chunks from `next` on can hold ids not in `seen`.
      for (const item of await readChunkItems(this.table, agentId, sessionId, { fromSeq: next })) {
        next = Math.max(next, chunkHead(item).seq + 1);
        for (const e of chunkToEvents(item)) seen.add(e.eventId);
      }
      remaining = remaining.filter((e) => !seen.has(e.eventId));
      if (remaining.length === 0) {
        this.remember(sessionKey, next, seen);
        return mine;
      }
      let lost = false;
      for (const part of packChunks(remaining, MAX_CHUNK_BYTES)) {
        const item = chunkToItem({ agentId, sessionId, seq: next, foldId, z: part.z });
        const ttl = eventExpiresAt(this.options, latestStart(part.events));
        if (ttl !== null) item.expiresAt = num(ttl);
        if ((await this.table.put(item, { expression: 'attribute_not_exists(pk)' })) === false) {
          lost = true;
          break;
        }
        for (const e of part.events) {
          mine.add(e.eventId);
          seen.add(e.eventId);
        }
        next++;
      }
      if (!lost) {
        this.remember(sessionKey, next, seen);
        return mine;
      }
      remaining = remaining.filter((e) => !mine.has(e.eventId));
    }
    throw new DomainError(
      'unavailable',
      `DynamoDB: could not append events to session ${sessionId} after ${APPEND_ROUNDS} rounds (other writers kept taking the next chunk)`,
    );
  }

  /** Records that `ids` are all the ids of the session's chunks < `next` (kept if it knows more). */
  private remember(sessionKey: string, next: number, ids: Set<string>): void {
    const old = this.known.get(sessionKey);
    if (old && old.next >= next) return;
    if (old) {
      this.known.delete(sessionKey);
      this.knownIds -= old.ids.size;
    }
    if (ids.size > KNOWN_IDS_BUDGET) return;
    this.known.set(sessionKey, { next, ids });
    this.knownIds += ids.size;
    for (const [key, entry] of this.known) {
      if (this.knownIds <= KNOWN_IDS_BUDGET) break;
      this.known.delete(key);
      this.knownIds -= entry.ids.size;
    }
  }

  async markFolded(_agentId: string, _sessionId: string, foldId: string): Promise<void> {
    await this.table.delete(keys.pendingFold(foldId));
  }

  /**
   * Reads every pending fold (the P# partitions hold only folds in flight or left by a crash, so they
   * stay small), oldest first, and the events each one owns: the chunks of its session that carry its
   * fold id, in sequence order. A fold that owns no event (its writer crashed before storing any, or
   * all were duplicates) is deleted on the way.
   */
  async listPending(before: number, limit: number): Promise<StoredEvent[]> {
    if (limit <= 0) return [];
    const folds = (await this.table.queryShards('P#'))
      .map(itemToPendingFold)
      .filter((f) => f.receivedAt < before)
      .sort(
        (a, b) => a.receivedAt - b.receivedAt || (a.foldId < b.foldId ? -1 : a.foldId > b.foldId ? 1 : 0),
      );
    const chosen: StoredEvent[] = [];
    // Folds of one session (a crash-looping client) share one read of its chunks.
    const sessionChunks = new Map<string, Promise<Item[]>>();
    for (const fold of folds) {
      const sessionKey = `${fold.agentId}\u0000${fold.sessionId}`;
      let read = sessionChunks.get(sessionKey);
      if (!read) {
        read = readChunkItems(this.table, fold.agentId, fold.sessionId);
        sessionChunks.set(sessionKey, read);
      }
      const own = (await read)
        .filter((item) => chunkHead(item).foldId === fold.foldId)
        .sort((a, b) => chunkHead(a).seq - chunkHead(b).seq)
        .flatMap(chunkToEvents);
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
   * Reads all the session's chunks (consistent) and pages in memory by (startedAt, eventId): each page
   * costs the size of all the session's chunks (one read unit per 4 KB), which the write savings of
   * chunks pay for many times over (sessions are read far less often than written).
   */
  async listBySession(
    agentId: string,
    sessionId: string,
    cursor: string | null,
    limit: number,
  ): Promise<Page<StoredEvent>> {
    if (limit <= 0) return { items: [], cursor: null };
    const after = decodeCursor(cursor, isEventCursor) as [number, string] | null;
    const items: Item[] = await readChunkItems(this.table, agentId, sessionId);
    const ordered = items
      .flatMap(chunkToEvents)
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

interface Fold {
  foldId: string;
  receivedAt: number;
  candidates: StoredEvent[];
}

const latestStart = (events: readonly StoredEvent[]): number =>
  events.reduce((max, e) => Math.max(max, e.startedAt), Number.NEGATIVE_INFINITY);

const isEventCursor = (v: unknown): boolean =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string';
