/**
 * DynamoDB write cost per session of the real AWS composition root (lambdas/handlers/aws-deps.ts) on
 * dynalite, counted the way DynamoDB bills on-demand writes:
 *
 * - every PutItem / UpdateItem / DeleteItem (and each BatchWriteItem request) costs
 *   ceil(max(item size before, item size after) / 1 KB) write units, at least 1;
 * - a write whose condition fails still costs ceil(size of the stored item / 1 KB), at least 1;
 * - every global secondary index entry written, deleted, or moved (a key change = delete + put) costs
 *   ceil(entry size / 1 KB), the entry being the index keys, the table keys and the projection
 *   (KEYS_ONLY here).
 *
 * Item sizes follow https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 * (names + values; numbers ≈ 1 byte per 2 significant digits + 1; binary by raw bytes; 3 bytes per
 * list/map plus 1 per element). Sizes are read before and after each write through an unmetered
 * client, with the metered writes serialised so the reads see exactly that write's effect. dynalite's
 * own ReturnConsumedCapacity (INDEXES) is recorded beside it for comparison.
 *
 *   npx tsx bench/dynamo-cost.ts [--sessions 40] [--warmup 20] [--events 20] [--per-request 10]
 *                                [--payload 1024] [--tags 1] [--lucidic] [--busy] [--parallel 1]
 *                                [--sketches packed|bins] [--drain-every 10] [--ops] [--write]
 *
 * --lucidic sends each event as its own Lucidic /api/events request (initsession and updatesession
 * around them) instead of batch requests. --ops adds a table of writes by operation (item kind,
 * command and the attributes its update expression names). --busy draws latencies, tokens and session
 * lengths from wide distributions (a busy hour: sketch bins fill, rollup items grow). --parallel N runs N
 * sessions at a time (folds of the same agent-hour then race on its rollup items: packed sketches
 * retry their compare-and-set). --sketches bins swaps the composition root's rollup store for one that
 * keeps every sketch bin its own ADDed number (the format before packed sketches), to compare.
 * --drain-every N drains the rollup queue (the reconcile job's drainRollupQueue, every minute on AWS)
 * after every N sessions, and once at the end, inside the measurement: N is how many sessions of one
 * agent a drain finds (10 ≈ an agent with 10 sessions a minute, 430k a month); 0 never drains.
 * --write appends a dated section to bench/RESULTS.md.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { DynamoDbRollupStore, type SketchFormat } from '../lambdas/adapters/dynamodb/rollup-store';
import { VIGIL_TABLE_SCHEMA } from '../lambdas/adapters/dynamodb/table';
import { S3BlobStore } from '../lambdas/adapters/s3/blob-store';
import { drainRollupQueue, reconcile } from '../lambdas/domain/ingest';
import { createKey } from '../lambdas/domain/keys';
import { buildAwsDeps } from '../lambdas/handlers/aws-deps';
import { createIngestHandler } from '../lambdas/handlers/ingest';
import { env } from '../lambdas/platform/env';
import { dynamoClient, startDynalite } from '../test/helpers/dynalite';

type Item = Record<string, AttributeValue>;

// ---------------------------------------------------------------------------------------------------
// Item and index-entry sizes

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Bytes of a number: 1 per two significant digits, plus 1 (leading/trailing zeros trimmed). */
export function numberSize(text: string): number {
  const mantissa = text.replace(/^[-+]/, '').split(/[eE]/)[0]!;
  const digits = mantissa.replace('.', '').replace(/^0+/, '');
  const trimmed = digits.replace(/0+$/, '');
  return Math.ceil(Math.max(trimmed.length, 1) / 2) + 1;
}

export function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return numberSize(v.N);
  if (v.B !== undefined) return v.B.byteLength;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS !== undefined) return v.SS.reduce((n, s) => n + utf8(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((n, s) => n + numberSize(s), 0);
  if (v.BS !== undefined) return v.BS.reduce((n, b) => n + b.byteLength, 0);
  if (v.L !== undefined) return 3 + v.L.reduce((n, e) => n + 1 + valueSize(e), 0);
  if (v.M !== undefined)
    return 3 + Object.entries(v.M).reduce((n, [k, e]) => n + 1 + utf8(k) + valueSize(e), 0);
  throw new TypeError(`unknown attribute value ${Object.keys(v).join(',')}`);
}

export const itemSize = (item: Item | null): number =>
  item ? Object.entries(item).reduce((n, [k, v]) => n + utf8(k) + valueSize(v), 0) : 0;

const units = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));

const INDEXES = VIGIL_TABLE_SCHEMA.globalSecondaryIndexes.map((g) => ({
  name: g.indexName,
  pk: g.partitionKey.name,
  sk: g.sortKey.name,
}));

/** The KEYS_ONLY entry an item has in an index (index keys + table keys), or null when sparse. */
function indexEntry(item: Item | null, index: (typeof INDEXES)[number]): Item | null {
  if (!item || item[index.pk]?.S === undefined || item[index.sk]?.S === undefined) return null;
  return { [index.pk]: item[index.pk]!, [index.sk]: item[index.sk]!, pk: item.pk!, sk: item.sk! };
}

const sameEntry = (a: Item, b: Item, index: (typeof INDEXES)[number]) =>
  a[index.pk]!.S === b[index.pk]!.S && a[index.sk]!.S === b[index.sk]!.S;

// ---------------------------------------------------------------------------------------------------
// The meter

/** What an item is, from its key. */
export function kindOf(pk: string, sk: string): string {
  if (pk.startsWith('S#')) {
    if (sk === 'SESSION') return 'session';
    if (sk.startsWith('C#')) return 'event chunk';
    if (sk.startsWith('F#')) return 'pending fold';
    return 'session partition, other';
  }
  if (pk.startsWith('L#')) return 'session owner';
  if (pk.startsWith('R#')) return 'rollup';
  if (pk.startsWith('P#')) return 'pending fold';
  if (pk === 'RQ#drain') return 'rollup queue: drain lease and batch';
  if (pk.startsWith('RQ#')) return 'rollup queue';
  if (pk.startsWith('T#')) return 'tag values';
  return 'other';
}

/** A write that only removes fold markers (attributes f…: / h…:) is booked as "marker". */
function isMarkerOnly(input: Record<string, unknown>): boolean {
  const update = input.UpdateExpression as string | undefined;
  if (!update || !/^REMOVE /.test(update)) return false;
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  return update
    .slice('REMOVE '.length)
    .split(',')
    .map((p) => names[p.trim()] ?? p.trim())
    .every((n) => /^[fh]\d*:/.test(n));
}

export class Meter {
  /** Write units by row label (item kind, or "index <name>: <item kind>"). */
  readonly wru = new Map<string, number>();
  readonly calls = new Map<string, number>();
  /** Writes and write units by operation (item kind + what the write does), for --ops. */
  readonly ops = new Map<string, { writes: number; wru: number }>();
  /** Last known size per item key, for storage. */
  readonly sizes = new Map<string, { kind: string; bytes: number }>();
  /** The last state of every rollup item written, for the packed-encoding estimate. */
  readonly rollups = new Map<string, Item>();
  dynaliteUnits = 0;
  reads = 0;
  /** GetItem calls on rollup items (the packed format's read before each compare-and-set). */
  rollupGets = 0;
  /** Strongly consistent Query pages on event chunks (insertNew's dedupe read) and their read units. */
  chunkQueries = 0;
  chunkRru = 0;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly raw: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  private add(label: string, n: number): void {
    this.wru.set(label, (this.wru.get(label) ?? 0) + n);
  }

  private count(label: string): void {
    this.calls.set(label, (this.calls.get(label) ?? 0) + 1);
  }

  reset(): void {
    this.wru.clear();
    this.calls.clear();
    this.ops.clear();
    this.sizes.clear();
    this.rollups.clear();
    this.dynaliteUnits = 0;
    this.reads = 0;
    this.rollupGets = 0;
    this.chunkQueries = 0;
    this.chunkRru = 0;
  }

  private async read(key: Item): Promise<Item | null> {
    const out = await this.raw.send(
      new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item ?? null;
  }

  /** Books one single-item write given the item before and after (after = before when it failed). */
  private book(
    kind: string,
    before: Item | null,
    after: Item | null,
    failed: boolean,
    markerOnly: boolean,
    op = '',
  ): void {
    const label = failed ? `${kind} (failed condition)` : markerOnly ? `${kind}: marker release` : kind;
    const n = units(Math.max(itemSize(before), itemSize(after)));
    this.add(label, n);
    this.count(label);
    const opLabel = `${label}: ${op}`;
    const o = this.ops.get(opLabel) ?? { writes: 0, wru: 0 };
    this.ops.set(opLabel, { writes: o.writes + 1, wru: o.wru + n });
    if (failed) return;
    for (const index of INDEXES) {
      const a = indexEntry(before, index);
      const b = indexEntry(after, index);
      const row = `index ${index.name}: ${kind}`;
      if (a && b && sameEntry(a, b, index)) continue;
      if (a) this.add(row, units(itemSize(a)));
      if (b) this.add(row, units(itemSize(b)));
    }
  }

  install(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = (context as { commandName?: string }).commandName ?? '';
        const input = args.input as Record<string, unknown>;
        if (/^(Get|BatchGet|Query|Scan)/.test(command)) this.reads++;
        if (command === 'GetItemCommand' && String((input.Key as Item).pk?.S).startsWith('R#'))
          this.rollupGets++;
        if (command === 'QueryCommand' && isChunkQuery(input)) {
          const out = await next(args);
          this.bookChunkRead(input, out);
          return out;
        }
        if (!/^(PutItem|UpdateItem|DeleteItem|BatchWriteItem)Command$/.test(command)) return next(args);
        input.ReturnConsumedCapacity = 'INDEXES';
        const run = this.chain.then(() => this.metered(command, input, () => next(args)));
        this.chain = run.catch(() => undefined);
        return run;
      },
      { step: 'initialize', name: 'vigilWriteMeter' },
    );
  }

  /**
   * A Query page is billed as one read of all its items' sizes, rounded up to 4 KB (half for an
   * eventually consistent read), at least one unit.
   */
  private bookChunkRead(input: Record<string, unknown>, out: unknown): void {
    const items = ((out as { output?: { Items?: Item[] } }).output?.Items ?? []) as Item[];
    const bytes = items.reduce((n, item) => n + itemSize(item), 0);
    this.chunkQueries++;
    this.chunkRru += Math.max(1, Math.ceil(bytes / 4096)) * (input.ConsistentRead ? 1 : 0.5);
  }

  private async metered<T>(
    command: string,
    input: Record<string, unknown>,
    send: () => Promise<T>,
  ): Promise<T> {
    if (command === 'BatchWriteItemCommand') return this.meteredBatch(input, send);
    const key = (input.Key ?? pickKey(input.Item as Item)) as Item;
    const kind = kindOf(key.pk!.S!, key.sk!.S!);
    const before = await this.read(key);
    let out: T;
    try {
      out = await send();
    } catch (e) {
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException') {
        this.book(kind, before, before, true, false, describe(command, input));
      }
      throw e;
    }
    const after = await this.read(key);
    this.book(kind, before, after, false, isMarkerOnly(input), describe(command, input));
    this.track(key, kind, after);
    this.dynaliteUnits += consumed(out);
    return out;
  }

  private async meteredBatch<T>(input: Record<string, unknown>, send: () => Promise<T>): Promise<T> {
    const requests = Object.values(
      input.RequestItems as Record<string, Array<Record<string, { Item?: Item; Key?: Item }>>>,
    )[0]!;
    const keysOf = requests.map((r) => (r.PutRequest ? pickKey(r.PutRequest.Item!) : r.DeleteRequest!.Key!));
    const before = await Promise.all(keysOf.map((k) => this.read(k)));
    const out = await send();
    const unprocessed = new Set(
      (
        Object.values(
          (out as { output: { UnprocessedItems?: Record<string, unknown[]> } }).output.UnprocessedItems ?? {},
        )[0] ?? []
      ).map((r) => JSON.stringify(r)),
    );
    for (const [i, k] of keysOf.entries()) {
      if (unprocessed.has(JSON.stringify(requests[i]))) continue;
      const after = await this.read(k);
      const kind = kindOf(k.pk!.S!, k.sk!.S!);
      this.book(kind, before[i]!, after, false, false, 'BatchWriteItem');
      this.track(k, kind, after);
    }
    this.dynaliteUnits += consumed(out);
    return out;
  }

  private track(key: Item, kind: string, after: Item | null): void {
    const id = `${key.pk!.S}\u0000${key.sk!.S}`;
    if (after) this.sizes.set(id, { kind, bytes: itemSize(after) + 100 });
    else this.sizes.delete(id);
    if (kind === 'rollup' && after) this.rollups.set(id, after);
  }
}

/** What a write does: its command and the (non-marker) attributes its update expression names. */
function describe(command: string, input: Record<string, unknown>): string {
  const name = command.replace(/Command$/, '');
  const update = input.UpdateExpression as string | undefined;
  if (!update) return name;
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const clauses = update.split(/\b(?=SET |ADD |REMOVE )/).map((clause) => {
    const [verb, ...rest] = clause.trim().split(' ');
    const attrs = new Set(
      (rest.join(' ').match(/#\w+/g) ?? [])
        .map((p) => names[p] ?? p)
        .map((n) => (/^[fh]\d*:/.test(n) ? 'marker' : n.replace(/^([A-Z])(-?\d+|z)$/, '$1*'))),
    );
    const list = [...attrs];
    return `${verb} ${list.slice(0, 6).join(' ')}${list.length > 6 ? ` +${list.length - 6}` : ''}`;
  });
  return `${name} ${clauses.join(' ')}${input.ConditionExpression ? ' (conditional)' : ''}`;
}

const varintBytes = (n: number): number => {
  let zz = n < 0 ? -2 * n - 1 : 2 * n;
  let bytes = 1;
  while (zz >= 128) {
    zz = Math.floor(zz / 128);
    bytes++;
  }
  return bytes;
};

/**
 * The size a rollup item would have with each sketch packed into one Binary attribute (bins sorted,
 * each a zig-zag varint index delta plus a varint weight when integral, else 9 bytes) and a version
 * number for compare-and-set: an estimate for the encoding not built (see RESULTS.md).
 */
export function packedRollupSize(item: Item): number {
  const bins = new Map<string, number[][]>();
  let rest = 0;
  for (const [name, v] of Object.entries(item)) {
    const m = /^([A-Z])(-?\d+|z)$/.exec(name);
    if (m && v.N !== undefined) {
      const list = bins.get(m[1]!) ?? [];
      list.push([m[2] === 'z' ? -1e6 : Number(m[2]), Number(v.N)]);
      bins.set(m[1]!, list);
    } else rest += utf8(name) + valueSize(v);
  }
  let packed = rest + 'ver'.length + 2;
  for (const list of bins.values()) {
    list.sort((a, b) => a[0]! - b[0]!);
    let prev = 0;
    packed += 1; // attribute name
    for (const [index, w] of list) {
      packed += varintBytes(index! - prev) + (Number.isInteger(w) ? varintBytes(w!) : 9);
      prev = index!;
    }
  }
  return packed;
}

/** A Query of a session's event chunks (sk C#…): its key condition names a C# value. */
const isChunkQuery = (input: Record<string, unknown>): boolean =>
  Object.values((input.ExpressionAttributeValues ?? {}) as Record<string, AttributeValue>).some((v) =>
    v.S?.startsWith('C#'),
  );

const pickKey = (item: Item): Item => ({ pk: item.pk!, sk: item.sk! });

/** Units dynalite reports; `out` is a middleware result ({ output, response }). */
function consumed(out: unknown): number {
  const c = (
    (out as { output?: unknown }).output as {
      ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }>;
    }
  ).ConsumedCapacity;
  if (!c) return 0;
  return (Array.isArray(c) ? c : [c]).reduce((n, x) => n + (x.CapacityUnits ?? 0), 0);
}

// ---------------------------------------------------------------------------------------------------
// Workload

export interface Workload {
  sessions: number;
  warmup: number;
  eventsPerSession: number;
  eventsPerRequest: number;
  payloadBytes: number;
  tags: number;
  lucidic: boolean;
  /**
   * A busy hour: event latencies, token counts (and so costs) and session lengths drawn log-uniformly
   * over wide ranges, so every sketch in the hour's rollup items fills many bins, as in production.
   */
  busy: boolean;
  /** Sessions sent at the same time. */
  parallel: number;
  sketches: SketchFormat;
  /** Sessions between two drains of the rollup queue (0: never). */
  drainEvery: number;
}

/** Deterministic uniform [0, 1) numbers from a seed. */
function uniform(seed: number): () => number {
  let x = (seed * 2654435761 + 97) >>> 0;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) / 2 ** 24;
  };
}

/** Log-uniform in [lo, hi). */
const logUniform = (u: number, lo: number, hi: number) => Math.round(lo * (hi / lo) ** u);

const VOCABULARY = (
  'the a an of to in and or for with on at by from as is are was were be been has have had it its this that ' +
  'customer order refund policy account invoice shipping delivery address payment card balance subscription ' +
  'plan upgrade downgrade cancel renew support ticket agent reply answer question issue problem error timeout ' +
  'retry request response model token context window prompt system user assistant tool call function result ' +
  'search query database record field value status pending approved rejected escalated resolved closed open ' +
  'please thanks sorry could would should will can may might must need want know think see check update ' +
  'monday tuesday friday today tomorrow week month year date time hour minute number amount total price ' +
  'euro dollar tax discount coupon code product item quantity size color warehouse tracking carrier label'
).split(' ');

/**
 * A ~`bytes`-long prompt/response payload of words drawn at random (seeded) from a 200-word
 * vocabulary: about as compressible as English chat text (deflate ≈ 2–3×), unlike a repeated phrase.
 */
function payload(bytes: number, seed: number) {
  let x = (seed * 2654435761 + 12345) >>> 0;
  const next = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 8;
  };
  let text = '';
  while (text.length < Math.max(0, bytes - 90)) {
    const w = VOCABULARY[next() % VOCABULARY.length]!;
    text += next() % 9 === 0 ? `${w}${next() % 1000}. ` : `${w} `;
  }
  const half = Math.floor(text.length / 2);
  return {
    messages: [{ role: 'user', content: text.slice(0, half) }],
    response: { role: 'assistant', content: text.slice(half) },
  };
}

function batchEvent(sessionId: string, i: number, t: number, w: Workload, rnd?: () => number) {
  const isTool = i % 10 === 9;
  // Busy hour: 20 ms – 2 min latencies, 50 – 200k input and 10 – 8k output tokens.
  const duration = rnd ? logUniform(rnd(), 20, 120_000) : 200 + ((i * 37) % 17) * 40;
  const usage = rnd
    ? { input_tokens: logUniform(rnd(), 50, 200_000), output_tokens: logUniform(rnd(), 10, 8_000) }
    : { input_tokens: 800 + i, output_tokens: 120 + (i % 7) };
  return {
    event_id: randomUUID(),
    session_id: sessionId,
    type: isTool ? 'tool' : 'llm',
    name: isTool ? 'lookup_order' : 'chat',
    started_at: new Date(t + i * (rnd ? duration + 500 : 1000)).toISOString(),
    duration_ms: duration,
    ...(isTool
      ? {}
      : {
          model: i % 3 === 0 ? 'gpt-4o-mini' : 'claude-sonnet-4-5',
          provider: i % 3 === 0 ? 'openai' : 'anthropic',
          usage,
        }),
    ...(w.payloadBytes > 0 ? { payload: payload(w.payloadBytes, i) } : {}),
  };
}

const sessionTags = (w: Workload) => Array.from({ length: w.tags }, (_, i) => `k${i}:v${i % 3}`);

function apiEvent(method: string, path: string, key: string, body: unknown): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { authorization: `Api-Key ${key}`, 'content-type': 'application/json' },
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
    },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

type Lambda = ReturnType<typeof createIngestHandler>;

async function call(
  lambda: Lambda,
  key: string,
  method: string,
  path: string,
  body: unknown,
): Promise<unknown> {
  const res = await lambda(apiEvent(method, path, key, body), {} as Context);
  if ((res.statusCode ?? 500) >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${res.body}`);
  return JSON.parse(res.body ?? '{}');
}

/** One session the way a batching SDK sends it: the session with the first request, ended with the last. */
async function batchSession(
  lambda: Lambda,
  key: string,
  agent: string,
  base: number,
  w: Workload,
): Promise<number> {
  const sid = randomUUID();
  const started = new Date(base).toISOString();
  const rnd = w.busy ? uniform(base) : undefined;
  let requests = 0;
  for (let from = 0; from < w.eventsPerSession; from += w.eventsPerRequest) {
    const to = Math.min(w.eventsPerSession, from + w.eventsPerRequest);
    const last = to === w.eventsPerSession;
    const events = Array.from({ length: to - from }, (_, j) => batchEvent(sid, from + j, base, w, rnd));
    const session = {
      session_id: sid,
      started_at: started,
      tags: sessionTags(w),
      production_monitoring: true,
      ...(last
        ? {
            finished: true,
            // Busy hour: sessions of 5 s to 30 min.
            ended_at: new Date(
              base + (rnd ? logUniform(rnd(), 5_000, 1_800_000) : w.eventsPerSession * 1000 + 1000),
            ).toISOString(),
          }
        : {}),
    };
    const body = { agent_id: agent, sessions: from === 0 || last ? [session] : [], events };
    const out = (await call(lambda, key, 'POST', '/api/v1/batch', body)) as { accepted: number };
    if (out.accepted < events.length) throw new Error(`batch: only ${out.accepted} accepted`);
    requests++;
  }
  return requests;
}

/** One session the way the Lucidic SDKs send it: initsession, one request per event, updatesession. */
async function lucidicSession(
  lambda: Lambda,
  key: string,
  agent: string,
  base: number,
  w: Workload,
): Promise<number> {
  const init = (await call(lambda, key, 'POST', '/api/initsession', {
    agent_id: agent,
    session_name: 'bench',
    tags: sessionTags(w),
    production_monitoring: true,
    current_time: new Date(base).toISOString(),
  })) as { session_id: string };
  for (let i = 0; i < w.eventsPerSession; i++) {
    const isTool = i % 10 === 9;
    const p = payload(w.payloadBytes, i);
    await call(lambda, key, 'POST', '/api/events', {
      client_event_id: randomUUID(),
      session_id: init.session_id,
      type: isTool ? 'function_call' : 'llm_generation',
      occurred_at: new Date(base + i * 1000).toISOString(),
      duration: 0.2 + (i % 17) * 0.04,
      payload: isTool
        ? { function_name: 'lookup_order', arguments: { id: i }, return_value: p }
        : {
            request: { provider: 'openai', model: 'gpt-4o-mini', messages: p.messages },
            response: { output: p.response.content },
            usage: { input_tokens: 800 + i, output_tokens: 120 },
          },
      current_time: new Date(base + i * 1000).toISOString(),
    });
  }
  await call(lambda, key, 'PUT', '/api/updatesession', {
    session_id: init.session_id,
    is_finished: true,
    is_successful: true,
    current_time: new Date(base + w.eventsPerSession * 1000).toISOString(),
  });
  return w.eventsPerSession + 2;
}

// ---------------------------------------------------------------------------------------------------
// Prices (README "Cost")

const PRICE_PER_WRU = 0.625 / 1e6;

export interface CostResult {
  workload: Workload;
  requestsPerSession: number;
  /** Write units per session by row. */
  rows: Array<[string, number]>;
  /** Write requests per session by row (index rows have none). */
  writes: Map<string, number>;
  itemWru: number;
  indexWru: number;
  totalWru: number;
  dynaliteWru: number;
  storedBytesPerSession: number;
  storedByKind: Array<[string, number]>;
  /** Rollup items at the end: how many, their mean and largest size in bytes. */
  rollupItems: {
    count: number;
    meanBytes: number;
    maxBytes: number;
    packedMeanBytes: number;
    packedMaxBytes: number;
    /** Items still holding per-bin number attributes (the estimate above applies to them only). */
    withBinAttrs: number;
  };
  /** Lost rollup compare-and-sets, rollup GetItems, failed-condition rollup writes and their WRU, per session. */
  rollupLostCas: number;
  rollupGets: number;
  /** Event-chunk Query pages (insertNew's dedupe read, listPending) and their read units, per session. */
  chunkQueries: number;
  chunkRru: number;
  rollupFailedWrites: number;
  rollupFailedWru: number;
  reconcileWru: number;
  /** Writes and WRU per session by operation, largest first. */
  ops: Array<[string, { writes: number; wru: number }]>;
}

export async function measure(w: Workload): Promise<CostResult> {
  const dynamo = await startDynalite();
  try {
    const tableName = await dynamo.createTable();
    const metered = dynamoClient(dynamo.endpoint);
    const meter = new Meter(dynamo.client, tableName);
    meter.install(metered);
    const deps = buildAwsDeps(
      env({
        VIGIL_TABLE_NAME: tableName,
        VIGIL_PAYLOAD_BUCKET: 'vigil-bench',
        VIGIL_LOG_LEVEL: 'SILENT',
        VIGIL_RETENTION_DAYS: '90',
      } as NodeJS.ProcessEnv),
      {
        dynamo: metered,
        // Nothing listens there: payload offloads fail as before, without the S3 client.
        blobs: new S3BlobStore({
          bucket: 'vigil-bench',
          region: 'us-east-1',
          endpoint: 'http://127.0.0.1:9',
          credentials: async () => ({ accessKeyId: 'bench', secretAccessKey: 'bench' }),
        }),
      },
    );
    const { key } = await createKey(
      deps.keys,
      { name: 'bench', scopes: ['ingest'], agents: '*' },
      Date.now(),
    );
    if (w.sketches !== 'packed') {
      deps.rollups = new DynamoDbRollupStore({
        client: metered,
        tableName,
        retentionDays: 90,
        sketchFormat: w.sketches,
      });
    }
    const rollupStore = deps.rollups as DynamoDbRollupStore;
    const lambda = createIngestHandler(deps);
    const agent = `agt_bench_${randomUUID().slice(0, 8)}`;
    // Every session in the middle of the previous hour: the rollup items are the same hour's.
    const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 30 * 60_000;
    // Busy: the sessions spread over the whole half hour, so their start times differ.
    const one = (i: number) =>
      (w.lucidic ? lucidicSession : batchSession)(
        lambda,
        key,
        agent,
        base + (w.busy ? (i * 7919) % 1_800 : i % 60) * 1000,
        w,
      );
    let sinceDrain = 0;
    const drain = async () => {
      if (w.drainEvery > 0) await drainRollupQueue(deps);
      sinceDrain = 0;
    };
    const run = async (from: number, n: number): Promise<number> => {
      let sent = 0;
      for (let i = 0; i < n; i += w.parallel) {
        const group = Array.from({ length: Math.min(w.parallel, n - i) }, (_, j) => one(from + i + j));
        for (const r of await Promise.all(group)) sent += r;
        sinceDrain += group.length;
        if (w.drainEvery > 0 && sinceDrain >= w.drainEvery) await drain();
      }
      return sent;
    };
    await run(0, w.warmup);
    await drain();
    meter.reset();
    const retriesBefore = rollupStore.casConflicts;
    const requests = await run(w.warmup, w.sessions);
    await drain();
    const rollupLostCas = (rollupStore.casConflicts - retriesBefore) / w.sessions;
    const rollupGets = meter.rollupGets / w.sessions;
    const chunkQueries = meter.chunkQueries / w.sessions;
    const chunkRru = meter.chunkRru / w.sessions;
    const rows = [...meter.wru].map(([k, v]) => [k, v / w.sessions] as [string, number]);
    const writes = new Map([...meter.calls].map(([k, v]) => [k, v / w.sessions]));
    rows.sort((a, b) => b[1] - a[1]);
    const indexWru = rows.filter(([k]) => k.startsWith('index ')).reduce((n, [, v]) => n + v, 0);
    const totalWru = rows.reduce((n, [, v]) => n + v, 0);
    const stored = new Map<string, number>();
    const rollupSizes = [...meter.sizes.values()]
      .filter((s) => s.kind === 'rollup')
      .map((s) => s.bytes - 100);
    const withBins = [...meter.rollups.values()].filter((i) =>
      Object.keys(i).some((n) => /^[A-Z](-?\d+|z)$/.test(n)),
    );
    const packedSizes = withBins.map(packedRollupSize);
    for (const { kind, bytes } of meter.sizes.values()) {
      if (kind === 'rollup' || kind === 'tag values' || kind === 'other') continue;
      stored.set(kind, (stored.get(kind) ?? 0) + bytes / w.sessions);
    }
    const dynaliteWru = meter.dynaliteUnits / w.sessions;
    const ops = [...meter.ops]
      .map(
        ([k, v]) =>
          [k, { writes: v.writes / w.sessions, wru: v.wru / w.sessions }] as [
            string,
            { writes: number; wru: number },
          ],
      )
      .sort((a, b) => b[1].wru - a[1].wru);
    // The reconcile job after the fact: nothing pending should be left, so it should write nothing.
    meter.reset();
    await reconcile({ ...deps, clock: { now: () => Date.now() + 3_600_000 } });
    const reconcileWru = [...meter.wru.values()].reduce((n, v) => n + v, 0);
    metered.destroy();
    return {
      workload: w,
      requestsPerSession: requests / w.sessions,
      rows,
      writes,
      itemWru: totalWru - indexWru,
      indexWru,
      totalWru,
      dynaliteWru,
      storedBytesPerSession: [...stored.values()].reduce((n, v) => n + v, 0),
      storedByKind: [...stored].sort((a, b) => b[1] - a[1]),
      rollupItems: {
        count: rollupSizes.length,
        meanBytes: rollupSizes.reduce((n, b) => n + b, 0) / Math.max(1, rollupSizes.length),
        maxBytes: Math.max(0, ...rollupSizes),
        packedMeanBytes: packedSizes.reduce((n, b) => n + b, 0) / Math.max(1, packedSizes.length),
        packedMaxBytes: Math.max(0, ...packedSizes),
        withBinAttrs: withBins.length,
      },
      rollupLostCas,
      rollupGets,
      chunkQueries,
      chunkRru,
      rollupFailedWrites: writes.get('rollup (failed condition)') ?? 0,
      rollupFailedWru: rows.find(([k]) => k === 'rollup (failed condition)')?.[1] ?? 0,
      reconcileWru,
      ops,
    };
  } finally {
    await dynamo.stop();
  }
}

const money = (n: number) => `$${n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2)}`;

export function report(r: CostResult, withOps = false): string {
  const w = r.workload;
  const lines: string[] = [];
  lines.push(
    `Workload: ${w.sessions} sessions measured after ${w.warmup} warm-up sessions (same agent, same hour); ` +
      `${w.busy ? 'busy hour (wide latency, token, cost and session-length distributions, sessions spread over 30 min), ' : ''}` +
      `${w.parallel > 1 ? `${w.parallel} sessions at a time, ` : ''}` +
      `${w.eventsPerSession} events per session, ${w.lucidic ? 'one Lucidic request per event' : `${w.eventsPerRequest} events per batch request`} ` +
      `(${r.requestsPerSession.toFixed(1)} requests per session), ~${w.payloadBytes} B payload per event, ${w.tags} session tag(s), ` +
      `retention 90 days; sketches ${w.sketches === 'packed' ? 'packed (one Binary attribute each, compare-and-set)' : 'as one ADDed number per bin'}; ` +
      `${w.drainEvery > 0 ? `rollup queue drained after every ${w.drainEvery} sessions and at the end (its writes included)` : 'rollup queue never drained (rollup writes not included)'}.`,
  );
  lines.push('');
  lines.push('| per session, by item kind | write requests | WRU |');
  lines.push('| ------------------------- | -------------: | --: |');
  for (const [label, v] of r.rows) {
    const n = r.writes.get(label);
    lines.push(`| ${label} | ${n === undefined ? '' : n.toFixed(2)} | ${v.toFixed(2)} |`);
  }
  lines.push(`| **items** | | **${r.itemWru.toFixed(1)}** |`);
  lines.push(`| **index entries** | | **${r.indexWru.toFixed(1)}** |`);
  lines.push(`| **total** | | **${r.totalWru.toFixed(1)}** |`);
  lines.push('');
  const m1 = r.totalWru * 1e6 * PRICE_PER_WRU;
  lines.push(
    `DynamoDB writes at $0.625 per million WRU: ${money(m1)}/month at 1M sessions, ${money(m1 * 10)}/month at 10M sessions.`,
  );
  const gb = (r.storedBytesPerSession * 3e6) / 2 ** 30;
  lines.push(
    `Stored per session (session partition and owner items, +100 B overhead each): ${(r.storedBytesPerSession / 1024).toFixed(1)} KB ` +
      `(${r.storedByKind.map(([k, v]) => `${k} ${(v / 1024).toFixed(2)} KB`).join(', ')}); ` +
      `at 90-day retention (3M sessions kept at 1M/month) ${gb.toFixed(0)} GB: ${money(gb * 0.25)} storage + ${money(gb * 0.2)} PITR per month.`,
  );
  lines.push(
    `dynalite's own ReturnConsumedCapacity for the successful writes: ${r.dynaliteWru.toFixed(1)} WRU per session ` +
      '(max of old and new item, like DynamoDB, but no index entries and nothing for failed conditions).',
  );
  lines.push(`Reconcile job run afterwards (nothing should be pending): ${r.reconcileWru} WRU.`);
  const rollupWrites = r.writes.get('rollup') ?? 0;
  const rollupWru = r.rows.find(([k]) => k === 'rollup')?.[1] ?? 0;
  lines.push(
    `Rollup writes: ${(rollupWru / Math.max(rollupWrites, 1e-9)).toFixed(2)} WRU per write; ` +
      `${r.rollupItems.count} rollup items written during the measured sessions, ` +
      `${(r.rollupItems.meanBytes / 1024).toFixed(2)} KB on average, largest ${(r.rollupItems.maxBytes / 1024).toFixed(2)} KB` +
      (r.rollupItems.withBinAttrs > 0
        ? ` (with each sketch packed into one Binary attribute, an estimate: ${(r.rollupItems.packedMeanBytes / 1024).toFixed(2)} KB on average, ` +
          `largest ${(r.rollupItems.packedMaxBytes / 1024).toFixed(2)} KB).`
        : '.'),
  );
  lines.push(
    `Rollup compare-and-set: ${r.rollupLostCas.toFixed(2)} lost per session, each then written as ADDs ` +
      `(${r.rollupFailedWrites.toFixed(2)} failed-condition rollup writes, ${r.rollupFailedWru.toFixed(2)} WRU, included above); ` +
      `${r.rollupGets.toFixed(2)} strongly consistent rollup GetItems per session (read units, not in the table).`,
  );
  lines.push(
    `Event chunk reads (insertNew's dedupe Query, consistent): ${r.chunkQueries.toFixed(2)} Query pages, ` +
      `${r.chunkRru.toFixed(2)} RRU per session (not in the table; $0.125 per million RRU: ` +
      `${money(r.chunkRru * 1e6 * 0.125e-6)}/month at 1M sessions).`,
  );
  if (withOps) {
    lines.push('');
    lines.push('| per session, by operation (item: command, attributes) | writes | WRU |');
    lines.push('| ---------------------------------------------------- | -----: | --: |');
    for (const [label, v] of r.ops)
      lines.push(`| ${label.replaceAll('|', '/')} | ${v.writes.toFixed(2)} | ${v.wru.toFixed(2)} |`);
  }
  return lines.join('\n');
}

function sketchFormat(v: string | undefined): SketchFormat {
  if (v === 'packed' || v === 'bins') return v;
  throw new Error(`--sketches: expected packed or bins, got ${v}`);
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

async function main(): Promise<void> {
  const lucidic = process.argv.includes('--lucidic');
  const w: Workload = {
    sessions: arg('sessions', 40),
    warmup: arg('warmup', 20),
    eventsPerSession: arg('events', 20),
    eventsPerRequest: arg('per-request', 10),
    payloadBytes: arg('payload', 1024),
    tags: arg('tags', 1),
    lucidic,
    busy: process.argv.includes('--busy'),
    parallel: Math.max(1, arg('parallel', 1)),
    drainEvery: Math.max(0, arg('drain-every', 10)),
    sketches: process.argv.includes('--sketches')
      ? sketchFormat(process.argv[process.argv.indexOf('--sketches') + 1])
      : 'packed',
  };
  const r = await measure(w);
  const text = report(r, process.argv.includes('--ops'));
  console.log(text);
  if (process.argv.includes('--write')) {
    const header = `\n## DynamoDB write cost per session — ${new Date().toISOString()} — ${cpus()[0]?.model ?? 'unknown cpu'} × ${cpus().length}, node ${process.version}\n\n`;
    const cmd = `\`npx tsx bench/dynamo-cost.ts ${process.argv
      .slice(2)
      .filter((a) => a !== '--write')
      .join(' ')}\`\n\n`;
    appendFileSync(join(import.meta.dirname, 'RESULTS.md'), `${header}${cmd}${text}\n`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
