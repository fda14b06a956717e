import { describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  ContractError,
  createApiClient,
  toQueryString,
  UnauthorizedError,
} from '../../frontend/src/lib/api-client';
import * as F from './fixtures';

function fakeFetch(respond: (url: URL, init: RequestInit | undefined) => Response) {
  const calls: Array<{ url: URL; init: RequestInit | undefined }> = [];
  const fn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://vigil.test');
    calls.push({ url, init });
    return respond(url, init);
  }) as typeof fetch;
  return { fn, calls };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('toQueryString', () => {
  it('sorts keys and drops empty values', () => {
    expect(toQueryString({ range: '7d', tag: undefined, model: '', b: 1, a: null })).toBe('?b=1&range=7d');
    expect(toQueryString({})).toBe('');
  });
});

describe('createApiClient', () => {
  it('sends the key as Api-Key and builds the path and query from the base URL', async () => {
    const f = fakeFetch(() => json(F.overview()));
    const client = createApiClient({
      baseUrl: 'https://api.example.com',
      getKey: () => 'vgl_k',
      fetch: f.fn,
    });
    const o = await client.overview('support bot', { range: '30d', tag: 'tier:pro' });
    expect(o.kpis.sessions.value).toBe(322);
    const { url, init } = f.calls[0]!;
    expect(url.href).toBe(
      'https://api.example.com/api/agents/support%20bot/overview?range=30d&tag=tier%3Apro',
    );
    expect((init!.headers as Record<string, string>).authorization).toBe('Api-Key vgl_k');
  });

  it('asks for a key (onUnauthorized) on a 401 and when it has none', async () => {
    const onUnauthorized = vi.fn();
    const f = fakeFetch(() => json({ error: 'auth', detail: 'invalid API key' }, 401));
    const client = createApiClient({ baseUrl: '', getKey: () => 'bad', fetch: f.fn, onUnauthorized });
    await expect(client.agentsSummary({ range: '24h' })).rejects.toBeInstanceOf(UnauthorizedError);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    const keyless = createApiClient({ baseUrl: '', getKey: () => null, fetch: f.fn, onUnauthorized });
    await expect(keyless.prices()).rejects.toBeInstanceOf(UnauthorizedError);
    expect(onUnauthorized).toHaveBeenCalledTimes(2);
    expect(f.calls).toHaveLength(1);
  });

  it('turns an error answer into an ApiError naming the field', async () => {
    const f = fakeFetch(() =>
      json({ error: 'validation', field: 'model', detail: 'model: cannot be combined with tag' }, 400),
    );
    const client = createApiClient({ baseUrl: '', getKey: () => 'k', fetch: f.fn });
    const err = await client.overview('a', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 400,
      kind: 'validation',
      field: 'model',
      message: 'model: cannot be combined with tag',
    });
  });

  it('reports an unreachable API as a network error', async () => {
    const client = createApiClient({
      baseUrl: '',
      getKey: () => 'k',
      fetch: (async () => {
        throw new TypeError('fetch failed');
      }) as typeof fetch,
    });
    await expect(client.prices()).rejects.toMatchObject({ status: 0, kind: 'network' });
  });

  it('checks answers against the contract in dev and tests', async () => {
    const broken = { ...F.overview(), kpis: { sessions: 'many' } };
    const f = fakeFetch(() => json(broken));
    await expect(
      createApiClient({ baseUrl: '', getKey: () => 'k', fetch: f.fn }).overview('a', {}),
    ).rejects.toBeInstanceOf(ContractError);
    const lax = createApiClient({ baseUrl: '', getKey: () => 'k', fetch: f.fn, validate: false });
    await expect(lax.overview('a', {})).resolves.toMatchObject({ kpis: { sessions: 'many' } });
  });

  it("downloads exports with the server's file name", async () => {
    const f = fakeFetch(
      () =>
        new Response('event_id,type\n', {
          headers: {
            'content-type': 'text/csv',
            'content-disposition': 'attachment; filename="s-1-events.csv"',
          },
        }),
    );
    const client = createApiClient({ baseUrl: '', getKey: () => 'k', fetch: f.fn });
    const d = await client.exportSession('a', 's-1', 'csv');
    expect(d.filename).toBe('s-1-events.csv');
    expect(await d.blob.text()).toBe('event_id,type\n');
    expect(f.calls[0]!.url.pathname).toBe('/api/agents/a/sessions/s-1/export');
    expect(f.calls[0]!.url.search).toBe('?format=csv');
  });

  it('names a JSON export after the session when the server gives no file name', async () => {
    const f = fakeFetch(() => json(F.sessionDetail()));
    const d = await createApiClient({ baseUrl: '', getKey: () => 'k', fetch: f.fn }).exportSession(
      'a',
      's-1',
      'json',
    );
    expect(d.filename).toBe('s-1.json');
  });
});
