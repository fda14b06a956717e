import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../frontend/src/app/config';

describe('parseConfig', () => {
  it('reads the local config', () => {
    expect(parseConfig({ apiBaseUrl: '', mode: 'local' })).toEqual({
      apiBaseUrl: '',
      mode: 'local',
      auth: { type: 'api-key' },
    });
  });

  it('reads an AWS config with auth settings and strips the trailing slash', () => {
    const c = parseConfig({
      apiBaseUrl: 'https://api.example.com/',
      mode: 'aws',
      auth: { type: 'cognito', userPoolId: 'x' },
      extra: 1,
    });
    expect(c.apiBaseUrl).toBe('https://api.example.com');
    expect(c.mode).toBe('aws');
    expect(c.auth).toMatchObject({ type: 'cognito', userPoolId: 'x' });
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
