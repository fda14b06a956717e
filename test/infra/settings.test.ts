import { describe, expect, it } from 'vitest';
import { SettingsError, settingsFromContext } from '../../infra/config/settings';

const from = (ctx: Record<string, unknown>) => settingsFromContext((k) => ctx[k]);

describe('settings from context', () => {
  it('defaults to a production deployment without Timestream', () => {
    expect(from({})).toEqual({
      stage: 'prod',
      stackPrefix: 'Vigil-prod',
      retentionDays: 90,
      eventRetentionDays: 30,
      alertEmail: undefined,
      timestream: { enabled: false, memoryRetentionHours: 24 },
      corsOrigins: ['*'],
      dashboardDomain: undefined,
      apiDomain: undefined,
      logLevel: 'INFO',
      logRetentionDays: 30,
      requireMfa: false,
      ingestThrottle: { rateLimit: 500, burstLimit: 1000 },
      dashboardThrottle: { rateLimit: 50, burstLimit: 100 },
      tagValueCap: 50,
      tableCapacity: { mode: 'on-demand' },
    });
  });

  it('reads -c strings and cdk.json values alike', () => {
    // Prepare
    const cli = from({
      timestream: 'true',
      retentionDays: '30',
      corsOrigins: 'https://a.example, https://b.example',
    });
    const json = from({
      timestream: true,
      retentionDays: 30,
      corsOrigins: ['https://a.example', 'https://b.example'],
    });
    // Assess
    expect(cli).toEqual(json);
    expect(cli.timestream.enabled).toBe(true);
    expect(cli.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(from({ timestream: 'false' }).timestream.enabled).toBe(false);
  });

  it('names the context key and the rule it broke', () => {
    expect(() => from({ timestream: 'maybe' })).toThrow(SettingsError);
    expect(() => from({ retentionDays: '0' })).toThrow(/context "retentionDays"/);
    expect(() => from({ alertEmail: 'not-an-email' })).toThrow(/context "alertEmail"/);
    expect(() => from({ stage: 'Prod_1' })).toThrow(/context "stage": must be lowercase/);
    expect(() => from({ logRetentionDays: '8' })).toThrow(/context "logRetentionDays": must be one of/);
  });

  it('keeps event detail 30 days by default, never longer than sessions', () => {
    expect(from({ retentionDays: '14' }).eventRetentionDays).toBe(14);
    expect(from({ retentionDays: '365', eventRetentionDays: '90' })).toMatchObject({
      retentionDays: 365,
      eventRetentionDays: 90,
    });
    expect(() => from({ retentionDays: '30', eventRetentionDays: '60' })).toThrow(
      /context "eventRetentionDays": must be at most retentionDays/,
    );
  });

  it('reads the table capacity mode and its maxima', () => {
    expect(from({ tableCapacity: 'provisioned', tableMaxReadCapacity: '50' }).tableCapacity).toEqual({
      mode: 'provisioned',
      maxWriteCapacity: 200,
      maxReadCapacity: 50,
    });
    expect(() => from({ tableCapacity: 'reserved' })).toThrow(/context "tableCapacity"/);
    expect(() => from({ tableCapacity: 'provisioned', tableMaxWriteCapacity: '2' })).toThrow(
      /context "tableMaxWriteCapacity"/,
    );
  });

  it('requires a certificate with a custom domain, and a us-east-1 one for CloudFront', () => {
    expect(() => from({ dashboardDomain: 'vigil.example.com' })).toThrow(/dashboardCertificateArn/);
    expect(() =>
      from({
        dashboardDomain: 'vigil.example.com',
        dashboardCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
      }),
    ).toThrow(/us-east-1/);
    expect(() => from({ apiDomain: 'api.example.com' })).toThrow(/apiCertificateArn/);
  });

  it('defaults CORS to the dashboard domain when there is one', () => {
    const s = from({
      dashboardDomain: 'vigil.example.com',
      dashboardCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
    });
    expect(s.corsOrigins).toEqual(['https://vigil.example.com']);
    expect(s.dashboardDomain).toEqual({
      domainName: 'vigil.example.com',
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
    });
  });
});
