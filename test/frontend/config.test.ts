import { describe, expect, it } from 'vitest';
import { ConfigError, cognitoAuth, loadConfig, parseConfig } from '../../frontend/src/app/config';

describe('parseConfig', () => {
  it('reads the local config', () => {
    expect(parseConfig({ apiBaseUrl: '', mode: 'local' })).toEqual({
      apiBaseUrl: '',
      mode: 'local',
      auth: { type: 'api-key' },
    });
  });

  const cognito = {
    type: 'cognito',
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_Ab12Cd34E',
    userPoolClientId: '4k1b2c3d4e5f6g7h8i9j0klmno',
    apiBaseUrl: 'https://jwt.example.com/',
    apiKeyFallback: true,
  };

  it('reads the AWS config the dashboard stack writes and strips trailing slashes', () => {
    const c = parseConfig({
      apiBaseUrl: 'https://api.example.com/',
      mode: 'aws',
      stage: 'prod',
      auth: cognito,
    });
    expect(c.apiBaseUrl).toBe('https://api.example.com');
    expect(c.mode).toBe('aws');
    expect(c.auth).toEqual({ ...cognito, apiBaseUrl: 'https://jwt.example.com' });
    expect(cognitoAuth(c)).toEqual(c.auth);
    expect(cognitoAuth(parseConfig({ apiBaseUrl: '' }))).toBeNull();
  });

  it('names the Cognito setting that is missing or malformed', () => {
    const bad = (field: string, value: unknown) => () =>
      parseConfig({ auth: { ...cognito, [field]: value } });
    expect(bad('region', undefined)).toThrow('config.json: auth.region must be an AWS region');
    expect(bad('region', 'eu-west-1.evil.com/x')).toThrow(/auth\.region/);
    expect(bad('userPoolId', 'nope')).toThrow(/auth\.userPoolId/);
    expect(bad('userPoolClientId', '')).toThrow(/auth\.userPoolClientId/);
    expect(bad('apiBaseUrl', 'javascript:alert(1)')).toThrow(/auth\.apiBaseUrl/);
  });

  it('lets an unknown auth type fall back to API keys', () => {
    expect(cognitoAuth(parseConfig({ auth: { type: 'oidc' } }))).toBeNull();
    expect(parseConfig({ auth: { type: 'oidc' } }).auth.type).toBe('oidc');
  });

  it('rejects what cannot be an API location', () => {
    expect(() => parseConfig({ apiBaseUrl: 'javascript:alert(1)' })).toThrow(ConfigError);
    expect(() => parseConfig({ mode: 'cloud' })).toThrow(ConfigError);
    expect(() => parseConfig([])).toThrow(ConfigError);
  });
});

describe('loadConfig', () => {
  it('falls back to same-origin local settings when config.json is absent', async () => {
    const fetch404 = (async () => new Response('nope', { status: 404 })) as typeof fetch;
    expect(await loadConfig(fetch404)).toMatchObject({ apiBaseUrl: '', mode: 'local' });
  });

  it('fails clearly on a broken file', async () => {
    const fetchBad = (async () => new Response('{', { status: 200 })) as typeof fetch;
    await expect(loadConfig(fetchBad)).rejects.toThrow(/not valid JSON/);
  });
});
