import { beforeAll, describe, expect, it } from 'vitest';
import { type Synthesized, synthVigil } from './support';

describe('monitoring stack', () => {
  let vigil: Synthesized;
  beforeAll(() => {
    vigil = synthVigil();
  });

  const alarms = () =>
    Object.entries(vigil.template('monitoring').findResources('AWS::CloudWatch::Alarm')).map(([id, a]) => ({
      id,
      ...a.Properties,
    }));

  it('alarms on errors and throttles of every Lambda', () => {
    for (const fn of ['Ingest', 'Query', 'Admin', 'Alerts', 'Reconcile']) {
      for (const [suffix, metric] of [
        ['Errors', 'Errors'],
        ['Throttles', 'Throttles'],
      ]) {
        const a = alarms().find((x) => x.id.startsWith(`${fn}${suffix}`));
        expect(a, `${fn}${suffix}`).toMatchObject({
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Statistic: 'Sum',
          Period: 300,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        });
      }
    }
  });

  it('alarms on API 5xx answers of both APIs and on dead letters', () => {
    const api = alarms().filter((a) => a.MetricName === '5xx');
    expect(api.map((a) => [a.Namespace, a.Threshold]).sort()).toEqual([
      ['AWS/ApiGateway', 10],
      ['AWS/ApiGateway', 5],
    ]);
    const dlq = alarms().find((a) => a.id.startsWith('JobsDeadLetters'));
    expect(dlq).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Threshold: 1,
    });
  });

  it('notifies the alert topic when an alarm fires and when it clears', () => {
    for (const a of alarms()) {
      expect(JSON.stringify(a.AlarmActions)).toContain('Vigil-prod-Jobs');
      expect(JSON.stringify(a.OKActions)).toContain('Vigil-prod-Jobs');
    }
    expect(alarms()).toHaveLength(13);
  });

  it('draws one CloudWatch dashboard', () => {
    const t = vigil.template('monitoring');
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    t.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Vigil-prod' });
  });
});
