import { describe, expect, it } from 'vitest';
import * as Q from '../../contracts/query-api';
import * as F from './fixtures';

describe('test fixtures', () => {
  it('match the query API response schemas, so screen tests exercise real shapes', () => {
    const checks: Array<[{ safeParse: (v: unknown) => { success: boolean; error?: unknown } }, unknown]> = [
      [Q.agentsSummaryResponse, F.agentsSummary()],
      [Q.overviewResponse, F.overview()],
      [Q.costSeriesResponse, F.costSeries()],
      [Q.costSeriesResponse, F.monthSeries()],
      [Q.percentilesResponse, F.percentiles()],
      [Q.percentilesResponse, F.percentiles(false)],
      [Q.topSessionsResponse, F.topSessions()],
      [Q.costModelsResponse, F.costModels('gpt-4o-mini')],
      [Q.pricesResponse, F.prices()],
      [Q.breakdownResponse, F.breakdownByModel()],
      [Q.breakdownResponse, F.breakdownByExperiment()],
      [Q.sessionListResponse, F.sessionList()],
      [Q.errorSeriesResponse, F.errorSeries()],
      [Q.errorGroupsResponse, F.errorGroups()],
      [Q.latencyResponse, F.latency()],
      [Q.qualityResponse, F.quality()],
      [Q.compareResponse, F.compare()],
      [Q.sessionDetailResponse, F.sessionDetail()],
    ];
    for (const [schema, value] of checks) {
      const r = schema.safeParse(value);
      expect(r.success, JSON.stringify(r.error)).toBe(true);
    }
  });
});
