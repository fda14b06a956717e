import type {
  AlertRule,
  AlertRuleStore,
  AlertState,
  Baseline,
  BaselineStore,
  Channel,
  ChannelStore,
  Incident,
  IncidentQuery,
  IncidentStore,
} from '../../domain/alert-ports';
import { withIncidentDefaults } from '../../domain/alerts/incident';
import { validationError } from '../../domain/errors';
import type { Page } from '../../domain/ports';
import { type DynamoDbStoreOptions, Expr, VigilTable } from './client';
import { type Item, keyItem, num, str } from './items';
import { esc } from './table';

/**
 * The alert ports on the single Vigil table. Items (pk / sk), each with the record as JSON in `doc`:
 *   baseline     BL#<agent>#<0|1>  / <date>#<slice>      + expiresAt (TTL: its date + retention days)
 *   alert rule   ARULES            / <ruleId>
 *   channel      CHANNELS          / <channelId>
 *   incident     IN#<agent>        / I#<incidentId>     + version; while open gsi1: IO / <agent>#<incidentId>
 *   alert state  AS#<agent>        / <key>              + version
 * Incident ids are time-ordered, so a partition read backwards lists the newest first. Versioned items
 * are written with a condition on `version` (optimistic concurrency, no transactions needed).
 */
export const alertKeys = {
  baselines: (agentId: string, production: boolean) => `BL#${esc(agentId)}#${production ? 1 : 0}`,
  baseline: (b: Pick<Baseline, 'agentId' | 'production' | 'date' | 'slice'>) => ({
    pk: alertKeys.baselines(b.agentId, b.production),
    sk: `${b.date}#${b.slice}`,
  }),
  rule: (ruleId: string) => ({ pk: 'ARULES', sk: ruleId }),
  channel: (channelId: string) => ({ pk: 'CHANNELS', sk: channelId }),
  incidents: (agentId: string) => `IN#${esc(agentId)}`,
  incident: (agentId: string, incidentId: string) => ({
    pk: alertKeys.incidents(agentId),
    sk: `I#${incidentId}`,
  }),
  openIndex: 'IO',
  openOrder: (agentId: string, incidentId: string) => `${esc(agentId)}#${incidentId}`,
  states: (agentId: string) => `AS#${esc(agentId)}`,
  state: (agentId: string, key: string) => ({ pk: alertKeys.states(agentId), sk: key }),
};

const docOf = <T>(item: Item): T => JSON.parse(item.doc!.S!) as T;
const incidentOf = (item: Item): Incident => withIncidentDefaults(docOf<Incident>(item));

/** Put conditioned on the stored version (0 = the item must not exist yet). */
async function putVersioned(table: VigilTable, item: Item, expectedVersion: number): Promise<boolean> {
  const expr = new Expr();
  const expression =
    expectedVersion === 0
      ? `attribute_not_exists(${expr.name('pk')})`
      : `${expr.name('version')} = ${expr.value(num(expectedVersion))}`;
  return (await table.put(item, { expression, expr })) !== false;
}

async function queryPartition(table: VigilTable, pk: string, forward = true): Promise<Item[]> {
  const expr = new Expr();
  const { items } = await table.query({
    KeyConditionExpression: `${expr.name('pk')} = ${expr.value(str(pk))}`,
    ConsistentRead: true,
    ScanIndexForward: forward,
    ...expr.maps(),
  });
  return items;
}

export class DynamoDbBaselineStore implements BaselineStore {
  private readonly table: VigilTable;

  constructor(options: DynamoDbStoreOptions) {
    this.table = new VigilTable(options);
  }

  async put(b: Baseline, expiresAt: number | null = null): Promise<void> {
    const item: Item = { ...keyItem(alertKeys.baseline(b)), doc: str(JSON.stringify(b)) };
    // The table's TTL attribute (infra/config/table.ts TTL_ATTRIBUTE), in epoch seconds.
    if (expiresAt !== null) item.expiresAt = num(Math.floor(expiresAt / 1000));
    await this.table.put(item);
  }

  /** The table's TTL deletes expired baselines (within a few days of expiry): nothing to do here. */
  async prune(_agentId: string, _beforeDate: string): Promise<number> {
    return 0;
  }

  async list(q: { agentId: string; production: boolean; fromDate: string; toDate: string; slice?: string }) {
    const expr = new Expr();
    const { items } = await this.table.query({
      KeyConditionExpression: `${expr.name('pk')} = ${expr.value(str(alertKeys.baselines(q.agentId, q.production)))} AND ${expr.name('sk')} BETWEEN ${expr.value(str(`${q.fromDate}#`))} AND ${expr.value(str(`${q.toDate}#\uffff`))}`,
      ConsistentRead: true,
      ...expr.maps(),
    });
    return items
      .map(docOf<Baseline>)
      .filter((b) => q.slice === undefined || b.slice === q.slice)
      .sort((a, b) =>
        a.date < b.date ? -1 : a.date > b.date ? 1 : a.slice < b.slice ? -1 : a.slice > b.slice ? 1 : 0,
      );
  }
}

/** Small partitions of JSON documents (rules, channels). */
class DocPartition<T> {
  constructor(
    private readonly table: VigilTable,
    private readonly key: (id: string) => { pk: string; sk: string },
    private readonly pk: string,
  ) {}

  async put(id: string, doc: T): Promise<void> {
    await this.table.put({ ...keyItem(this.key(id)), doc: str(JSON.stringify(doc)) });
  }

  async get(id: string): Promise<T | null> {
    const item = await this.table.get(this.key(id));
    return item ? docOf<T>(item) : null;
  }

  async list(): Promise<T[]> {
    return (await queryPartition(this.table, this.pk)).map(docOf<T>);
  }

  async delete(id: string): Promise<boolean> {
    const expr = new Expr();
    return this.table.delete(this.key(id), { expression: `attribute_exists(${expr.name('pk')})`, expr });
  }
}

export class DynamoDbAlertRuleStore implements AlertRuleStore {
  private readonly docs: DocPartition<AlertRule>;

  constructor(options: DynamoDbStoreOptions) {
    this.docs = new DocPartition(new VigilTable(options), alertKeys.rule, 'ARULES');
  }

  put(rule: AlertRule) {
    return this.docs.put(rule.ruleId, rule);
  }
  get(ruleId: string) {
    return this.docs.get(ruleId);
  }
  list() {
    return this.docs.list();
  }
  delete(ruleId: string) {
    return this.docs.delete(ruleId);
  }
}

export class DynamoDbChannelStore implements ChannelStore {
  private readonly table: VigilTable;
  private readonly docs: DocPartition<Channel>;

  constructor(options: DynamoDbStoreOptions) {
    this.table = new VigilTable(options);
    this.docs = new DocPartition(this.table, alertKeys.channel, 'CHANNELS');
  }

  put(channel: Channel) {
    return this.docs.put(channel.channelId, channel);
  }
  get(channelId: string) {
    return this.docs.get(channelId);
  }
  list() {
    return this.docs.list();
  }
  delete(channelId: string) {
    return this.docs.delete(channelId);
  }

  async recordDelivery(channelId: string, outcome: { at: number; ok: boolean; error: string | null }) {
    // Read-modify-write: the last writer wins, which is what "the latest delivery" means.
    const channel = await this.docs.get(channelId);
    if (!channel) return;
    const expr = new Expr();
    await this.table.update({
      key: alertKeys.channel(channelId),
      update: `SET ${expr.name('doc')} = ${expr.value(str(JSON.stringify({ ...channel, lastDelivery: outcome })))}`,
      condition: `attribute_exists(${expr.name('pk')})`,
      expr,
    });
  }
}

const encodeCursor = (id: string) => Buffer.from(JSON.stringify({ before: id })).toString('base64url');
function decodeCursor(cursor: string | null): string | null {
  if (cursor === null) return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { before?: unknown };
    if (typeof v.before === 'string') return v.before;
  } catch {
    // fall through
  }
  throw validationError('cursor', 'is not a cursor this API returned');
}

const matches = (i: Incident, q: IncidentQuery): boolean =>
  (q.status === undefined || i.status === q.status) &&
  (q.source === undefined || i.source === q.source) &&
  (q.from === undefined || i.windowTo === null || i.windowTo > q.from) &&
  (q.to === undefined || i.windowFrom < q.to);

export class DynamoDbIncidentStore implements IncidentStore {
  private readonly table: VigilTable;

  constructor(options: DynamoDbStoreOptions) {
    this.table = new VigilTable(options);
  }

  put(incident: Incident, expectedVersion: number): Promise<boolean> {
    const item: Item = {
      ...keyItem(alertKeys.incident(incident.agentId, incident.incidentId)),
      version: num(incident.version),
      status: str(incident.status),
      doc: str(JSON.stringify(incident)),
    };
    if (incident.status === 'open') {
      item.gsi1pk = str(alertKeys.openIndex);
      item.gsi1sk = str(alertKeys.openOrder(incident.agentId, incident.incidentId));
    }
    return putVersioned(this.table, item, expectedVersion);
  }

  async get(agentId: string, incidentId: string): Promise<Incident | null> {
    const item = await this.table.get(alertKeys.incident(agentId, incidentId));
    return item ? incidentOf(item) : null;
  }

  async list(q: IncidentQuery, cursor: string | null, limit: number): Promise<Page<Incident>> {
    const before = decodeCursor(cursor);
    const expr = new Expr();
    const pk = `${expr.name('pk')} = ${expr.value(str(alertKeys.incidents(q.agentId)))}`;
    const sk = before
      ? `${expr.name('sk')} < ${expr.value(str(`I#${before}`))}`
      : `begins_with(${expr.name('sk')}, ${expr.value(str('I#'))})`;
    const pick = (items: Item[]) => items.map(incidentOf).filter((i) => matches(i, q));
    const { items } = await this.table.query(
      {
        KeyConditionExpression: `${pk} AND ${sk}`,
        ConsistentRead: true,
        ScanIndexForward: false,
        ...expr.maps(),
      },
      (sofar) => pick(sofar).length > limit,
    );
    const found = pick(items);
    const page = found.slice(0, limit);
    return {
      items: page,
      cursor: found.length > limit ? encodeCursor(page[page.length - 1]!.incidentId) : null,
    };
  }

  async listOpen(agentId: string | null): Promise<Incident[]> {
    const expr = new Expr();
    const prefix =
      agentId === null
        ? ''
        : ` AND begins_with(${expr.name('gsi1sk')}, ${expr.value(str(`${esc(agentId)}#`))})`;
    const { items } = await this.table.query({
      IndexName: 'gsi1',
      KeyConditionExpression: `${expr.name('gsi1pk')} = ${expr.value(str(alertKeys.openIndex))}${prefix}`,
      ...expr.maps(),
    });
    // The index is KEYS_ONLY and eventually consistent: read the items themselves and keep the open ones.
    const full = await this.table.batchGet(items.map((i) => ({ pk: i.pk!.S!, sk: i.sk!.S! })));
    return full
      .map(incidentOf)
      .filter((i) => i.status === 'open')
      .sort((a, b) => (a.incidentId < b.incidentId ? 1 : a.incidentId > b.incidentId ? -1 : 0));
  }

  async getState(agentId: string, key: string): Promise<AlertState | null> {
    const item = await this.table.get(alertKeys.state(agentId, key));
    return item ? docOf<AlertState>(item) : null;
  }

  putState(state: AlertState, expectedVersion: number): Promise<boolean> {
    return putVersioned(
      this.table,
      {
        ...keyItem(alertKeys.state(state.agentId, state.key)),
        version: num(state.version),
        doc: str(JSON.stringify(state)),
      },
      expectedVersion,
    );
  }

  async listStates(agentId: string): Promise<AlertState[]> {
    return (await queryPartition(this.table, alertKeys.states(agentId))).map(docOf<AlertState>);
  }
}

export interface DynamoDbAlertStores {
  baselines: DynamoDbBaselineStore;
  rules: DynamoDbAlertRuleStore;
  channels: DynamoDbChannelStore;
  incidents: DynamoDbIncidentStore;
}

export function createDynamoDbAlertStores(options: DynamoDbStoreOptions): DynamoDbAlertStores {
  return {
    baselines: new DynamoDbBaselineStore(options),
    rules: new DynamoDbAlertRuleStore(options),
    channels: new DynamoDbChannelStore(options),
    incidents: new DynamoDbIncidentStore(options),
  };
}
