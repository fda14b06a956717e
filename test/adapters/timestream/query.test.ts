import { type ColumnInfo, QueryCommand, TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  parseQueryRows,
  parseTimestamp,
  sqlString,
  TimestreamQueries,
} from '../../../lambdas/adapters/timestream/query';
import { DomainError } from '../../../lambdas/domain/errors';

const queryMock = mockClient(TimestreamQueryClient);

const queries = () =>
  new TimestreamQueries({
    client: new TimestreamQueryClient({ region: 'us-east-1' }),
    database: 'vigil',
    eventsTable: 'events',
    sessionsTable: 'sessions',
  });

const sentSql = () => queryMock.commandCalls(QueryCommand).map((c) => c.args[0].input);

const FROM = Date.UTC(2026, 0, 5, 0, 0, 0);
const TO = Date.UTC(2026, 0, 6, 0, 0, 0);

/** ColumnInfo as Timestream returns it for `SELECT bin(...) AS bin_start, count(...) AS n, approx_percentile(...) AS q0, …`. */
const binnedColumns: ColumnInfo[] = [
  { Name: 'bin_start', Type: { ScalarType: 'TIMESTAMP' } },
  { Name: 'n', Type: { ScalarType: 'BIGINT' } },
  { Name: 'q0', Type: { ScalarType: 'DOUBLE' } },
  { Name: 'q1', Type: { ScalarType: 'DOUBLE' } },
];

/** Replaces every string literal with ? so two queries can be compared for structure. */
function skeleton(sql: string): { shape: string; literals: string[] } {
  const literals: string[] = [];
  let shape = '';
  for (let i = 0; i < sql.length; i++) {
    if (sql[i] !== "'") {
      shape += sql[i];
      continue;
    }
    let value = '';
    for (i++; i < sql.length; i++) {
      if (sql[i] === "'" && sql[i + 1] === "'") {
        value += "'";
        i++;
      } else if (sql[i] === "'") break;
      else value += sql[i];
    }
    literals.push(value);
    shape += '?';
  }
  return { shape, literals };
}

describe('TimestreamQueries.exactPercentiles', () => {
  beforeEach(() => {
    queryMock.reset();
  });

  it('builds one approx_percentile query with a measure, agent and time filter', async () => {
    // Prepare
    queryMock.on(QueryCommand).resolves({
      QueryId: 'q-1',
      ColumnInfo: binnedColumns.slice(1),
      Rows: [{ Data: [{ ScalarValue: '1204' }, { ScalarValue: '812.5' }, { ScalarValue: '4210.0' }] }],
    });

    // Act
    const rows = await queries().exactPercentiles('agent-1', FROM, TO, 'duration_ms', [0.5, 0.95]);

    // Assess
    expect(sentSql()).toEqual([
      {
        QueryString: [
          'SELECT count("duration_ms") AS n, approx_percentile("duration_ms", 0.5) AS q0, approx_percentile("duration_ms", 0.95) AS q1',
          'FROM "vigil"."events"',
          `WHERE measure_name = 'event' AND agent_id = 'agent-1' AND time >= from_milliseconds(${FROM}) AND time < from_milliseconds(${TO}) AND "duration_ms" IS NOT NULL`,
        ].join('\n'),
      },
    ]);
    expect(rows).toEqual([
      {
        binStart: null,
        count: 1204,
        values: [
          { quantile: 0.5, value: 812.5 },
          { quantile: 0.95, value: 4210 },
        ],
      },
    ]);
  });

  it('bins by time, uses ago() for relative bounds and pages through NextToken', async () => {
    // Prepare: a first page, an empty page while the query still runs, and a last page.
    queryMock
      .on(QueryCommand)
      .resolvesOnce({
        QueryId: 'q-2',
        NextToken: 'token-1',
        ColumnInfo: binnedColumns,
        Rows: [
          {
            Data: [
              { ScalarValue: '2026-01-05 10:00:00.000000000' },
              { ScalarValue: '40' },
              { ScalarValue: '0.0021' },
              { ScalarValue: '0.0102' },
            ],
          },
        ],
        QueryStatus: {
          ProgressPercentage: 40,
          CumulativeBytesScanned: 1024,
          CumulativeBytesMetered: 10_000_000,
        },
      })
      .resolvesOnce({ QueryId: 'q-2', NextToken: 'token-2', ColumnInfo: binnedColumns, Rows: [] })
      .resolvesOnce({
        QueryId: 'q-2',
        ColumnInfo: binnedColumns,
        Rows: [
          {
            Data: [
              { ScalarValue: '2026-01-05 11:00:00.000000000' },
              { ScalarValue: '0' },
              { NullValue: true },
              { NullValue: true },
            ],
          },
        ],
      });

    // Act
    const rows = await queries().exactPercentiles('agent-1', { ago: '24h' }, null, 'cost_usd', [0.5, 0.99], {
      bin: '1h',
    });

    // Assess
    const sent = sentSql();
    expect(sent.map((s) => s.NextToken)).toEqual([undefined, 'token-1', 'token-2']);
    expect(new Set(sent.map((s) => s.QueryString)).size).toBe(1);
    expect(sent[0]?.QueryString).toBe(
      [
        'SELECT bin(time, 1h) AS bin_start, count("cost_usd") AS n, approx_percentile("cost_usd", 0.5) AS q0, approx_percentile("cost_usd", 0.99) AS q1',
        'FROM "vigil"."events"',
        `WHERE measure_name = 'event' AND agent_id = 'agent-1' AND time >= ago(24h) AND time < now() AND "cost_usd" IS NOT NULL`,
        'GROUP BY bin(time, 1h)',
        'ORDER BY bin_start',
      ].join('\n'),
    );
    expect(rows).toEqual([
      {
        binStart: Date.UTC(2026, 0, 5, 10),
        count: 40,
        values: [
          { quantile: 0.5, value: 0.0021 },
          { quantile: 0.99, value: 0.0102 },
        ],
      },
      {
        binStart: Date.UTC(2026, 0, 5, 11),
        count: 0,
        values: [
          { quantile: 0.5, value: null },
          { quantile: 0.99, value: null },
        ],
      },
    ]);
  });

  it('keeps a malicious agent id inside one string literal', async () => {
    // Prepare
    queryMock.on(QueryCommand).resolves({ QueryId: 'q', ColumnInfo: binnedColumns.slice(1), Rows: [] });
    const evil = "x' OR '1'='1' UNION SELECT * FROM \"vigil\".\"sessions\" --";

    // Act
    await queries().exactPercentiles('benign', FROM, TO, 'duration_ms', [0.5]);
    await queries().exactPercentiles(evil, FROM, TO, 'duration_ms', [0.5]);

    // Assess
    const [benign, attacked] = sentSql().map((s) => skeleton(s.QueryString ?? ''));
    expect(attacked?.shape).toBe(benign?.shape);
    expect(attacked?.literals).toEqual(['event', evil]);
    expect(sentSql()[1]?.QueryString).toContain(`agent_id = 'x'' OR ''1''=''1'' UNION SELECT`);
  });

  it('refuses control characters, bad quantiles, bad durations and unknown measures before querying', async () => {
    // Prepare
    const q = queries();

    // Act
    const attempts = await Promise.allSettled([
      q.exactPercentiles('a\u0000b', FROM, TO, 'duration_ms', [0.5]),
      q.exactPercentiles('a', FROM, TO, 'duration_ms', [1.5]),
      q.exactPercentiles('a', FROM, TO, 'duration_ms', []),
      q.exactPercentiles('a', { ago: '1h; DROP' as '1h' }, null, 'duration_ms', [0.5]),
      q.exactPercentiles('a', FROM, TO, 'duration_ms', [0.5], { bin: '0m' }),
      q.exactPercentiles('a', 1.5, TO, 'duration_ms', [0.5]),
      q.exactPercentiles('a', FROM, TO, 'input_tokens) --' as 'cost_usd', [0.5]),
      q.exactPercentiles('a', FROM, TO, 'toString' as 'cost_usd', [0.5]),
    ]);

    // Assess
    for (const attempt of attempts) {
      expect(attempt.status).toBe('rejected');
      expect((attempt as PromiseRejectedResult).reason).toMatchObject({ kind: 'validation' });
    }
    expect(sentSql()).toHaveLength(0);
  });

  it('turns a failed query into DomainError unavailable', async () => {
    // Prepare
    const cause = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    queryMock.on(QueryCommand).rejects(cause);

    // Act
    const error = await queries()
      .exactPercentiles('a', FROM, TO, 'duration_ms', [0.5])
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'unavailable', cause });
  });

  it('stops a query that never stops paging', async () => {
    // Prepare
    queryMock
      .on(QueryCommand)
      .resolves({ QueryId: 'q', NextToken: 'again', ColumnInfo: binnedColumns, Rows: [] });
    const q = new TimestreamQueries({
      client: new TimestreamQueryClient({ region: 'us-east-1' }),
      database: 'vigil',
      eventsTable: 'events',
      sessionsTable: 'sessions',
      maxPages: 3,
    });

    // Act
    const error = await q.exactPercentiles('a', FROM, TO, 'duration_ms', [0.5]).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ kind: 'unavailable' });
    expect(sentSql()).toHaveLength(3);
  });
});

describe('TimestreamQueries.sessionCostPercentiles', () => {
  beforeEach(() => {
    queryMock.reset();
  });

  it('queries cost_usd of session records', async () => {
    // Prepare
    queryMock.on(QueryCommand).resolves({
      QueryId: 'q',
      ColumnInfo: [
        { Name: 'n', Type: { ScalarType: 'BIGINT' } },
        { Name: 'q0', Type: { ScalarType: 'DOUBLE' } },
      ],
      Rows: [{ Data: [{ ScalarValue: '12' }, { ScalarValue: '0.042' }] }],
    });

    // Act
    const rows = await queries().sessionCostPercentiles('agent-1', FROM, TO, [0.9]);

    // Assess
    expect(sentSql()[0]?.QueryString).toBe(
      [
        'SELECT count("cost_usd") AS n, approx_percentile("cost_usd", 0.9) AS q0',
        'FROM "vigil"."sessions"',
        `WHERE measure_name = 'session' AND agent_id = 'agent-1' AND time >= from_milliseconds(${FROM}) AND time < from_milliseconds(${TO}) AND "cost_usd" IS NOT NULL`,
      ].join('\n'),
    );
    expect(rows).toEqual([{ binStart: null, count: 12, values: [{ quantile: 0.9, value: 0.042 }] }]);
  });
});

describe('parseQueryRows', () => {
  it('parses scalars, nulls, arrays, rows and time series by their column types', () => {
    // Prepare
    const columns: ColumnInfo[] = [
      { Name: 'agent_id', Type: { ScalarType: 'VARCHAR' } },
      { Name: 'is_error', Type: { ScalarType: 'BOOLEAN' } },
      { Name: 'models', Type: { ArrayColumnInfo: { Type: { ScalarType: 'VARCHAR' } } } },
      {
        Name: 'stats',
        Type: {
          RowColumnInfo: [
            { Name: 'n', Type: { ScalarType: 'INTEGER' } },
            { Name: 'p', Type: { ScalarType: 'DOUBLE' } },
          ],
        },
      },
      { Name: 'series', Type: { TimeSeriesMeasureValueColumnInfo: { Type: { ScalarType: 'DOUBLE' } } } },
      { Name: 'day', Type: { ScalarType: 'DATE' } },
    ];
    const rows = [
      {
        Data: [
          { ScalarValue: 'agent-1' },
          { ScalarValue: 'true' },
          { ArrayValue: [{ ScalarValue: 'gpt-4o' }, { NullValue: true }] },
          { RowValue: { Data: [{ ScalarValue: '3' }, { ScalarValue: '1.5' }] } },
          { TimeSeriesValue: [{ Time: '2026-01-05 10:00:00.123456789', Value: { ScalarValue: '2.5' } }] },
          { ScalarValue: '2026-01-05' },
        ],
      },
      {
        Data: [
          { NullValue: true },
          { NullValue: true },
          { NullValue: true },
          { NullValue: true },
          { NullValue: true },
          { NullValue: true },
        ],
      },
    ];

    // Act
    const parsed = parseQueryRows(columns, rows);

    // Assess
    expect(parsed).toEqual([
      {
        agent_id: 'agent-1',
        is_error: true,
        models: ['gpt-4o', null],
        stats: { n: 3, p: 1.5 },
        series: [{ time: Date.UTC(2026, 0, 5, 10, 0, 0, 123), value: 2.5 }],
        day: '2026-01-05',
      },
      { agent_id: null, is_error: null, models: null, stats: null, series: null, day: null },
    ]);
  });

  it('parses Timestream timestamps with and without fractions', () => {
    expect(parseTimestamp('2026-01-05 10:11:13.010000000')).toBe(Date.UTC(2026, 0, 5, 10, 11, 13, 10));
    expect(parseTimestamp('2026-01-05 10:11:13')).toBe(Date.UTC(2026, 0, 5, 10, 11, 13));
    expect(parseTimestamp('not a time')).toBe('not a time');
  });
});

describe('sqlString', () => {
  it('doubles quotes and leaves backslashes alone (no backslash escapes in Timestream SQL)', () => {
    expect(sqlString("it's")).toBe("'it''s'");
    expect(sqlString('a\\')).toBe("'a\\'");
  });
});
