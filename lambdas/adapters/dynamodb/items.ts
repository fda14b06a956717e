import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { validationError } from '../../domain/errors';
import {
  emptyTotals,
  type RubricResult,
  type Session,
  type SessionTotals,
  type SettledSnapshot,
} from '../../domain/model';
import type { ApiKeyRecord, StoredEvent } from '../../domain/ports';
import {
  COUNTERS,
  type CounterName,
  emptyRecord,
  type RollupKey,
  type RollupRecord,
  type SketchName,
} from '../../domain/rollup';
import { owesSettlement } from '../../domain/session-merge';
import { mergeBins } from '../../domain/sketch';
import { decodeSketch } from './sketch-codec';
import { EVENT_CHUNK_PREFIX, encTime, indexKeys, keys, unesc } from './table';

/** Record ↔ item converters. The SDK's marshaller is not a dependency, so JSON-like values convert here. */

export type Item = Record<string, AttributeValue>;

/** A JSON-like value as an attribute value; undefined members of objects are left out. */
export function toAttr(value: unknown, path = 'value'): AttributeValue {
  if (value === null) return { NULL: true };
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'boolean':
      return { BOOL: value };
    case 'number':
      if (!Number.isFinite(value)) throw validationError(path, 'must be a finite number');
      return { N: String(value) };
    case 'object': {
      if (Array.isArray(value)) return { L: value.map((v, i) => toAttr(v ?? null, `${path}[${i}]`)) };
      const m: Item = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v !== undefined) m[k] = toAttr(v, `${path}.${k}`);
      }
      return { M: m };
    }
    default:
      throw validationError(path, `cannot store a ${typeof value}`);
  }
}

export function fromAttr(av: AttributeValue | undefined): unknown {
  if (av === undefined || av.NULL) return null;
  if (av.S !== undefined) return av.S;
  if (av.N !== undefined) return Number(av.N);
  if (av.BOOL !== undefined) return av.BOOL;
  if (av.L !== undefined) return av.L.map(fromAttr);
  if (av.M !== undefined) return Object.fromEntries(Object.entries(av.M).map(([k, v]) => [k, fromAttr(v)]));
  if (av.SS !== undefined) return [...av.SS];
  if (av.NS !== undefined) return av.NS.map(Number);
  throw new TypeError(`unsupported attribute value ${Object.keys(av).join(',')}`);
}

export const str = (s: string): AttributeValue => ({ S: s });
export const num = (n: number): AttributeValue => toAttr(n);
export const bool = (b: boolean): AttributeValue => ({ BOOL: b });
export const strOrNull = (s: string | null): AttributeValue => (s === null ? { NULL: true } : { S: s });
export const numOrNull = (n: number | null): AttributeValue => (n === null ? { NULL: true } : num(n));

/**
 * An amount to ADD. DynamoDB adds in decimal with 38 significant digits and rejects a sum that needs
 * more; rounding each addend to 15 significant digits drops binary noise (0.30000000000000004) and
 * keeps sums of mixed magnitudes (cost in micro-dollars, latency sums in ms) far inside that limit.
 */
export const addend = (n: number): AttributeValue => ({ N: String(Number(n.toPrecision(15))) });

const getS = (item: Item, name: string): string => {
  const v = item[name]?.S;
  if (v === undefined) throw new TypeError(`item attribute ${name} is not a string`);
  return v;
};
const getSOrNull = (item: Item, name: string): string | null => item[name]?.S ?? null;
const getN = (item: Item, name: string, fallback = 0): number => {
  const v = item[name]?.N;
  return v === undefined ? fallback : Number(v);
};
const getNOrNull = (item: Item, name: string): number | null => {
  const v = item[name]?.N;
  return v === undefined ? null : Number(v);
};
const getBool = (item: Item, name: string): boolean => item[name]?.BOOL === true;

// ---------------------------------------------------------------------------------------------------
// Fold markers

/**
 * The attribute that records "fold `foldId` (part `part`) was applied to this item". Fold ids are
 * free text ("settle:<agent>:<session>:<v>"), so long ones are hashed to keep the name ≤ 255 bytes.
 * Raw names start "f<part>:", hashed ones "h<part>:"; neither can collide with data attributes.
 */
export function foldMarker(foldId: string, part = 0): string {
  const tag = part === 0 ? '' : String(part);
  const raw = `f${tag}:${foldId}`;
  if (Buffer.byteLength(raw, 'utf8') <= 200) return raw;
  return `h${tag}:${createHash('sha256').update(foldId).digest('hex')}`;
}

const isMarker = (name: string): boolean => /^[fh]\d*:/.test(name);

// ---------------------------------------------------------------------------------------------------
// Sessions

/**
 * Session attribute names. Every session write is billed by the whole item's size per started KB and a
 * session is written 3 times per request, so the names are short (an item of a typical session stays
 * well under 1 KB). The index keys (gsi1pk…) and the table keys keep their names.
 */
export const SESSION_ATTR = {
  name: 'n',
  task: 'k',
  tags: 'tg',
  experimentId: 'x',
  datasetItemId: 'd',
  rubrics: 'rb',
  production: 'p',
  sampleRate: 'sr',
  stub: 'st',
  status: 's',
  startedAt: 'sa',
  endedAt: 'ea',
  outcome: 'o',
  evals: 'ev',
  source: 'so',
  createdAt: 'ca',
  updatedAt: 'ua',
  rollupHour: 'rh',
  settled: 'sn',
  settledPrev: 'sp',
  settledVersion: 'sv',
  settledComplete: 'sc',
  settledAppliedVersion: 'av',
  /** Upsert revision: concurrent upserts race on it (see DynamoDbSessionStore.upsert). */
  urev: 'ur',
} as const;
const A = SESSION_ATTR;

export const TOTAL_ATTRS: Record<Exclude<keyof SessionTotals, 'firstEventAt' | 'lastEventEndAt'>, string> = {
  events: 'te',
  llmCalls: 'tl',
  errors: 'tx',
  inputTokens: 'ti',
  outputTokens: 'to',
  cachedInputTokens: 'tc',
  reasoningTokens: 'tr',
  costUsd: 'tu',
  unpricedEvents: 'tp',
};
export const FIRST_EVENT_ATTR = 'tf';
export const LAST_EVENT_END_ATTR = 'tz';

/**
 * A new session item. Null fields are left out (readers take a missing attribute as null); `settled`
 * is stored as NULL so an update can copy it to `settledPrev`. agentId and sessionId are read from the
 * key.
 */
export function sessionToItem(s: Session): Item {
  const item: Item = {
    ...keyItem(keys.session(s.agentId, s.sessionId)),
    [A.tags]: toAttr(s.tags, 'tags'),
    [A.rubrics]: toAttr(s.rubrics, 'rubrics'),
    [A.production]: bool(s.production),
    [A.sampleRate]: num(s.sampleRate),
    [A.stub]: bool(s.stub),
    [A.status]: str(s.status),
    [A.startedAt]: num(s.startedAt),
    [A.outcome]: toAttr(s.outcome, 'outcome'),
    [A.evals]: toAttr(s.evals, 'evals'),
    [A.source]: str(s.source),
    [A.createdAt]: num(s.createdAt),
    [A.updatedAt]: num(s.updatedAt),
    [A.rollupHour]: num(s.rollupHour),
    [A.settled]: snapshotAttr(s.settled),
    [A.settledVersion]: num(s.settled?.version ?? 0),
    [A.settledComplete]: bool(s.settled?.complete ?? false),
    [A.settledAppliedVersion]: num(s.settledAppliedVersion),
    [A.urev]: num(0),
    gsi1pk: str(indexKeys.sessionsOf(s.agentId)),
    gsi1sk: str(indexKeys.sessionOrder(s.startedAt, s.sessionId)),
    // createdAt ≤ updatedAt ≤ last activity, and it never changes: the entry never moves.
    gsi2sk: str(encTime(s.createdAt)),
  };
  if (s.name !== null) item[A.name] = str(s.name);
  if (s.task !== null) item[A.task] = str(s.task);
  if (s.experimentId !== null) item[A.experimentId] = str(s.experimentId);
  if (s.datasetItemId !== null) item[A.datasetItemId] = str(s.datasetItemId);
  if (s.endedAt !== null) item[A.endedAt] = num(s.endedAt);
  if (s.settledPrev) item[A.settledPrev] = snapshotAttr(s.settledPrev);
  for (const [field, attr] of Object.entries(TOTAL_ATTRS))
    item[attr] = num(s.totals[field as keyof typeof TOTAL_ATTRS]);
  if (s.totals.firstEventAt !== null) item[FIRST_EVENT_ATTR] = num(s.totals.firstEventAt);
  if (s.totals.lastEventEndAt !== null) item[LAST_EVENT_END_ATTR] = num(s.totals.lastEventEndAt);
  // The gsi2 'unsettled' entry exists while the session may still owe a settlement.
  if (owesSettlement(s)) {
    item.gsi2pk = str(indexKeys.unsettledShard(s.agentId, s.sessionId));
  }
  return item;
}

/** Field order of a stored snapshot: a JSON array, so the field names are not stored with every write. */
const SNAPSHOT_FIELDS = [
  'version',
  'production',
  'hour',
  'slices',
  'weight',
  'counted',
  'complete',
  'costUsd',
  'durationMs',
  'tokens',
  'errored',
  'success',
  'sessionEval',
] as const satisfies ReadonlyArray<keyof SettledSnapshot>;

export const snapshotAttr = (s: SettledSnapshot | null): AttributeValue =>
  s ? { S: JSON.stringify(SNAPSHOT_FIELDS.map((f) => s[f])) } : { NULL: true };

function snapshotOf(item: Item, name: string): SettledSnapshot | null {
  const text = item[name]?.S;
  if (text === undefined) return null;
  const values = JSON.parse(text) as unknown[];
  return Object.fromEntries(SNAPSHOT_FIELDS.map((f, i) => [f, values[i]])) as unknown as SettledSnapshot;
}

/** agentId and sessionId of a session item, from its key (S#<agent>#<session>, each escaped). */
function sessionIds(item: Item): [string, string] {
  const [agentId, sessionId] = getS(item, 'pk').slice('S#'.length).split('#').map(unesc);
  return [agentId!, sessionId!];
}

export function itemToSession(item: Item): Session {
  const totals = emptyTotals();
  for (const [field, attr] of Object.entries(TOTAL_ATTRS))
    totals[field as keyof typeof TOTAL_ATTRS] = getN(item, attr);
  totals.firstEventAt = getNOrNull(item, FIRST_EVENT_ATTR);
  totals.lastEventEndAt = getNOrNull(item, LAST_EVENT_END_ATTR);
  const [agentId, sessionId] = sessionIds(item);
  return {
    agentId,
    sessionId,
    name: getSOrNull(item, A.name),
    task: getSOrNull(item, A.task),
    tags: (fromAttr(item[A.tags]) as string[] | null) ?? [],
    experimentId: getSOrNull(item, A.experimentId),
    datasetItemId: getSOrNull(item, A.datasetItemId),
    rubrics: (fromAttr(item[A.rubrics]) as string[] | null) ?? [],
    production: getBool(item, A.production),
    sampleRate: getN(item, A.sampleRate, 1),
    stub: getBool(item, A.stub),
    status: getS(item, A.status) as Session['status'],
    startedAt: getN(item, A.startedAt),
    endedAt: getNOrNull(item, A.endedAt),
    outcome: fromAttr(item[A.outcome]) as Session['outcome'],
    evals: (fromAttr(item[A.evals]) as RubricResult[] | null) ?? [],
    totals,
    source: getS(item, A.source) as Session['source'],
    createdAt: getN(item, A.createdAt),
    updatedAt: getN(item, A.updatedAt),
    rollupHour: getN(item, A.rollupHour),
    settled: snapshotOf(item, A.settled),
    settledPrev: snapshotOf(item, A.settledPrev),
    settledAppliedVersion: getN(item, A.settledAppliedVersion),
  };
}

// ---------------------------------------------------------------------------------------------------
// Event chunks

/**
 * Largest deflated record list one chunk item carries. DynamoDB items stop at 400 KB; the rest of the
 * item (keys, fold id, TTL) is well under 1 KB, so 350 KB leaves room to spare. A call whose fresh
 * events deflate to more is split into several chunks (consecutive sequence numbers).
 */
export const MAX_CHUNK_BYTES = 350_000;

/** Chunk attribute names: every chunk write and every stored byte is billed by item size. */
export const CHUNK_ATTR = {
  /** The fold id the chunk's events are pending under (String): listPending finds them by it. */
  foldId: 'f',
  /**
   * The events, a JSON array raw-deflated with CHUNK_DICTIONARY as preset dictionary (Binary). A
   * chunk written with another codec or dictionary would get another attribute name (z2, …).
   */
  events: 'z',
} as const;

/**
 * The preset dictionary of chunk deflation: the field names and common values of a stored event
 * record, so that even a chunk of one event (a Lucidic request sends one) back-references them instead
 * of spelling them out (~900 B → ~600 B for a 1 KB-payload event: one write unit instead of two).
 * Stored chunks cannot be read without these exact bytes: never edit it (a test pins its hash); a new
 * dictionary needs a new attribute name for the chunks written with it.
 */
export const CHUNK_DICTIONARY: Buffer = Buffer.from(
  '"type":"tool","rawType":"function_call","type":"error","type":"generic","source":"lucidic",' +
    '"source":"otlp","error":{"category":"rate_limit","type":null,"message":"","stack":null,' +
    '"origin":"system","recoverable":true,"fingerprint":""},"cost":null,"usage":null,"model":null,' +
    '"provider":null,"durationMs":null,"name":null,' +
    '[{"eventId":"","parentEventId":null,"type":"llm","rawType":"llm_generation","name":"chat",' +
    '"startedAt":1796430600000,"durationMs":1200,"model":"gpt-4o-mini","provider":"openai",' +
    '"usage":{"inputTokens":0,"outputTokens":0,"cachedInputTokens":0,"reasoningTokens":0},"tags":[],' +
    '"metadata":null,"payload":{"request":{"provider":"anthropic","model":"claude-sonnet-4-5",' +
    '"messages":[{"role":"system","content":""},{"role":"user","content":""}]},' +
    '"response":{"role":"assistant","content":"","output":""},' +
    '"usage":{"input_tokens":0,"output_tokens":0},"function_name":"","arguments":{},' +
    '"return_value":null},"source":"native","cost":{"usd":0.000192,"source":"server",' +
    '"clientUsd":null,"serverUsd":0.000192,"priceId":"openai/gpt-4o-mini","unpriced":false},' +
    '"error":null,"payloadRef":null,"receivedAt":1796434155335,' +
    '"fold":{"production":true,"weight":1,"sessionSlices":["tag:"]}}]',
  'utf8',
);

/** An event as the chunk stores it: no agent or session (in the key) and no fold id (on the chunk). */
type ChunkRecord = Omit<StoredEvent, 'agentId' | 'sessionId' | 'fold'> & {
  fold: Omit<StoredEvent['fold'], 'foldId'>;
};

/**
 * The events of one chunk (all of one session and one fold), deflated together: the JSON field names,
 * models, tags and fold context repeat from event to event, so one deflate stream shares its Huffman
 * tables and back-references across them (bench/dynamo-cost.ts events with 1 KB of chat text each:
 * ~4.2 KB for 10 together vs ~0.6–0.9 KB each alone).
 */
export function encodeChunkEvents(events: readonly StoredEvent[]): Buffer {
  const records: ChunkRecord[] = events.map(({ agentId: _a, sessionId: _s, fold, ...rest }) => {
    const { foldId: _f, ...foldRest } = fold;
    return { ...rest, fold: foldRest };
  });
  return deflateRawSync(JSON.stringify(records), { dictionary: CHUNK_DICTIONARY });
}

/**
 * `events` split into consecutive runs whose deflated size is at most `maxBytes` (halving a run until it
 * fits; a single event is never split, DynamoDB refuses it if it is too large on its own).
 */
export function packChunks(
  events: readonly StoredEvent[],
  maxBytes = MAX_CHUNK_BYTES,
): Array<{ events: StoredEvent[]; z: Buffer }> {
  if (events.length === 0) return [];
  const z = encodeChunkEvents(events);
  if (z.byteLength <= maxBytes || events.length === 1) return [{ events: [...events], z }];
  const half = Math.ceil(events.length / 2);
  return [...packChunks(events.slice(0, half), maxBytes), ...packChunks(events.slice(half), maxBytes)];
}

/** A chunk item: key (session partition, C#<seq>), fold id and the deflated events. */
export function chunkToItem(c: {
  agentId: string;
  sessionId: string;
  seq: number;
  foldId: string;
  z: Buffer;
}): Item {
  return {
    ...keyItem(keys.eventChunk(c.agentId, c.sessionId, c.seq)),
    [CHUNK_ATTR.foldId]: str(c.foldId),
    [CHUNK_ATTR.events]: { B: c.z },
  };
}

/** Sequence number and fold id of a chunk item, without inflating its events. */
export function chunkHead(item: Item): { seq: number; foldId: string } {
  return {
    seq: Number(getS(item, 'sk').slice(EVENT_CHUNK_PREFIX.length)),
    foldId: getS(item, CHUNK_ATTR.foldId),
  };
}

/** The events of a chunk item, in the order they were written. */
export function chunkToEvents(item: Item): StoredEvent[] {
  const z = item[CHUNK_ATTR.events]?.B;
  if (z === undefined) throw new TypeError(`item attribute ${CHUNK_ATTR.events} is not a binary`);
  const [agentId, sessionId] = sessionIds(item);
  const foldId = getS(item, CHUNK_ATTR.foldId);
  const records = JSON.parse(
    inflateRawSync(z, { dictionary: CHUNK_DICTIONARY }).toString('utf8'),
  ) as ChunkRecord[];
  return records.map(({ fold, ...rest }) => ({ agentId, sessionId, ...rest, fold: { foldId, ...fold } }));
}

// ---------------------------------------------------------------------------------------------------
// Pending folds

/**
 * A fold whose events are (being) stored but not yet folded into rollups and session totals: written
 * before its chunks, deleted by markFolded, read by the reconcile job. Its events are the ones in the
 * session's chunks that carry its fold id (an id it lost to a duplicate is in another fold's chunk).
 */
export function pendingFoldToItem(f: {
  agentId: string;
  sessionId: string;
  foldId: string;
  receivedAt: number;
}): Item {
  return {
    ...keyItem(keys.pendingFold(f.foldId)),
    agentId: str(f.agentId),
    sessionId: str(f.sessionId),
    receivedAt: num(f.receivedAt),
  };
}

export function itemToPendingFold(item: Item) {
  return {
    agentId: getS(item, 'agentId'),
    sessionId: getS(item, 'sessionId'),
    foldId: getS(item, 'sk').slice('F#'.length),
    receivedAt: getN(item, 'receivedAt'),
  };
}

// ---------------------------------------------------------------------------------------------------
// Rollups

/**
 * Rollup attribute names. A rollup item is rewritten (and billed by its whole size) on every fold that
 * touches its slice and hour, and a busy hour's sketches hold hundreds of bins, one attribute each: so
 * names are as short as they can be. Counters are two lower-case letters; a sketch bin is its sketch's
 * upper-case letter and the bin index ("L357", "Cz"), or, packed (the default, see rollup-store.ts), a
 * whole sketch is one Binary attribute named by the letter alone ("L"). None can be taken for a fold
 * marker ("f…:").
 */
export const COUNTER_ATTR: Record<CounterName, string> = {
  sessions: 'ss',
  settledSessions: 'sd',
  erroredSessions: 'se',
  succeededSessions: 'sg',
  failedSessions: 'sf',
  evalSum: 'vs',
  evalCount: 'vc',
  sessionCostSum: 'cs',
  sessionDurationSum: 'ds',
  sessionDurationCount: 'dc',
  events: 'ev',
  llmCalls: 'lc',
  errors: 'er',
  inputTokens: 'it',
  outputTokens: 'ot',
  cachedInputTokens: 'ct',
  reasoningTokens: 'rt',
  costUsd: 'cu',
  unpricedEvents: 'up',
  latencySumMs: 'ls',
  latencyCount: 'lt',
};
export const SKETCH_LETTER: Record<SketchName, string> = {
  sessionCost: 'C',
  sessionDuration: 'D',
  eventLatency: 'L',
  llmTokens: 'T',
  llmCost: 'U',
};
const SKETCH_OF_LETTER = new Map(Object.entries(SKETCH_LETTER).map(([s, l]) => [l, s as SketchName]));

export const counterAttr = (counter: CounterName): string => COUNTER_ATTR[counter];
export const binAttr = (sketch: SketchName, bin: string): string => `${SKETCH_LETTER[sketch]}${bin}`;
/** The sketch and bin of a per-bin number attribute ("L357" → eventLatency, "357"), else null. */
export function parseBinAttr(name: string): { sketch: SketchName; bin: string } | null {
  const sketch = SKETCH_OF_LETTER.get(name[0]!);
  if (!sketch || !/^.(-?\d+|z)$/.test(name)) return null;
  return { sketch, bin: name.slice(1) };
}
/** A packed sketch (sketch-codec.ts): one Binary attribute named by the sketch's letter alone ("L"). */
export const packedSketchAttr = (sketch: SketchName): string => SKETCH_LETTER[sketch];
/**
 * The compare-and-set version of an item's packed sketches: every write that replaces a packed sketch
 * requires the version it read and stores the next one. Counter-only ADDs leave it alone.
 */
export const SKETCH_VERSION_ATTR = 'v';
export const sketchVersionOf = (item: Item | null): number | null =>
  item?.[SKETCH_VERSION_ATTR]?.N === undefined ? null : Number(item[SKETCH_VERSION_ATTR].N);

/**
 * The attributes a rollup item carries besides its data, SET on every write (a no-op after the first):
 * only the index keys. The agent, flag, slice and hour are read back from the item's key.
 */
export function rollupIdentity(key: RollupKey): Item {
  return {
    gsi1pk: str(indexKeys.rollupsOf(key.agentId, key.production, indexKeys.sliceFamily(key.slice))),
    gsi1sk: str(indexKeys.rollupOrder(key.hour, key.slice)),
  };
}

/** The rollup key of an item, from pk R#<agent>#<0|1> and sk <slice>#<hour> (see keys.rollup). */
function rollupKeyOf(item: Item): RollupKey {
  const pk = getS(item, 'pk');
  const sk = getS(item, 'sk');
  const flag = pk.lastIndexOf('#');
  const cut = sk.lastIndexOf('#');
  const hour = sk.slice(cut + 1);
  return {
    agentId: unesc(pk.slice('R#'.length, flag)),
    production: pk.slice(flag + 1) === '1',
    slice: unesc(sk.slice(0, cut)),
    hour: hour.startsWith('-') ? Number(hour.slice(1)) - 1e9 : Number(hour),
  };
}

export function itemToRollup(item: Item): RollupRecord {
  const record = emptyRecord(rollupKeyOf(item));
  for (const c of COUNTERS) record.counters[c] = getN(item, counterAttr(c));
  for (const [name, value] of Object.entries(item)) {
    const sketch = SKETCH_OF_LETTER.get(name[0]!);
    if (!sketch) continue;
    // Bins of either format add up: an item may hold both (written by stores of both formats).
    if (value.B !== undefined && name.length === 1) mergeBins(record.sketches[sketch], decodeSketch(value.B));
    else if (value.N !== undefined) mergeBins(record.sketches[sketch], { [name.slice(1)]: Number(value.N) });
  }
  return record;
}

/** Fold markers an item still carries (for diagnostics and tests). */
export const markersOf = (item: Item): string[] => Object.keys(item).filter(isMarker);

// ---------------------------------------------------------------------------------------------------
// API keys

export function apiKeyToItem(r: ApiKeyRecord): Item {
  const item: Item = {
    ...keyItem(keys.apiKey(r.hash)),
    keyId: str(r.keyId),
    prefix: str(r.prefix),
    hash: str(r.hash),
    name: str(r.name),
    scopes: toAttr(r.scopes, 'scopes'),
    agents: toAttr(r.agents, 'agents'),
    createdAt: num(r.createdAt),
  };
  // Left out when null, so revoke can keep the first revocation with if_not_exists.
  if (r.revokedAt !== null) item.revokedAt = num(r.revokedAt);
  if (r.lastUsedAt !== null) item.lastUsedAt = num(r.lastUsedAt);
  return item;
}

export function itemToApiKey(item: Item): ApiKeyRecord {
  return {
    keyId: getS(item, 'keyId'),
    prefix: getS(item, 'prefix'),
    hash: getS(item, 'hash'),
    name: getS(item, 'name'),
    scopes: fromAttr(item.scopes) as ApiKeyRecord['scopes'],
    agents: fromAttr(item.agents) as ApiKeyRecord['agents'],
    createdAt: getN(item, 'createdAt'),
    revokedAt: getNOrNull(item, 'revokedAt'),
    lastUsedAt: getNOrNull(item, 'lastUsedAt'),
  };
}

// ---------------------------------------------------------------------------------------------------

export const keyItem = (k: { pk: string; sk: string }): Item => ({ pk: str(k.pk), sk: str(k.sk) });
