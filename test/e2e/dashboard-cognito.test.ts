import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { API_HOST, CLIENT_ID, COGNITO_HOST, cognitoDashboardInChromium } from '../helpers/cognito-e2e';
import type { CognitoCall, WorldLog } from '../helpers/fake-cognito';

/**
 * The dashboard's Cognito sign-in in headless Chromium, as deployed: config.json of type `cognito`, the
 * user pool at its regional endpoint and the JWT API at its execute-api host — both fakes that speak
 * the real protocols (test/helpers/fake-cognito.ts), reached over HTTPS and cross-origin, so the browser
 * preflights every call. The API forwards to the real runtime only with a valid, unexpired ID token of
 * the pool, so a table of agents proves the token was sent. Each test signs in a different user in a new
 * tab and asserts the exact calls the fakes received meanwhile.
 */

const KEY = 'vgl_e2e_cognito_key_0123456789abcd';
const PASSWORD = 'Correct-Horse-9!';
const TEMP_PASSWORD = 'Temp-Pass-0000!';
const NEW_PASSWORD = 'Brand-New-Pass-42!';
const TOTP = '123456';
const USERS = {
  plain: 'ops@example.com',
  invited: 'new.hire@example.com',
  mfa: 'secure@example.com',
  expiring: 'expiring@example.com',
  shortLived: 'short.lived@example.com',
  leaver: 'leaver@example.com',
  slow: 'slow.typist@example.com',
  revoked: 'revoked@example.com',
};

const ui = cognitoDashboardInChromium({
  key: KEY,
  timeoutMs: 180_000,
  users: [
    { username: USERS.plain, password: PASSWORD },
    { username: USERS.invited, password: TEMP_PASSWORD, temporary: true },
    { username: USERS.mfa, password: PASSWORD, totpCode: TOTP },
    { username: USERS.expiring, password: PASSWORD },
    { username: USERS.shortLived, password: PASSWORD, signInExpiresIn: 30 },
    { username: USERS.leaver, password: PASSWORD },
    { username: USERS.slow, password: PASSWORD, totpCode: TOTP },
    { username: USERS.revoked, password: PASSWORD },
  ],
});

/** What the fakes received after `before`. */
async function since(before: WorldLog): Promise<WorldLog> {
  const now = await ui.log();
  return {
    cognito: now.cognito.slice(before.cognito.length),
    preflights: now.preflights.slice(before.preflights.length),
    api: now.api.slice(before.api.length),
  };
}

/** A Cognito call as the test compares it: action, auth flow or challenge, status/error. */
const summary = (c: CognitoCall) =>
  [
    c.action,
    c.body.AuthFlow ?? c.body.ChallengeName ?? '',
    c.error ?? c.status,
    ...(c.answer.ChallengeName ? [`→ ${c.answer.ChallengeName}`] : []),
  ].join(' ');

const result = (c: CognitoCall) => c.answer.AuthenticationResult as Record<string, string | number>;

/**
 * The username a challenge must be answered with: the pool signs in with the email, so the actual
 * username is the generated one Cognito gives as USER_ID_FOR_SRP (never the email).
 */
function actualUsername(challenge: CognitoCall): string {
  const id = (challenge.answer.ChallengeParameters as Record<string, string>).USER_ID_FOR_SRP!;
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id;
}

async function fillCredentials(page: Page, username: string, password: string): Promise<void> {
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await page.click('form[aria-label="Sign in"] button[type="submit"]');
}

/** Waits for the agents table with rows of the demo traffic, and the signed-in user in the top bar. */
async function agentsShown(page: Page, user: string): Promise<void> {
  await page.locator('table[aria-label="Agents"] tbody tr').first().waitFor();
  expect(await page.locator('table[aria-label="Agents"] tbody tr').count()).toBeGreaterThan(0);
  expect(await page.textContent('[data-user]')).toBe(user);
}

describe('dashboard Cognito sign-in in Chromium', () => {
  it('refuses a wrong password with the message, then signs in and sends the ID token to the API', async () => {
    const before = await ui.log();
    const page = await ui.newPage();
    const urls: string[] = [];
    page.on('request', (r) => urls.push(`${r.method()} ${r.url()}`));
    await page.goto(ui.url);

    await fillCredentials(page, USERS.plain, 'wrong-password');
    await expect
      .poll(() => page.textContent('form[aria-label="Sign in"] [role="alert"]'))
      .toBe('Incorrect username or password.');
    await ui.shot(page, 'cognito-wrong-password');

    await page.fill('input[name="password"]', PASSWORD);
    await page.click('form[aria-label="Sign in"] button[type="submit"]');
    await agentsShown(page, USERS.plain);

    const got = await since(before);
    expect(got.cognito.map(summary)).toEqual([
      'InitiateAuth USER_PASSWORD_AUTH NotAuthorizedException',
      'InitiateAuth USER_PASSWORD_AUTH 200',
    ]);
    const [wrong, right] = got.cognito;
    expect(wrong!.answer).toEqual({
      __type: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    expect(right!.body).toEqual({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: CLIENT_ID,
      AuthParameters: { USERNAME: USERS.plain, PASSWORD },
    });
    for (const c of got.cognito) {
      expect(c.contentType).toBe('application/x-amz-json-1.1');
      expect(c.origin).toBe(ui.url.replace(/\/$/, ''));
    }
    // Cross-origin with a non-simple content type: the browser asked Cognito first, for these headers.
    const cognitoPreflights = got.preflights.filter((p) => p.to === 'cognito');
    expect(cognitoPreflights.length).toBeGreaterThan(0);
    for (const p of cognitoPreflights) {
      expect(p).toMatchObject({ method: 'POST', headers: 'content-type,x-amz-target', allowed: true });
    }
    // Every API call carried the ID token Cognito issued, and was answered by the runtime.
    const idToken = result(right!).IdToken;
    expect(got.api.length).toBeGreaterThan(0);
    for (const a of got.api) expect(a).toMatchObject({ method: 'GET', token: idToken, status: 200 });
    expect(got.api.map((a) => a.path.split('?')[0]).sort()).toEqual([
      '/api/agents/summary',
      '/api/incidents',
    ]);
    expect(got.preflights.filter((p) => p.to === 'api').every((p) => p.headers === 'authorization')).toBe(
      true,
    );
    // The browser called the deployment's real host names (resolved to the fakes), nothing else.
    const remote = urls.filter((u) => !u.includes(ui.url));
    expect(remote.filter((u) => u.includes(COGNITO_HOST))).toEqual([
      `POST https://${COGNITO_HOST}/`,
      `POST https://${COGNITO_HOST}/`,
    ]);
    expect(
      remote
        .filter((u) => !u.includes(COGNITO_HOST))
        .every((u) => u.startsWith(`GET https://${API_HOST}/api/`)),
    ).toBe(true);
    await ui.shot(page, 'cognito-signed-in');
    await page.close();
  });

  it('makes an invited user choose a new password (refusing a weak one), then loads the data', async () => {
    const before = await ui.log();
    const page = await ui.newPage();
    await page.goto(ui.url);
    await fillCredentials(page, USERS.invited, TEMP_PASSWORD);

    const form = page.locator('form[aria-label="Choose a new password"]');
    await form.waitFor();
    await page.fill('input[name="new-password"]', 'only-lower-case-1!');
    await page.fill('input[name="confirm-password"]', 'only-lower-case-1!');
    await form.locator('button[type="submit"]').click();
    await expect
      .poll(() => form.locator('[role="alert"]').textContent())
      .toBe('That password is not allowed: Password must have uppercase characters');
    await page.fill('input[name="new-password"]', NEW_PASSWORD);
    await page.fill('input[name="confirm-password"]', `${NEW_PASSWORD}x`);
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => form.locator('[role="alert"]').textContent()).toBe('The two passwords differ.');
    await ui.shot(page, 'cognito-new-password');
    await page.fill('input[name="confirm-password"]', NEW_PASSWORD);
    await form.locator('button[type="submit"]').click();
    await agentsShown(page, USERS.invited);

    const got = await since(before);
    expect(got.cognito.map(summary)).toEqual([
      'InitiateAuth USER_PASSWORD_AUTH 200 → NEW_PASSWORD_REQUIRED',
      'RespondToAuthChallenge NEW_PASSWORD_REQUIRED InvalidPasswordException',
      'RespondToAuthChallenge NEW_PASSWORD_REQUIRED 200',
    ]);
    const [challenge, , answer] = got.cognito;
    expect(answer!.body).toEqual({
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      ClientId: CLIENT_ID,
      Session: challenge!.answer.Session,
      ChallengeResponses: { USERNAME: actualUsername(challenge!), NEW_PASSWORD },
    });
    const idToken = result(answer!).IdToken;
    expect(got.api.length).toBeGreaterThan(0);
    for (const a of got.api) expect(a).toMatchObject({ token: idToken, status: 200 });
    await page.close();

    // The new password is the user's now: a new tab signs in with it and no challenge.
    const again = await ui.newPage();
    const mark = await ui.log();
    await again.goto(ui.url);
    await fillCredentials(again, USERS.invited, NEW_PASSWORD);
    await agentsShown(again, USERS.invited);
    expect((await since(mark)).cognito.map(summary)).toEqual(['InitiateAuth USER_PASSWORD_AUTH 200']);
    await again.close();
  });

  it('asks a TOTP user for the authenticator code, refusing a wrong one', async () => {
    const before = await ui.log();
    const page = await ui.newPage();
    await page.goto(ui.url);
    await fillCredentials(page, USERS.mfa, PASSWORD);

    const form = page.locator('form[aria-label="Authenticator code"]');
    await form.waitFor();
    await page.fill('input[name="code"]', '000000');
    await form.locator('button[type="submit"]').click();
    await expect
      .poll(() => form.locator('[role="alert"]').textContent())
      .toBe('That code is wrong or has expired. Enter the current code from your authenticator app.');
    await ui.shot(page, 'cognito-totp');
    await page.fill('input[name="code"]', ` ${TOTP} `);
    await form.locator('button[type="submit"]').click();
    await agentsShown(page, USERS.mfa);

    const got = await since(before);
    expect(got.cognito.map(summary)).toEqual([
      'InitiateAuth USER_PASSWORD_AUTH 200 → SOFTWARE_TOKEN_MFA',
      'RespondToAuthChallenge SOFTWARE_TOKEN_MFA CodeMismatchException',
      'RespondToAuthChallenge SOFTWARE_TOKEN_MFA 200',
    ]);
    const [challenge, wrong, right] = got.cognito;
    expect(wrong!.body.ChallengeResponses).toEqual({
      USERNAME: actualUsername(challenge!),
      SOFTWARE_TOKEN_MFA_CODE: '000000',
    });
    expect(right!.body).toEqual({
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      ClientId: CLIENT_ID,
      Session: challenge!.answer.Session,
      ChallengeResponses: { USERNAME: actualUsername(challenge!), SOFTWARE_TOKEN_MFA_CODE: TOTP },
    });
    for (const a of got.api) expect(a).toMatchObject({ token: result(right!).IdToken, status: 200 });
    expect(got.api.length).toBeGreaterThan(0);
    await page.close();
  });

  it('refreshes the tokens once after the API answers 401 and retries each refused call with the new ID token', async () => {
    const page = await ui.newPage();
    await page.goto(ui.url);
    const signIn = await ui.log();
    await fillCredentials(page, USERS.expiring, PASSWORD);
    await agentsShown(page, USERS.expiring);
    const first = (await since(signIn)).cognito;
    expect(first.map(summary)).toEqual(['InitiateAuth USER_PASSWORD_AUTH 200']);
    const issued = result(first[0]!);

    // Two hours pass at the pool and the API; the tab still believes its tokens have an hour left.
    await ui.advance(2 * 3600_000);
    const before = await ui.log();
    await page.reload();
    await agentsShown(page, USERS.expiring);

    const got = await since(before);
    expect(got.cognito.map(summary)).toEqual(['InitiateAuth REFRESH_TOKEN_AUTH 200']);
    const refresh = got.cognito[0]!;
    expect(refresh.body).toEqual({
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: CLIENT_ID,
      AuthParameters: { REFRESH_TOKEN: issued.RefreshToken },
    });
    const fresh = result(refresh).IdToken;
    expect(fresh).not.toBe(issued.IdToken);
    const refused = got.api.filter((a) => a.status === 401);
    const served = got.api.filter((a) => a.status === 200);
    expect(refused.length).toBeGreaterThan(0);
    for (const a of refused)
      expect(a).toMatchObject({ token: issued.IdToken, refused: 'the token has expired' });
    for (const a of served) expect(a.token).toBe(fresh);
    expect(served.length + refused.length).toBe(got.api.length);
    // Each refused call was retried (once) with the refreshed token.
    expect(served.map((a) => a.path).sort()).toEqual(
      expect.arrayContaining(refused.map((a) => a.path).sort()),
    );
    const stored = await page.evaluate(() =>
      JSON.parse(sessionStorage.getItem('vigil.cognitoTokens') ?? 'null'),
    );
    expect(stored).toMatchObject({ idToken: fresh, refreshToken: issued.RefreshToken });
    await page.close();
  });

  it('refreshes before a call when the tokens expire within the margin, so the API never sees them', async () => {
    const before = await ui.log();
    const page = await ui.newPage();
    await page.goto(ui.url);
    await fillCredentials(page, USERS.shortLived, PASSWORD);
    await agentsShown(page, USERS.shortLived);

    const got = await since(before);
    expect(got.cognito.map(summary)).toEqual([
      'InitiateAuth USER_PASSWORD_AUTH 200',
      'InitiateAuth REFRESH_TOKEN_AUTH 200',
    ]);
    const [signIn, refresh] = got.cognito;
    expect(result(signIn!).ExpiresIn).toBe(30);
    expect(refresh!.body.AuthParameters).toEqual({ REFRESH_TOKEN: result(signIn!).RefreshToken });
    expect(got.api.length).toBeGreaterThan(0);
    for (const a of got.api) expect(a).toMatchObject({ token: result(refresh!).IdToken, status: 200 });
    await page.close();
  });

  it('signs out: revokes the refresh token at Cognito and shows the sign-in form again', async () => {
    const page = await ui.newPage();
    await page.goto(ui.url);
    const signIn = await ui.log();
    await fillCredentials(page, USERS.leaver, PASSWORD);
    await agentsShown(page, USERS.leaver);
    const issued = result((await since(signIn)).cognito[0]!);
    expect(await ui.refreshTokenState(String(issued.RefreshToken))).toBe('valid');
    // The agents screen's own requests (the list, the open-incident badges) finish first, so any API
    // call logged from here on was made after signing out.
    await page.waitForLoadState('networkidle');

    const before = await ui.log();
    await page.click('button:has-text("Sign out")');
    await page.locator('form[aria-label="Sign in"]').waitFor();
    await expect.poll(async () => (await since(before)).cognito.length).toBe(1);

    const got = await since(before);
    expect(got.cognito.map(summary)).toEqual(['RevokeToken  200']);
    expect(got.cognito[0]!.body).toEqual({ Token: issued.RefreshToken, ClientId: CLIENT_ID });
    expect(got.cognito[0]!.answer).toEqual({});
    expect(got.api).toEqual([]);
    expect(await ui.refreshTokenState(String(issued.RefreshToken))).toBe('revoked');
    expect(await page.evaluate(() => sessionStorage.getItem('vigil.cognitoTokens'))).toBeNull();
    expect(await page.locator('[role="alert"]').count()).toBe(0);
    // Nothing was left behind: a reload stays signed out.
    await page.reload();
    await page.locator('form[aria-label="Sign in"]').waitFor();
    await ui.shot(page, 'cognito-signed-out');
    await page.close();
  });

  it('starts over with a plain message when the challenge session expired before the code was entered', async () => {
    const before = await ui.log();
    const page = await ui.newPage();
    await page.goto(ui.url);
    await fillCredentials(page, USERS.slow, PASSWORD);
    await page.locator('form[aria-label="Authenticator code"]').waitFor();
    await ui.advance(4 * 60_000); // the challenge session lives 3 minutes
    await page.fill('input[name="code"]', TOTP);
    await page.click('form[aria-label="Authenticator code"] button[type="submit"]');

    const form = page.locator('form[aria-label="Sign in"]');
    await expect
      .poll(() => form.locator('[role="alert"]').textContent())
      .toBe('The sign-in took too long and expired. Sign in again.');
    const got = await since(before);
    expect(got.cognito.map(summary)).toEqual([
      'InitiateAuth USER_PASSWORD_AUTH 200 → SOFTWARE_TOKEN_MFA',
      'RespondToAuthChallenge SOFTWARE_TOKEN_MFA NotAuthorizedException',
    ]);
    expect(got.cognito[1]!.answer.message).toBe('Invalid session for the user, session is expired.');
    expect(got.api).toEqual([]);

    // Starting over works: a new session, and the current code.
    await form.locator('button[type="submit"]').click();
    await page.locator('form[aria-label="Authenticator code"]').waitFor();
    await page.fill('input[name="code"]', TOTP);
    await page.click('form[aria-label="Authenticator code"] button[type="submit"]');
    await agentsShown(page, USERS.slow);
    await page.close();
  });

  it('asks to sign in again, saying why, when the refresh after a 401 is refused (revoked refresh token)', async () => {
    const page = await ui.newPage();
    await page.goto(ui.url);
    const signIn = await ui.log();
    await fillCredentials(page, USERS.revoked, PASSWORD);
    await agentsShown(page, USERS.revoked);
    const issued = result((await since(signIn)).cognito[0]!);

    expect(await ui.revokeUser(USERS.revoked)).toBe(1);
    await ui.advance(2 * 3600_000);
    const before = await ui.log();
    await page.reload();
    const form = page.locator('form[aria-label="Sign in"]');
    await expect
      .poll(() => form.locator('[role="alert"]').textContent())
      .toBe('Your session has ended. Sign in again.');

    const got = await since(before);
    expect(got.api.length).toBeGreaterThan(0);
    for (const a of got.api) expect(a).toMatchObject({ token: issued.IdToken, status: 401 });
    expect(new Set(got.cognito.map(summary))).toEqual(
      new Set(['InitiateAuth REFRESH_TOKEN_AUTH NotAuthorizedException']),
    );
    for (const c of got.cognito) {
      expect(c.body.AuthParameters).toEqual({ REFRESH_TOKEN: issued.RefreshToken });
      expect(c.answer.message).toBe('Refresh Token has been revoked');
    }
    expect(await page.evaluate(() => sessionStorage.getItem('vigil.cognitoTokens'))).toBeNull();
    await ui.shot(page, 'cognito-session-ended');
    await page.close();
  });

  it('reported no script errors; console errors are only the refused calls', () => {
    const unexpected = ui.problems.filter(
      (p) => !/Failed to load resource: the server responded with a status of (400|401)/.test(p),
    );
    expect(unexpected).toEqual([]);
  });
});
