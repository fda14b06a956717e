import { Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SCHEDULED_JOBS } from '../../infra/config/functions';
import { type Synthesized, synthVigil } from './support';

/** Every acknowledgement in the tree: where, which rule (finding detail cut off), why. */
function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  const out: Array<{ path: string; id: string; reason: string }> = [];
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
    }
  }
  return out;
}

const EVERYTHING_ON = {
  timestream: 'true',
  alertEmail: 'oncall@example.com',
  dashboardDomain: 'vigil.example.com',
  dashboardCertificateArn:
    'arn:aws:acm:us-east-1:123456789012:certificate/0f0f0f0f-1111-2222-3333-444455556666',
  apiDomain: 'api.vigil.example.com',
  apiCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0f0f0f0f-1111-2222-3333-444455556666',
  requireMfa: 'true',
};

describe('cdk-nag AwsSolutions', () => {
  let plain: Synthesized;
  let everything: Synthesized;
  beforeAll(() => {
    plain = synthVigil();
    everything = synthVigil(EVERYTHING_ON, { jobs: SCHEDULED_JOBS });
  });

  it('passes the default deployment with no unacknowledged finding', () => {
    // Act / Assess: a finding (error or warning) makes synth throw ValidationFailed
    expect(() => plain.app.synth()).not.toThrow();
  });

  it('passes with every option on: Timestream, alert email, custom domains, MFA, all jobs', () => {
    expect(() => everything.app.synth()).not.toThrow();
  });

  it('fails synthesis on a finding nobody acknowledged (the checks really run here)', () => {
    // Prepare: a queue without a dead-letter queue, TLS enforcement or a reason
    const { app, stacks } = synthVigil();
    new sqs.Queue(stacks.jobs, 'Unreviewed');
    // Act / Assess
    expect(() => app.synth()).toThrow(/validation/i);
  });

  it('acknowledges only these rules, each on a resource (never a stack), each with a real reason', () => {
    // Act
    everything.app.synth();
    const acks = acknowledgements(everything.app);
    // Assess
    const rules = [...new Set(acks.map((a) => a.id.replace(/\[.*$/, '')))].sort();
    expect(rules).toEqual(
      [
        'AwsSolutions-APIG4',
        'AwsSolutions-CFR1',
        'AwsSolutions-CFR2',
        'AwsSolutions-CFR3',
        'AwsSolutions-COG3',
        'AwsSolutions-COG8',
        'AwsSolutions-IAM4',
        'AwsSolutions-IAM5',
        'AwsSolutions-L1',
        'AwsSolutions-S1',
        'AwsSolutions-SNS2',
        'AwsSolutions-SQS3',
        'AwsSolutions-TS3',
        'CloudFormation-Validate::W3697',
      ].sort(),
    );
    for (const a of acks) {
      expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThanOrEqual(80);
      const stackPath = a.path.split('/')[0]!;
      expect(a.path, 'acknowledged on a whole stack').not.toBe(stackPath);
    }
  });

  it('acknowledges each IAM wildcard finding by its exact resource, not the whole rule', () => {
    everything.app.synth();
    const iam5 = acknowledgements(everything.app).filter((a) => a.id.startsWith('AwsSolutions-IAM5'));
    expect(iam5.every((a) => /^AwsSolutions-IAM5\[(Resource|Action)::.+\]$/.test(a.id))).toBe(true);
    const resources = new Set(iam5.map((a) => a.id));
    expect(resources).toContain('AwsSolutions-IAM5[Resource::*]');
    expect([...resources].some((r) => r.endsWith('/payloads/*]'))).toBe(true);
  });

  it('acknowledges CFR4 (viewer TLS) only with the default CloudFront certificate', () => {
    plain.app.synth();
    everything.app.synth();
    expect(acknowledgements(plain.app).some((a) => a.id === 'AwsSolutions-CFR4')).toBe(true);
    expect(acknowledgements(everything.app).some((a) => a.id === 'AwsSolutions-CFR4')).toBe(false);
  });

  it('acknowledges COG2 (MFA) only while MFA is optional', () => {
    expect(acknowledgements(plain.app).some((a) => a.id === 'AwsSolutions-COG2')).toBe(true);
    expect(acknowledgements(everything.app).some((a) => a.id === 'AwsSolutions-COG2')).toBe(false);
  });
});
