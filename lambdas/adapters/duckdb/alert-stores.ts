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
import { type DuckDbDatabase, num, type Queries } from './database';

/**
 * Baselines, rules, channels, incidents and alert states on the embedded DuckDB file. These are small,
 * low-rate tables (a few writes per check), so they use plain SQL through `db.exclusive` / `db.tx`
 * rather than the group commit; their tables are created on first use.
 */
const TABLES = `
CREATE TABLE IF NOT EXISTS alert_baselines (agent_id VARCHAR NOT NULL, production BOOLEAN NOT NULL,
  slice VARCHAR NOT NULL, baseline_date VARCHAR NOT NULL, doc VARCHAR NOT NULL,
  PRIMARY KEY (agent_id, production, slice, baseline_date));
CREATE TABLE IF NOT EXISTS alert_rules (rule_id VARCHAR PRIMARY KEY, doc VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS alert_channels (channel_id VARCHAR PRIMARY KEY, doc VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS alert_incidents (agent_id VARCHAR NOT NULL, incident_id VARCHAR NOT NULL,
  status VARCHAR NOT NULL, source VARCHAR NOT NULL, window_from BIGINT NOT NULL, window_to BIGINT,
  version INTEGER NOT NULL, doc VARCHAR NOT NULL, PRIMARY KEY (agent_id, incident_id));
CREATE TABLE IF NOT EXISTS alert_states (agent_id VARCHAR NOT NULL, alert_key VARCHAR NOT NULL,
  version INTEGER NOT NULL, doc VARCHAR NOT NULL, PRIMARY KEY (agent_id, alert_key));
`;

/** Creates the alert tables once per database. */
class AlertTables {
  private ready: Promise<void> | null = null;

  constructor(readonly db: DuckDbDatabase) {}

  private init(): Promise<void> {
    this.ready ??= this.db.direct((q) => q.run(TABLES));
    return this.ready;
  }

  async read<T>(fn: (q: Queries) => Promise<T>): Promise<T> {
    await this.init();
    return this.db.exclusive(fn);
  }

  async tx<T>(fn: (q: Queries) => Promise<T>): Promise<T> {
    await this.init();
    return this.db.tx(fn);
  }
}

const parse = <T>(rows: Array<Record<string, unknown>>): T[] =>
  rows.map((r) => JSON.parse(r.doc as string) as T);
const incidents = (rows: Array<Record<string, unknown>>): Incident[] =>
  parse<Incident>(rows).map(withIncidentDefaults);

export class DuckDbBaselineStore implements BaselineStore {
  constructor(private readonly t: AlertTables) {}

  /** Expiry is the daily job's `prune` here (by date); nothing about it is stored. */
  put(b: Baseline, _expiresAt?: number | null): Promise<void> {
    return this.t.read((q) =>
      q.run(
        `INSERT INTO alert_baselines VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (agent_id, production, slice, baseline_date) DO UPDATE SET doc = excluded.doc`,
        [b.agentId, b.production, b.slice, b.date, JSON.stringify(b)],
      ),
    );
  }

  prune(agentId: string, beforeDate: string): Promise<number> {
    return this.t.tx(async (q) => {
      const rows = await q.all(
        'SELECT count(*) AS n FROM alert_baselines WHERE agent_id = $1 AND baseline_date < $2',
        [agentId, beforeDate],
      );
      const n = num(rows[0]?.n ?? 0);
      if (n > 0) {
        await q.run('DELETE FROM alert_baselines WHERE agent_id = $1 AND baseline_date < $2', [
          agentId,
          beforeDate,
        ]);
      }
      return n;
    });
  }

  list(q: { agentId: string; production: boolean; fromDate: string; toDate: string; slice?: string }) {
    return this.t.read(async (db) =>
      parse<Baseline>(
        await db.all(
          `SELECT doc FROM alert_baselines WHERE agent_id = $1 AND production = $2
             AND baseline_date >= $3 AND baseline_date <= $4 AND ($5::VARCHAR IS NULL OR slice = $5::VARCHAR)
           ORDER BY baseline_date, slice`,
          [q.agentId, q.production, q.fromDate, q.toDate, q.slice ?? null],
        ),
      ),
    );
  }
}

/** A table of one JSON document per id (rules, channels). */
class DocTable<T> {
  constructor(
    private readonly t: AlertTables,
    private readonly table: 'alert_rules' | 'alert_channels',
    private readonly idColumn: 'rule_id' | 'channel_id',
  ) {}

  put(id: string, doc: T): Promise<void> {
    return this.t.read((q) => this.write(q, id, doc));
  }

  private write(q: Queries, id: string, doc: T): Promise<void> {
    return q.run(
      `INSERT INTO ${this.table} VALUES ($1, $2) ON CONFLICT (${this.idColumn}) DO UPDATE SET doc = excluded.doc`,
      [id, JSON.stringify(doc)],
    );
  }

  get(id: string): Promise<T | null> {
    return this.t.read(
      async (q) =>
        parse<T>(await q.all(`SELECT doc FROM ${this.table} WHERE ${this.idColumn} = $1`, [id]))[0] ?? null,
    );
  }

  list(): Promise<T[]> {
    return this.t.read(async (q) =>
      parse<T>(await q.all(`SELECT doc FROM ${this.table} ORDER BY ${this.idColumn}`)),
    );
  }

  delete(id: string): Promise<boolean> {
    return this.t.tx(async (q) => {
      const found = await q.all(`SELECT 1 FROM ${this.table} WHERE ${this.idColumn} = $1`, [id]);
      if (found.length === 0) return false;
      await q.run(`DELETE FROM ${this.table} WHERE ${this.idColumn} = $1`, [id]);
      return true;
    });
  }

  update(id: string, change: (doc: T) => T): Promise<void> {
    return this.t.tx(async (q) => {
      const doc = parse<T>(await q.all(`SELECT doc FROM ${this.table} WHERE ${this.idColumn} = $1`, [id]))[0];
      if (doc !== undefined) await this.write(q, id, change(doc));
    });
  }
}

export class DuckDbAlertRuleStore implements AlertRuleStore {
  private readonly docs: DocTable<AlertRule>;

  constructor(t: AlertTables) {
    this.docs = new DocTable(t, 'alert_rules', 'rule_id');
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

export class DuckDbChannelStore implements ChannelStore {
  private readonly docs: DocTable<Channel>;

  constructor(t: AlertTables) {
    this.docs = new DocTable(t, 'alert_channels', 'channel_id');
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
  recordDelivery(channelId: string, outcome: { at: number; ok: boolean; error: string | null }) {
    return this.docs.update(channelId, (c) => ({ ...c, lastDelivery: outcome }));
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

export class DuckDbIncidentStore implements IncidentStore {
  constructor(private readonly t: AlertTables) {}

  put(incident: Incident, expectedVersion: number): Promise<boolean> {
    return this.t.tx(async (q) => {
      const rows = await q.all(
        'SELECT version FROM alert_incidents WHERE agent_id = $1 AND incident_id = $2',
        [incident.agentId, incident.incidentId],
      );
      const stored = rows[0] ? num(rows[0].version) : 0;
      if (stored !== expectedVersion) return false;
      await q.run(
        `INSERT INTO alert_incidents VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (agent_id, incident_id)
         DO UPDATE SET status = excluded.status, source = excluded.source, window_from = excluded.window_from,
           window_to = excluded.window_to, version = excluded.version, doc = excluded.doc`,
        [
          incident.agentId,
          incident.incidentId,
          incident.status,
          incident.source,
          incident.windowFrom,
          incident.windowTo,
          incident.version,
          JSON.stringify(incident),
        ],
      );
      return true;
    });
  }

  get(agentId: string, incidentId: string): Promise<Incident | null> {
    return this.t.read(
      async (q) =>
        incidents(
          await q.all('SELECT doc FROM alert_incidents WHERE agent_id = $1 AND incident_id = $2', [
            agentId,
            incidentId,
          ]),
        )[0] ?? null,
    );
  }

  async list(query: IncidentQuery, cursor: string | null, limit: number): Promise<Page<Incident>> {
    const before = decodeCursor(cursor);
    return this.t.read(async (q) => {
      const rows = await q.all(
        `SELECT doc FROM alert_incidents WHERE agent_id = $1
           AND ($2::VARCHAR IS NULL OR status = $2::VARCHAR)
           AND ($3::VARCHAR IS NULL OR source = $3::VARCHAR)
           AND ($4::BIGINT IS NULL OR window_to IS NULL OR window_to > $4::BIGINT)
           AND ($5::BIGINT IS NULL OR window_from < $5::BIGINT)
           AND ($6::VARCHAR IS NULL OR incident_id < $6::VARCHAR)
         ORDER BY incident_id DESC LIMIT $7`,
        [
          query.agentId,
          query.status ?? null,
          query.source ?? null,
          query.from ?? null,
          query.to ?? null,
          before,
          limit + 1,
        ],
      );
      const items = incidents(rows);
      const more = items.length > limit;
      const page = items.slice(0, limit);
      return { items: page, cursor: more ? encodeCursor(page[page.length - 1]!.incidentId) : null };
    });
  }

  listOpen(agentId: string | null): Promise<Incident[]> {
    return this.t.read(async (q) =>
      incidents(
        await q.all(
          `SELECT doc FROM alert_incidents WHERE status = 'open' AND ($1::VARCHAR IS NULL OR agent_id = $1::VARCHAR)
           ORDER BY incident_id DESC`,
          [agentId],
        ),
      ),
    );
  }

  getState(agentId: string, key: string): Promise<AlertState | null> {
    return this.t.read(
      async (q) =>
        parse<AlertState>(
          await q.all('SELECT doc FROM alert_states WHERE agent_id = $1 AND alert_key = $2', [agentId, key]),
        )[0] ?? null,
    );
  }

  putState(state: AlertState, expectedVersion: number): Promise<boolean> {
    return this.t.tx(async (q) => {
      const rows = await q.all('SELECT version FROM alert_states WHERE agent_id = $1 AND alert_key = $2', [
        state.agentId,
        state.key,
      ]);
      const stored = rows[0] ? num(rows[0].version) : 0;
      if (stored !== expectedVersion) return false;
      await q.run(
        `INSERT INTO alert_states VALUES ($1, $2, $3, $4) ON CONFLICT (agent_id, alert_key)
         DO UPDATE SET version = excluded.version, doc = excluded.doc`,
        [state.agentId, state.key, state.version, JSON.stringify(state)],
      );
      return true;
    });
  }

  listStates(agentId: string): Promise<AlertState[]> {
    return this.t.read(async (q) =>
      parse<AlertState>(
        await q.all('SELECT doc FROM alert_states WHERE agent_id = $1 ORDER BY alert_key', [agentId]),
      ),
    );
  }
}

export interface DuckDbAlertStores {
  baselines: DuckDbBaselineStore;
  rules: DuckDbAlertRuleStore;
  channels: DuckDbChannelStore;
  incidents: DuckDbIncidentStore;
}

/** The alert ports on an open DuckDB database (tables are created on first use). */
export function createDuckDbAlertStores(db: DuckDbDatabase): DuckDbAlertStores {
  const t = new AlertTables(db);
  return {
    baselines: new DuckDbBaselineStore(t),
    rules: new DuckDbAlertRuleStore(t),
    channels: new DuckDbChannelStore(t),
    incidents: new DuckDbIncidentStore(t),
  };
}
