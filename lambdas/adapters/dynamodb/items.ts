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
import { COUNTERS, emptyRecord, type RollupKey, type RollupRecord, SKETCHES } from '../../domain/rollup';
import { owesSettlement } from '../../domain/session-merge';
import { encTime, indexKeys, keys, unesc } from './table';

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
const getJson = <T>(item: Item, name: string): T | null => {
  const v = item[name]?.S;
  return v === undefined ? null : (JSON.parse(v) as T);
};

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

export const TOTAL_ATTRS: Record<Exclude<keyof SessionTotals, 'firstEventAt' | 'lastEventEndAt'>, string> = {
  events: 't_events',
  llmCalls: 't_llmCalls',
  errors: 't_errors',
  inputTokens: 't_inputTokens',
  outputTokens: 't_outputTokens',
  cachedInputTokens: 't_cachedInputTokens',
  reasoningTokens: 't_reasoningTokens',
  costUsd: 't_costUsd',
  unpricedEvents: 't_unpricedEvents',
};
export const FIRST_EVENT_ATTR = 't_firstEventAt';
export const LAST_EVENT_END_ATTR = 't_lastEventEndAt';

/** A new session item; `settled`/`settledPrev` are stored as NULL so an update can copy one to the other. */
export function sessionToItem(s: Session): Item {
  const item: Item = {
    ...keyItem(keys.session(s.agentId, s.sessionId)),
    agentId: str(s.agentId),
    sessionId: str(s.sessionId),
    name: strOrNull(s.name),
    task: strOrNull(s.task),
    tags: toAttr(s.tags, 'tags'),
    experimentId: strOrNull(s.experimentId),
    datasetItemId: strOrNull(s.datasetItemId),
    rubrics: toAttr(s.rubrics, 'rubrics'),
    production: bool(s.production),
    sampleRate: num(s.sampleRate),
    stub: bool(s.stub),
    status: str(s.status),
    startedAt: num(s.startedAt),
    endedAt: numOrNull(s.endedAt),
    outcome: toAttr(s.outcome, 'outcome'),
    evals: toAttr(s.evals, 'evals'),
    source: str(s.source),
    createdAt: num(s.createdAt),
    updatedAt: num(s.updatedAt),
    rollupHour: num(s.rollupHour),
    settled: snapshotAttr(s.settled),
    settledPrev: snapshotAttr(s.settledPrev),
    settledVersion: num(s.settled?.version ?? 0),
    settledComplete: bool(s.settled?.complete ?? false),
    settledAppliedVersion: num(s.settledAppliedVersion),
    urev: num(0),
    gsi1pk: str(indexKeys.sessionsOf(s.agentId)),
    gsi1sk: str(indexKeys.sessionOrder(s.startedAt, s.sessionId)),
    // createdAt ≤ updatedAt ≤ last activity, and it never changes: the entry never moves.
    gsi2sk: str(encTime(s.createdAt)),
  };
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

export const snapshotAttr = (s: SettledSnapshot | null): AttributeValue =>
  s ? { S: JSON.stringify(s) } : { NULL: true };

export function itemToSession(item: Item): Session {
  const totals = emptyTotals();
  for (const [field, attr] of Object.entries(TOTAL_ATTRS))
    totals[field as keyof typeof TOTAL_ATTRS] = getN(item, attr);
  totals.firstEventAt = getNOrNull(item, FIRST_EVENT_ATTR);
  totals.lastEventEndAt = getNOrNull(item, LAST_EVENT_END_ATTR);
  return {
    agentId: getS(item, 'agentId'),
    sessionId: getS(item, 'sessionId'),
    name: getSOrNull(item, 'name'),
    task: getSOrNull(item, 'task'),
    tags: (fromAttr(item.tags) as string[] | null) ?? [],
    experimentId: getSOrNull(item, 'experimentId'),
    datasetItemId: getSOrNull(item, 'datasetItemId'),
    rubrics: (fromAttr(item.rubrics) as string[] | null) ?? [],
    production: getBool(item, 'production'),
    sampleRate: getN(item, 'sampleRate', 1),
    stub: getBool(item, 'stub'),
    status: getS(item, 'status') as Session['status'],
    startedAt: getN(item, 'startedAt'),
    endedAt: getNOrNull(item, 'endedAt'),
    outcome: fromAttr(item.outcome) as Session['outcome'],
    evals: (fromAttr(item.evals) as RubricResult[] | null) ?? [],
    totals,
    source: getS(item, 'source') as Session['source'],
    createdAt: getN(item, 'createdAt'),
    updatedAt: getN(item, 'updatedAt'),
    rollupHour: getN(item, 'rollupHour'),
    settled: getJson<SettledSnapshot>(item, 'settled'),
    settledPrev: getJson<SettledSnapshot>(item, 'settledPrev'),
    settledAppliedVersion: getN(item, 'settledAppliedVersion'),
  };
}

// ---------------------------------------------------------------------------------------------------
// Events

/** Records shorter than this are stored as text: deflate gains little on them. */
const COMPRESS_FROM_BYTES = 200;

/**
 * An event item: the key (the dedupe key) and the whole record as one attribute, raw-deflated into a
 * Binary `z` when that is smaller (DynamoDB sizes a binary by its raw bytes), else JSON text `j`.
 * Every write and every stored byte is billed by item size, so the attribute names and the JSON field
 * names are paid once, compressed. Readers decode the record; nothing filters on event attributes
 * server-side (a projection would not lower the read cost anyway).
 */
export function eventToItem(e: StoredEvent): Item {
  const { agentId: _a, sessionId: _s, eventId: _e, ...rest } = e;
  const json = JSON.stringify(rest);
  const item: Item = keyItem(keys.event(e.agentId, e.sessionId, e.eventId));
  if (Buffer.byteLength(json, 'utf8') >= COMPRESS_FROM_BYTES) {
    const z = deflateRawSync(json);
    if (z.byteLength < Buffer.byteLength(json, 'utf8')) {
      item.z = { B: z };
      return item;
    }
  }
  item.j = str(json);
  return item;
}

export function itemToEvent(item: Item): StoredEvent {
  const pk = getS(item, 'pk');
  const z = item.z?.B;
  const rest = JSON.parse(z ? inflateRawSync(z).toString('utf8') : getS(item, 'j')) as Omit<
    StoredEvent,
    'agentId' | 'sessionId' | 'eventId'
  >;
  const [agentId, sessionId] = pk.slice('S#'.length).split('#').map(unesc) as [string, string];
  return { agentId, sessionId, eventId: getS(item, 'sk').slice('E#'.length), ...rest };
}

// ---------------------------------------------------------------------------------------------------
// Pending folds

/**
 * A fold whose events are stored but not yet folded into rollups and session totals: written before
 * its events, deleted by markFolded, read by the reconcile job. It names every event id the fold may
 * own; only the events stored with this fold id belong to it (the others were duplicates).
 */
export function pendingFoldToItem(f: {
  agentId: string;
  sessionId: string;
  foldId: string;
  receivedAt: number;
  eventIds: string[];
}): Item {
  return {
    ...keyItem(keys.pendingFold(f.foldId)),
    agentId: str(f.agentId),
    sessionId: str(f.sessionId),
    receivedAt: num(f.receivedAt),
    eventIds: { SS: [...new Set(f.eventIds)] },
  };
}

export function itemToPendingFold(item: Item) {
  return {
    agentId: getS(item, 'agentId'),
    sessionId: getS(item, 'sessionId'),
    foldId: getS(item, 'sk').slice('F#'.length),
    receivedAt: getN(item, 'receivedAt'),
    eventIds: item.eventIds?.SS ?? [],
  };
}

// ---------------------------------------------------------------------------------------------------
// Rollups

export const counterAttr = (counter: string): string => `c_${counter}`;
export const binAttr = (sketch: string, bin: string): string => `s_${sketch}_${bin}`;

/** Bins that net to (almost) nothing are dropped on read, as mergeBins drops them in memory. */
const BIN_EPS = 1e-9;

/** The attributes that identify a rollup item, SET on every write (a no-op after the first). */
export function rollupIdentity(key: RollupKey): Item {
  return {
    agentId: str(key.agentId),
    production: bool(key.production),
    slice: str(key.slice),
    hour: num(key.hour),
    gsi1pk: str(indexKeys.rollupsOf(key.agentId, key.production, indexKeys.sliceFamily(key.slice))),
    gsi1sk: str(indexKeys.rollupOrder(key.hour, key.slice)),
  };
}

export function itemToRollup(item: Item): RollupRecord {
  const record = emptyRecord({
    agentId: getS(item, 'agentId'),
    production: getBool(item, 'production'),
    slice: getS(item, 'slice'),
    hour: getN(item, 'hour'),
  });
  for (const c of COUNTERS) record.counters[c] = getN(item, counterAttr(c));
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith('s_') || value.N === undefined) continue;
    for (const s of SKETCHES) {
      const prefix = `s_${s}_`;
      if (!name.startsWith(prefix)) continue;
      const w = Number(value.N);
      if (Math.abs(w) >= BIN_EPS) record.sketches[s][name.slice(prefix.length)] = w;
    }
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
