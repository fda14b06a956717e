// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../frontend/src/app/app';
import type { AppConfig } from '../../frontend/src/app/config';
import {
  clearApiKey,
  clearJwtSession,
  getJwtSession,
  setAuthMethod,
  setJwtSession,
} from '../../frontend/src/lib/auth-store';
import { clearApiCache } from '../../frontend/src/lib/use-api';
import { fakeApi, json } from './fake-api';

/**
 * The dashboard signing users in with the deployment's Cognito user pool, against a fake Cognito
 * endpoint that speaks the real wire format (x-amz-json-1.1, X-Amz-Target, AuthenticationResult,
 * challenges, `__type` errors) and fake public (API key) and dashboard (JWT) APIs.
 */

const REGION = 'eu-west-1';
const CLIENT_ID = '4k1b2c3d4e5f6g7h8i9j0klmno';
const COGNITO_URL = `https://cognito-idp.${REGION}.amazonaws.com/`;
const PUBLIC_API = 'https://pub.execute-api.eu-west-1.amazonaws.com';
const JWT_API = 'https://jwt.execute-api.eu-west-1.amazonaws.com';
const CONFIG: AppConfig = {
  apiBaseUrl: PUBLIC_API,
  mode: 'aws',
  auth: {
    type: 'cognito',
    region: REGION,
    userPoolId: `${REGION}_Ab12Cd34E`,
    userPoolClientId: CLIENT_ID,
    apiBaseUrl: JWT_API,
    apiKeyFallback: true,
  },
};
const EMAIL = 'ops@example.com';
const PASSWORD = 'Correct-Horse-9';
const TEMP_PASSWORD = 'Temp-Pass-0000';
const NEW_PASSWORD = 'Brand-New-Pass-42!';
const API_KEY = 'vgl_fallback_key';

const b64url = (o: unknown) =>
  btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');

interface CognitoCall {
  url: string;
  target: string | null;
  contentType: string | null;
  body: Record<string, unknown>;
}

/** A fake user pool plus both APIs; every request is recorded. */
function world(opts: { temporary?: boolean; mfa?: 'totp' | 'setup' } = {}) {
  let clock = Date.parse('2026-12-01T10:00:00Z');
  let serial = 0;
  let temporary = opts.temporary ?? false;
  const validIdTokens = new Set<string>();
  const validRefresh = new Set<string>();
  const cognitoCalls: CognitoCall[] = [];
  const apiCalls: Array<{ url: URL; authorization: string | null }> = [];
  const data = fakeApi();
  let refuseAll = false;

  const issue = (withRefresh: boolean) => {
    serial += 1;
    const claims = {
      sub: '7f1e2d3c-0000-4000-8000-000000000001',
      'cognito:groups': ['vigil-admins'],
      email: EMAIL,
      aud: CLIENT_ID,
      token_use: 'id',
      iss: `https://cognito-idp.${REGION}.amazonaws.com/${REGION}_Ab12Cd34E`,
      exp: Math.floor(clock / 1000) + 3600,
      n: serial,
    };
    const idToken = `${b64url({ alg: 'RS256', kid: 'k1' })}.${b64url(claims)}.sig${serial}`;
    validIdTokens.add(idToken);
    const result: Record<string, unknown> = {
      AccessToken: `${b64url({ alg: 'RS256' })}.${b64url({ ...claims, token_use: 'access', client_id: CLIENT_ID })}.acc${serial}`,
      ExpiresIn: 3600,
      IdToken: idToken,
      TokenType: 'Bearer',
    };
    if (withRefresh) {
      const refresh = `eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.refresh-${serial}`;
      validRefresh.add(refresh);
      result.RefreshToken = refresh;
    }
    return { AuthenticationResult: result, ChallengeParameters: {} };
  };
  const error = (type: string, message: string) =>
    new Response(JSON.stringify({ __type: type, message }), {
      status: 400,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': `${type}:` },
    });

  function cognito(call: CognitoCall): Response {
    const b = call.body as {
      AuthFlow?: string;
      AuthParameters?: Record<string, string>;
      ChallengeResponses?: Record<string, string>;
      Session?: string;
      Token?: string;
    };
    if (
      call.target === 'AWSCognitoIdentityProviderService.InitiateAuth' &&
      b.AuthFlow === 'USER_PASSWORD_AUTH'
    ) {
      const p = b.AuthParameters ?? {};
      if (temporary) {
        if (p.PASSWORD !== TEMP_PASSWORD)
          return error('NotAuthorizedException', 'Incorrect username or password.');
        return json({
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          ChallengeParameters: {
            USER_ID_FOR_SRP: '7f1e2d3c',
            requiredAttributes: '[]',
            userAttributes: JSON.stringify({ email_verified: 'true', email: EMAIL }),
          },
          Session: 'AYABeC-session-1',
        });
      }
      if (p.USERNAME !== EMAIL || p.PASSWORD !== PASSWORD)
        return error('NotAuthorizedException', 'Incorrect username or password.');
      if (opts.mfa === 'totp')
        return json({
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          ChallengeParameters: {},
          Session: 'AYABeC-mfa-1',
        });
      if (opts.mfa === 'setup')
        return json({
          ChallengeName: 'MFA_SETUP',
          ChallengeParameters: { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' },
          Session: 'AYABeC-setup-1',
        });
      return json(issue(true));
    }
    if (
      call.target === 'AWSCognitoIdentityProviderService.InitiateAuth' &&
      b.AuthFlow === 'REFRESH_TOKEN_AUTH'
    ) {
      if (!validRefresh.has(b.AuthParameters?.REFRESH_TOKEN ?? ''))
        return error('NotAuthorizedException', 'Refresh Token has expired');
      return json(issue(false));
    }
    if (
      call.target === 'AWSCognitoIdentityProviderService.RespondToAuthChallenge' &&
      (call.body as { ChallengeName?: string }).ChallengeName === 'SOFTWARE_TOKEN_MFA'
    ) {
      if (b.Session !== 'AYABeC-mfa-1')
        return error('NotAuthorizedException', 'Invalid session for the user.');
      if (b.ChallengeResponses?.SOFTWARE_TOKEN_MFA_CODE !== '123456')
        return error('CodeMismatchException', 'Invalid code received for user');
      return json(issue(true));
    }
    if (call.target === 'AWSCognitoIdentityProviderService.RespondToAuthChallenge') {
      if (b.Session !== 'AYABeC-session-1')
        return error('NotAuthorizedException', 'Invalid session for the user, session is expired.');
      if ((b.ChallengeResponses?.NEW_PASSWORD ?? '').length < 12)
        return error(
          'InvalidPasswordException',
          'Password does not conform to policy: Password not long enough',
        );
      temporary = false;
      return json(issue(true));
    }
    if (call.target === 'AWSCognitoIdentityProviderService.RevokeToken') {
      validRefresh.delete(b.Token ?? '');
      return json({});
    }
    return error('UnknownOperationException', '');
  }

  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    if (url.startsWith('https://cognito-idp.')) {
      const call = {
        url,
        target: headers.get('x-amz-target'),
        contentType: headers.get('content-type'),
        body: JSON.parse(String(init?.body)) as Record<string, unknown>,
      };
      cognitoCalls.push(call);
      return cognito(call);
    }
    const u = new URL(url);
    const authorization = headers.get('authorization');
    apiCalls.push({ url: u, authorization });
    const ok =
      u.origin === JWT_API && refuseAll
        ? false
        : u.origin === JWT_API
          ? validIdTokens.has((authorization ?? '').replace(/^Bearer /, ''))
          : authorization === `Api-Key ${API_KEY}`;
    // API Gateway's JWT authorizer answers exactly this on a bad token.
    if (!ok) return json({ message: 'Unauthorized' }, 401);
    return data.fetch(`${u.pathname}${u.search}`, init);
  }) as typeof fetch;

  return {
    fetch: fetchImpl,
    now: () => clock,
    advance: (ms: number) => {
      clock += ms;
    },
    cognitoCalls,
    apiCalls,
    /** The API stops accepting every ID token issued so far (as after a key rotation or expiry). */
    rejectCurrentTokens: () => validIdTokens.clear(),
    revokeRefreshTokens: () => validRefresh.clear(),
    /** The API refuses every token, fresh ones too (e.g. a pool/client mismatch). */
    refuseEveryToken: () => {
      refuseAll = true;
    },
    get validRefresh() {
      return [...validRefresh];
    },
  };
}

function open(w: ReturnType<typeof world>) {
  window.history.replaceState(null, '', '/');
  render(<App fetch={w.fetch} config={CONFIG} now={w.now} />);
}

async function signIn(username: string, password: string) {
  fireEvent.change(await screen.findByLabelText('Email'), { target: { value: username } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

const lastIdToken = (w: ReturnType<typeof world>) => {
  const calls = w.cognitoCalls.length;
  expect(calls).toBeGreaterThan(0);
  return getJwtSession()?.idToken;
};

beforeEach(() => {
  clearApiCache();
  clearApiKey(null);
  clearJwtSession(null);
  sessionStorage.clear();
  localStorage.clear();
  window.scrollTo = () => undefined;
});
afterEach(() => cleanup());

describe('Cognito sign-in', () => {
  it('sends USER_PASSWORD_AUTH to the regional Cognito endpoint and shows a wrong password', async () => {
    const w = world();
    open(w);
    await signIn(EMAIL, 'wrong-password');
    expect((await screen.findByRole('alert')).textContent).toBe('Incorrect username or password.');
    expect(w.cognitoCalls).toEqual([
      {
        url: COGNITO_URL,
        target: 'AWSCognitoIdentityProviderService.InitiateAuth',
        contentType: 'application/x-amz-json-1.1',
        body: {
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: CLIENT_ID,
          AuthParameters: { USERNAME: EMAIL, PASSWORD: 'wrong-password' },
        },
      },
    ]);
    expect(w.apiCalls).toEqual([]);
    expect(getJwtSession()).toBeNull();
  });

  it('signs in, calls the JWT API with Bearer <ID token>, keeps tokens in sessionStorage only, and signs out', async () => {
    const w = world();
    open(w);
    await signIn(EMAIL, PASSWORD);
    await screen.findByRole('button', { name: 'Sign out' });
    expect(screen.getByText(EMAIL)).toBeTruthy();
    await waitFor(() => expect(w.apiCalls.length).toBeGreaterThan(0));
    const idToken = lastIdToken(w);
    expect(idToken).toMatch(/^ey/);
    for (const c of w.apiCalls) {
      expect(c.url.origin).toBe(JWT_API);
      expect(c.authorization).toBe(`Bearer ${idToken}`);
    }
    const stored = sessionStorage.getItem('vigil.cognitoTokens') ?? '';
    expect(JSON.parse(stored)).toMatchObject({ idToken, refreshToken: w.validRefresh[0] });
    expect(JSON.stringify({ ...localStorage })).not.toContain('refresh-');

    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await screen.findByRole('form', { name: 'Sign in' });
    expect(sessionStorage.getItem('vigil.cognitoTokens')).toBeNull();
    await waitFor(() =>
      expect(w.cognitoCalls.at(-1)).toMatchObject({
        target: 'AWSCognitoIdentityProviderService.RevokeToken',
        body: { Token: JSON.parse(stored).refreshToken, ClientId: CLIENT_ID },
      }),
    );
    expect(w.validRefresh).toEqual([]);
  });

  it('asks an admin-created user for a new password and answers NEW_PASSWORD_REQUIRED with the session', async () => {
    const w = world({ temporary: true });
    open(w);
    await signIn(EMAIL, TEMP_PASSWORD);
    const form = await screen.findByRole('form', { name: 'Choose a new password' });
    expect(form).toBeTruthy();

    fireEvent.change(screen.getByLabelText('New password'), { target: { value: 'short' } });
    fireEvent.change(screen.getByLabelText('Repeat the new password'), { target: { value: 'short' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set password and sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'That password is not allowed: Password not long enough',
    );

    fireEvent.change(screen.getByLabelText('New password'), { target: { value: NEW_PASSWORD } });
    fireEvent.change(screen.getByLabelText('Repeat the new password'), { target: { value: NEW_PASSWORD } });
    fireEvent.click(screen.getByRole('button', { name: 'Set password and sign in' }));
    await screen.findByRole('button', { name: 'Sign out' });
    expect(w.cognitoCalls.at(-1)).toEqual({
      url: COGNITO_URL,
      target: 'AWSCognitoIdentityProviderService.RespondToAuthChallenge',
      contentType: 'application/x-amz-json-1.1',
      body: {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        ClientId: CLIENT_ID,
        Session: 'AYABeC-session-1',
        ChallengeResponses: { USERNAME: '7f1e2d3c', NEW_PASSWORD },
      },
    });
    await waitFor(() => expect(w.apiCalls.length).toBeGreaterThan(0));
    expect(w.apiCalls.every((c) => c.authorization === `Bearer ${getJwtSession()?.idToken}`)).toBe(true);
  });

  it('asks a user with an authenticator app for the code and answers SOFTWARE_TOKEN_MFA', async () => {
    const w = world({ mfa: 'totp' });
    open(w);
    await signIn(EMAIL, PASSWORD);
    await screen.findByRole('form', { name: 'Authenticator code' });
    fireEvent.change(screen.getByLabelText('Code'), { target: { value: '000000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/^That code is wrong or has expired/);
    fireEvent.change(screen.getByLabelText('Code'), { target: { value: ' 123456 ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('button', { name: 'Sign out' });
    expect(w.cognitoCalls.at(-1)?.body).toEqual({
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      ClientId: CLIENT_ID,
      Session: 'AYABeC-mfa-1',
      ChallengeResponses: { USERNAME: EMAIL, SOFTWARE_TOKEN_MFA_CODE: '123456' },
    });
  });

  it('says plainly that MFA enrolment is not supported instead of failing silently', async () => {
    const w = world({ mfa: 'setup' });
    open(w);
    await signIn(EMAIL, PASSWORD);
    expect((await screen.findByRole('alert')).textContent).toMatch(/must set up MFA first/);
    expect(getJwtSession()).toBeNull();
  });

  it('refreshes with REFRESH_TOKEN_AUTH before a request when the tokens are about to expire', async () => {
    const w = world();
    open(w);
    await signIn(EMAIL, PASSWORD);
    await screen.findByRole('button', { name: 'Sign out' });
    const first = getJwtSession()!;
    cleanup();
    clearApiCache();
    w.advance(3600_000 - 30_000); // 30 s left: inside the refresh margin
    const before = w.apiCalls.length;
    open(w);
    await screen.findByRole('button', { name: 'Sign out' });
    await waitFor(() => expect(w.apiCalls.length).toBeGreaterThan(before));
    const refresh = w.cognitoCalls.filter((c) => c.body.AuthFlow === 'REFRESH_TOKEN_AUTH');
    expect(refresh).toEqual([
      {
        url: COGNITO_URL,
        target: 'AWSCognitoIdentityProviderService.InitiateAuth',
        contentType: 'application/x-amz-json-1.1',
        body: {
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          ClientId: CLIENT_ID,
          AuthParameters: { REFRESH_TOKEN: first.refreshToken },
        },
      },
    ]);
    const second = getJwtSession()!;
    expect(second.idToken).not.toBe(first.idToken);
    expect(second.refreshToken).toBe(first.refreshToken);
    expect(second.expiresAt).toBe(w.now() + 3600_000);
    for (const c of w.apiCalls.slice(before)) expect(c.authorization).toBe(`Bearer ${second.idToken}`);
  });

  it('after a 401 refreshes once and retries with the new token', async () => {
    const w = world();
    open(w);
    await signIn(EMAIL, PASSWORD);
    await screen.findByRole('button', { name: 'Sign out' });
    await waitFor(() => expect(w.apiCalls.length).toBeGreaterThan(0));
    const first = getJwtSession()!;
    cleanup();
    clearApiCache();
    w.rejectCurrentTokens();
    const before = w.apiCalls.length;
    open(w);
    await waitFor(() => expect(getJwtSession()?.idToken).not.toBe(first.idToken));
    await waitFor(() =>
      expect(
        w.apiCalls.slice(before).some((c) => c.authorization === `Bearer ${getJwtSession()?.idToken}`),
      ).toBe(true),
    );
    // Several screens' requests failed at once; they shared one refresh.
    expect(w.cognitoCalls.filter((c) => c.body.AuthFlow === 'REFRESH_TOKEN_AUTH')).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
  });

  it('after a 401 whose refresh is refused, asks the user to sign in again', async () => {
    const w = world();
    open(w);
    await signIn(EMAIL, PASSWORD);
    await screen.findByRole('button', { name: 'Sign out' });
    await waitFor(() => expect(w.apiCalls.length).toBeGreaterThan(0));
    cleanup();
    clearApiCache();
    w.rejectCurrentTokens();
    w.revokeRefreshTokens();
    open(w);
    await screen.findByRole('form', { name: 'Sign in' });
    expect((await screen.findByRole('alert')).textContent).toBe('Your session has ended. Sign in again.');
    expect(w.cognitoCalls.filter((c) => c.body.AuthFlow === 'REFRESH_TOKEN_AUTH')).toHaveLength(1);
    expect(getJwtSession()).toBeNull();
  });

  it('when the API refuses even the refreshed token, signs the user out with the reason', async () => {
    const w = world();
    w.refuseEveryToken();
    open(w);
    await signIn(EMAIL, PASSWORD);
    await screen.findByRole('form', { name: 'Sign in' });
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The API refused your sign-in (401). Sign in again.',
    );
    expect(getJwtSession()).toBeNull();
    const refreshes = w.cognitoCalls.filter((c) => c.body.AuthFlow === 'REFRESH_TOKEN_AUTH').length;
    expect(refreshes).toBe(1);
  });

  it('keeps the API-key flow against the public API as a fallback', async () => {
    const w = world();
    open(w);
    fireEvent.click(await screen.findByRole('button', { name: 'Use an API key instead' }));
    await screen.findByRole('form', { name: 'API key' });
    const input = document.querySelector('input[name="api-key"]') as HTMLInputElement;
    fireEvent.change(input, { target: { value: API_KEY } });
    fireEvent.click(screen.getByRole('button', { name: 'Open dashboard' }));
    await screen.findByRole('button', { name: 'Change key' });
    await waitFor(() => expect(w.apiCalls.length).toBeGreaterThan(0));
    for (const c of w.apiCalls) {
      expect(c.url.origin).toBe(PUBLIC_API);
      expect(c.authorization).toBe(`Api-Key ${API_KEY}`);
    }
    expect(w.cognitoCalls).toEqual([]);
  });

  it('goes back from the key prompt to the sign-in form', async () => {
    const w = world();
    setAuthMethod('api-key');
    open(w);
    fireEvent.click(await screen.findByRole('button', { name: 'Sign in with your user instead' }));
    expect(await screen.findByRole('form', { name: 'Sign in' })).toBeTruthy();
  });

  it('signs in again from stored tokens without asking (same tab)', async () => {
    const w = world();
    open(w);
    await signIn(EMAIL, PASSWORD);
    await screen.findByRole('button', { name: 'Sign out' });
    const session = getJwtSession()!;
    cleanup();
    clearJwtSession(null);
    setJwtSession(session);
    open(w);
    expect(await screen.findByRole('button', { name: 'Sign out' })).toBeTruthy();
  });
});
