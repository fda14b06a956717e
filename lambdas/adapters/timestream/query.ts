import {
  type ColumnInfo,
  type Datum,
  QueryCommand,
  type QueryCommandOutput,
  type Row,
  TimestreamQueryClient,
  type TimestreamQueryClientConfig,
  type Type,
} from '@aws-sdk/client-timestream-query';
import { DomainError, validationError } from '../../domain/errors';
import { EVENT_MEASURE_NAME, SESSION_MEASURE_NAME } from './records';

/** A parsed Timestream value: TIMESTAMP becomes epoch ms, numbers numbers, arrays and rows nested values. */
export type QueryValue =
  | string
  | number
  | boolean
  | null
  | QueryValue[]
  | { [column: string]: QueryValue }
  | Array<{ time: number; value: QueryValue }>;

export type QueryRow = Record<string, QueryValue>;

/** A relative bound rendered as ago(…), e.g. '24h'. */
export type Duration = `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;
/** Epoch milliseconds, or `{ ago: '24h' }` for now minus a duration. */
export type TimeBound = number | { ago: Duration };

export interface PercentileRow {
  /** Start of the bin (epoch ms) when the query was binned, else null. */
  binStart: number | null;
  /** Records with a value for the measure. */
  count: number;
  values: Array<{ quantile: number; value: number | null }>;
}

export interface PercentileOptions {
  /** Group by bin(time, …), e.g. '1h'; one row per non-empty bin, oldest first. */
  bin?: Duration;
}

export interface TimestreamQueriesOptions {
  /** Build once and share (endpoint discovery caches per client); see {@link createTimestreamQueryClient}. */
  client: TimestreamQueryClient;
  database: string;
  eventsTable: string;
  sessionsTable: string;
  /**
   * Stop paging after this many pages: a runaway query fails instead of looping.
   * @default 200
   */
  maxPages?: number;
}

/** A query client with endpoint discovery intact (no custom endpoint). */
export const createTimestreamQueryClient = (
  config: Omit<TimestreamQueryClientConfig, 'endpoint' | 'endpointDiscoveryEnabled'> = {},
): TimestreamQueryClient => new TimestreamQueryClient(config);

// ---------- SQL literals: Timestream has no bind parameters, so every value is rendered here ----------

/**
 * A single-quoted SQL string literal. Timestream SQL (Presto dialect) knows no backslash escapes: a quote
 * is written as two quotes and nothing else can end the literal. Control characters are refused outright.
 */
export function sqlString(value: string, field = 'value'): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw validationError(field, 'must not contain control characters');
  return `'${value.replaceAll("'", "''")}'`;
}

/** A double-quoted identifier (database, table, column). */
export function sqlIdentifier(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (name === '' || /[\u0000-\u001f\u007f]/.test(name))
    throw validationError('identifier', 'is not a valid name');
  return `"${name.replaceAll('"', '""')}"`;
}

const DURATION = /^([1-9][0-9]{0,8})(ms|s|m|h|d)$/;

export function sqlDuration(value: string, field = 'duration'): string {
  if (!DURATION.test(value)) throw validationError(field, 'must be a duration like 15m, 1h or 7d');
  return value;
}

function sqlTime(bound: TimeBound, field: string): string {
  if (typeof bound === 'number') {
    if (!Number.isSafeInteger(bound) || bound < 0) throw validationError(field, 'must be epoch milliseconds');
    return `from_milliseconds(${bound})`;
  }
  return `ago(${sqlDuration(bound.ago, field)})`;
}

function sqlQuantile(q: number): string {
  if (!Number.isFinite(q) || q < 0 || q > 1)
    throw validationError('quantiles', 'each must be between 0 and 1');
  const text = String(q);
  // String() of a finite number is digits, '.', 'e' and signs only; checked anyway as it goes into SQL.
  if (!/^[0-9.e+-]+$/.test(text)) throw validationError('quantiles', 'must be plain numbers');
  return text;
}

const EVENT_MEASURES = { duration_ms: 'duration_ms', cost_usd: 'cost_usd' } as const;

// ---------- response parsing ----------

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?$/;

/** '2026-01-05 10:11:13.010000000' (UTC, nanoseconds) → epoch ms. Unparseable text is returned as is. */
export function parseTimestamp(text: string): number | string {
  const m = TIMESTAMP.exec(text);
  if (!m) return text;
  const millis = (m[3] ?? '').padEnd(3, '0').slice(0, 3);
  const ms = Date.parse(`${m[1]}T${m[2]}.${millis}Z`);
  return Number.isNaN(ms) ? text : ms;
}

function parseScalar(text: string, type: Type['ScalarType']): QueryValue {
  switch (type) {
    case 'BIGINT':
    case 'INTEGER':
    case 'DOUBLE':
      return Number(text);
    case 'BOOLEAN':
      return text === 'true';
    case 'TIMESTAMP':
      return parseTimestamp(text);
    default:
      return text;
  }
}

function parseDatum(datum: Datum, type: Type | undefined): QueryValue {
  if (datum.NullValue) return null;
  if (datum.ScalarValue !== undefined) return parseScalar(datum.ScalarValue, type?.ScalarType);
  if (datum.ArrayValue) return datum.ArrayValue.map((d) => parseDatum(d, type?.ArrayColumnInfo?.Type));
  if (datum.RowValue) return parseRow(type?.RowColumnInfo ?? [], datum.RowValue);
  if (datum.TimeSeriesValue) {
    const valueType = type?.TimeSeriesMeasureValueColumnInfo?.Type;
    return datum.TimeSeriesValue.map((p) => {
      const time = p.Time === undefined ? Number.NaN : parseTimestamp(p.Time);
      return {
        time: typeof time === 'number' ? time : Number.NaN,
        value: p.Value ? parseDatum(p.Value, valueType) : null,
      };
    });
  }
  return null;
}

function parseRow(columns: ColumnInfo[], row: Row): QueryRow {
  const out: QueryRow = {};
  (row.Data ?? []).forEach((datum, i) => {
    const column = columns[i];
    out[column?.Name ?? `_col${i}`] = parseDatum(datum, column?.Type);
  });
  return out;
}

/** Turns a Query page's ColumnInfo + Rows into plain objects keyed by column name. */
export const parseQueryRows = (columns: ColumnInfo[], rows: Row[]): QueryRow[] =>
  rows.map((row) => parseRow(columns, row));

const num = (v: QueryValue | undefined): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : null;

/**
 * Ad-hoc queries over the raw records TimestreamSink writes. "Exact" means computed from every raw
 * record in the window instead of from rollup sketches; Timestream's approx_percentile itself has a
 * small bounded rank error (it has no exact percentile function).
 */
export class TimestreamQueries {
  private readonly client: TimestreamQueryClient;
  private readonly table: { events: string; sessions: string };
  private readonly maxPages: number;

  constructor(options: TimestreamQueriesOptions) {
    this.client = options.client;
    const db = sqlIdentifier(options.database);
    this.table = {
      events: `${db}.${sqlIdentifier(options.eventsTable)}`,
      sessions: `${db}.${sqlIdentifier(options.sessionsTable)}`,
    };
    this.maxPages = options.maxPages ?? 200;
  }

  /** Percentiles of an event measure for one agent over [from, to); to = null means now. */
  async exactPercentiles(
    agentId: string,
    from: TimeBound,
    to: TimeBound | null,
    measure: keyof typeof EVENT_MEASURES,
    quantiles: number[],
    options: PercentileOptions = {},
  ): Promise<PercentileRow[]> {
    // Checked at run time too: the measure becomes a column name in the SQL.
    if (!Object.hasOwn(EVENT_MEASURES, measure))
      throw validationError('measure', 'must be duration_ms or cost_usd');
    const column = EVENT_MEASURES[measure];
    return this.percentiles(
      this.table.events,
      EVENT_MEASURE_NAME,
      column,
      agentId,
      from,
      to,
      quantiles,
      options,
    );
  }

  /** Percentiles of per-session cost for sessions created in [from, to) (session records are timed at createdAt). */
  async sessionCostPercentiles(
    agentId: string,
    from: TimeBound,
    to: TimeBound | null,
    quantiles: number[],
    options: PercentileOptions = {},
  ): Promise<PercentileRow[]> {
    return this.percentiles(
      this.table.sessions,
      SESSION_MEASURE_NAME,
      'cost_usd',
      agentId,
      from,
      to,
      quantiles,
      options,
    );
  }

  private async percentiles(
    table: string,
    measureName: string,
    column: string,
    agentId: string,
    from: TimeBound,
    to: TimeBound | null,
    quantiles: number[],
    options: PercentileOptions,
  ): Promise<PercentileRow[]> {
    if (quantiles.length === 0 || quantiles.length > 20)
      throw validationError('quantiles', 'must list 1 to 20 values');
    const col = sqlIdentifier(column);
    const bin = options.bin === undefined ? null : `bin(time, ${sqlDuration(options.bin, 'bin')})`;
    const select = [
      ...(bin ? [`${bin} AS bin_start`] : []),
      `count(${col}) AS n`,
      ...quantiles.map((q, i) => `approx_percentile(${col}, ${sqlQuantile(q)}) AS q${i}`),
    ];
    const where = [
      `measure_name = ${sqlString(measureName)}`,
      `agent_id = ${sqlString(agentId, 'agentId')}`,
      `time >= ${sqlTime(from, 'from')}`,
      `time < ${to === null ? 'now()' : sqlTime(to, 'to')}`,
      `${col} IS NOT NULL`,
    ];
    const sql = [
      `SELECT ${select.join(', ')}`,
      `FROM ${table}`,
      `WHERE ${where.join(' AND ')}`,
      ...(bin ? [`GROUP BY ${bin}`, 'ORDER BY bin_start'] : []),
    ].join('\n');
    const rows = await this.query(sql);
    return rows.map((r) => ({
      binStart: bin ? num(r.bin_start) : null,
      count: num(r.n) ?? 0,
      values: quantiles.map((quantile, i) => ({ quantile, value: num(r[`q${i}`]) })),
    }));
  }

  /** Runs one query to the end, following NextToken. SQL must come from this module's builders. */
  private async query(sql: string): Promise<QueryRow[]> {
    const out: QueryRow[] = [];
    let columns: ColumnInfo[] = [];
    let nextToken: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= this.maxPages) {
        throw new DomainError('unavailable', `Timestream query returned more than ${this.maxPages} pages`);
      }
      let response: QueryCommandOutput;
      try {
        response = await this.client.send(
          new QueryCommand({ QueryString: sql, ...(nextToken ? { NextToken: nextToken } : {}) }),
        );
      } catch (e) {
        const name = e instanceof Error ? e.name : 'error';
        throw new DomainError('unavailable', `Timestream query failed: ${name}`, { cause: e });
      }
      // Every page repeats ColumnInfo; a page may carry no rows while the query is still running.
      if (response.ColumnInfo && response.ColumnInfo.length > 0) columns = response.ColumnInfo;
      out.push(...parseQueryRows(columns, response.Rows ?? []));
      nextToken = response.NextToken;
      if (!nextToken) return out;
    }
  }
}
