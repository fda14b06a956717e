import { resolve } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, SCHEDULED_JOBS, scheduledJobs } from '../../infra/config/functions';
import { actionsOf, envOf, type Synthesized, statementsOf, synthVigil } from './support';

describe('scheduled jobs list', () => {
  it('always has the reconcile job and adds baseline/anomaly only once their handler files exist', () => {
    // Prepare
    const none = () => false;
    const all = () => true;
    // Act / Assess
    expect(scheduledJobs(none).map((j) => j.id)).toEqual(['Reconcile']);
    expect(scheduledJobs(all).map((j) => j.id)).toEqual(['Reconcile', 'Baseline', 'Anomaly']);
    const seen: string[] = [];
    scheduledJobs((p) => {
      seen.push(p);
      return false;
    });
    expect(seen).toEqual([
      resolve(REPO_ROOT, 'lambdas/handlers/baseline-job.ts'),
      resolve(REPO_ROOT, 'lambdas/handlers/anomaly-job.ts'),
    ]);
  });

  it('keeps every timeout below its period so runs never overlap', () => {
    const periodSeconds = (expr: string) => {
      const m = /^rate\((\d+) minutes?\)$/.exec(expr);
      return m ? Number(m[1]) * 60 : 86_400;
    };
    for (const job of SCHEDULED_JOBS) expect(job.timeoutSeconds).toBeLessThan(periodSeconds(job.schedule));
  });
});

describe('jobs stack', () => {
  let vigil: Synthesized;
  beforeAll(() => {
    vigil = synthVigil({ alertEmail: 'oncall@example.com' });
  });

  it('runs the reconcile job every minute through EventBridge Scheduler, with retries and a DLQ', () => {
    const t = vigil.template('jobs');
    t.resourceCountIs('AWS::Scheduler::Schedule', 1);
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReconcileFunction'), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JobsDeadLetterQueue'), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
        RoleArn: Match.anyValue(),
      },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 55,
      DeadLetterConfig: {
        TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JobsDeadLetterQueue'), 'Arn'] },
      },
    });
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 1 });
  });

  it('grants the reconcile job the worker actions and nothing else', () => {
    const statements = statementsOf(vigil.template('jobs'), 'Reconcile');
    expect(actionsOf(statements)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'sqs:SendMessage',
    ]);
    expect(envOf(vigil.template('jobs'), 'Reconcile')).not.toHaveProperty('VIGIL_ALERT_TOPIC_ARN');
  });

  it('lets the scheduler invoke only its job function', () => {
    const policies = vigil.template('jobs').findResources('AWS::IAM::Policy');
    const scheduler = Object.entries(policies).find(([id]) => id.startsWith('ReconcileSchedulerRole'))![1];
    const statements = scheduler.Properties.PolicyDocument.Statement;
    expect(actionsOf(statements)).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
    vigil.template('jobs').hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
  });

  it('keeps failed runs 14 days in an encrypted, TLS-only dead-letter queue', () => {
    const t = vigil.template('jobs');
    t.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    t.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('creates the alert topic with the email subscription from context', () => {
    const t = vigil.template('jobs');
    t.resourceCountIs('AWS::SNS::Topic', 1);
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    expect(t.toJSON().Outputs).toHaveProperty('AlertTopicArn');
  });

  it('subscribes nobody without an alert email', () => {
    synthVigil({}, { nag: false }).template('jobs').resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('jobs stack with the baseline and anomaly jobs present', () => {
  let vigil: Synthesized;
  beforeAll(() => {
    vigil = synthVigil({}, { jobs: SCHEDULED_JOBS });
  });

  it('schedules baseline daily and anomaly every 5 minutes', () => {
    const schedules = Object.values(vigil.template('jobs').findResources('AWS::Scheduler::Schedule')).map(
      (s) => s.Properties.ScheduleExpression,
    );
    expect(schedules.sort()).toEqual(['cron(15 0 * * ? *)', 'rate(1 minute)', 'rate(5 minutes)']);
  });

  it('gives only the anomaly job the alert topic: its ARN in VIGIL_ALERT_TOPIC_ARN and sns:Publish', () => {
    const t = vigil.template('jobs');
    expect(envOf(t, 'Anomaly').VIGIL_ALERT_TOPIC_ARN).toEqual({ Ref: expect.stringMatching(/^AlertTopic/) });
    expect(actionsOf(statementsOf(t, 'Anomaly'))).toContain('sns:Publish');
    expect(actionsOf(statementsOf(t, 'Baseline'))).not.toContain('sns:Publish');
    expect(envOf(t, 'Baseline')).not.toHaveProperty('VIGIL_ALERT_TOPIC_ARN');
  });

  it('alarms on each job', () => {
    const alarms = Object.keys(vigil.template('monitoring').findResources('AWS::CloudWatch::Alarm'));
    for (const job of ['Baseline', 'Anomaly', 'Reconcile']) {
      expect(alarms.some((a) => a.startsWith(`${job}Errors`))).toBe(true);
      expect(alarms.some((a) => a.startsWith(`${job}Throttles`))).toBe(true);
    }
  });
});
