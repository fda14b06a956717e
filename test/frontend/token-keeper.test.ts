// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import type { CognitoClient } from '../../frontend/src/features/sign-in/lib/cognito';
import { createTokenKeeper } from '../../frontend/src/features/sign-in/lib/session';
import { createApiClient } from '../../frontend/src/lib/api-client';
import {
  clearJwtSession,
  getJwtSession,
  type JwtSession,
  setJwtSession,
} from '../../frontend/src/lib/auth-store';

const NOW = Date.UTC(2026, 11, 5, 12);

/** A Cognito client whose refresh hands out token `id-<n>`, counting the refreshes. */
function counting() {
  let n = 0;
  const client = {
    refresh: async (refreshToken: string): Promise<JwtSession> => {
      n++;
      return { idToken: `id-${n}`, accessToken: `at-${n}`, refreshToken, expiresAt: NOW + 3_600_000 };
    },
  } as unknown as CognitoClient;
  return { client, refreshes: () => n };
}

describe('token keeper after a 401', () => {
  afterEach(() => clearJwtSession(null));

  it('refreshes for the token a request was refused with, not again for one already replaced', async () => {
    // Prepare
    setJwtSession({ idToken: 'id-0', accessToken: 'at-0', refreshToken: 'rt', expiresAt: NOW + 3_600_000 });
    const cognito = counting();
    const keeper = createTokenKeeper(cognito.client, () => NOW);
    // Act
    const first = await keeper.renew('Bearer id-0');
    const late = await keeper.renew('Bearer id-0');
    const again = await keeper.renew('Bearer id-1');
    // Assess
    expect([first, late, again]).toEqual([true, true, true]);
    expect(cognito.refreshes()).toBe(2);
    expect(getJwtSession()?.idToken).toBe('id-2');
  });

  it('requests refused at once, answered one after the other, share one refresh and each retry once', async () => {
    // Prepare: the API refuses id-0; two requests leave with it, their 401s arrive one by one.
    setJwtSession({ idToken: 'id-0', accessToken: 'at-0', refreshToken: 'rt', expiresAt: NOW + 3_600_000 });
    const cognito = counting();
    const keeper = createTokenKeeper(cognito.client, () => NOW);
    const seen: string[] = [];
    const gates: Array<() => void> = [];
    const api = createApiClient({
      baseUrl: 'https://api.example',
      getAuthorization: () => keeper.authorization(),
      renew: (refused) => keeper.renew(refused),
      validate: false,
      fetch: async (_url, init) => {
        const auth = String((init?.headers as Record<string, string> | undefined)?.authorization);
        seen.push(auth);
        if (auth === 'Bearer id-0') {
          await new Promise<void>((resolve) => gates.push(resolve));
          return new Response('{"message":"Unauthorized"}', { status: 401 });
        }
        return new Response('{"agents":[]}', {
          status: 200,
          headers: { 'content-type': 'application/json' },
        });
      },
    });
    // Act
    const a = api.agents();
    const b = api.agents();
    await new Promise((r) => setTimeout(r, 0));
    gates.shift()!();
    await a;
    gates.shift()!();
    await b;
    // Assess
    expect(cognito.refreshes()).toBe(1);
    expect(seen).toEqual(['Bearer id-0', 'Bearer id-0', 'Bearer id-1', 'Bearer id-1']);
  });
});
