/**
 * The few Cognito user-pool API calls the dashboard makes, with the browser's fetch (no AWS SDK): the
 * public, unsigned InitiateAuth / RespondToAuthChallenge / RevokeToken actions of a client without a
 * secret. The password goes only to Cognito's regional endpoint over TLS.
 */

export interface CognitoSettings {
  region: string;
  userPoolClientId: string;
}

/** Tokens of a signed-in user; `expiresAt` is epoch ms (from ExpiresIn, seconds). */
export interface CognitoTokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

/** What comes after a call; a challenge carries the actual username (USER_ID_FOR_SRP) to answer it with. */
export type SignInStep =
  | { kind: 'signed-in'; tokens: CognitoTokens }
  | { kind: 'new-password'; username: string; session: string }
  | { kind: 'mfa-code'; username: string; session: string };

/** A refusal from Cognito: `type` is the exception name (NotAuthorizedException, …). */
export class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'CognitoError';
  }
}

interface AuthenticationResult {
  IdToken?: string;
  AccessToken?: string;
  RefreshToken?: string;
  ExpiresIn?: number;
}

interface AuthAnswer {
  AuthenticationResult?: AuthenticationResult;
  ChallengeName?: string;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
}

/** What the user reads for each refusal; Cognito's own text where it is already clear. */
function friendly(type: string, message: string): string {
  switch (type) {
    case 'NotAuthorizedException':
    case 'UserNotFoundException':
      return /session/i.test(message)
        ? 'The sign-in took too long and expired. Sign in again.'
        : /attempts exceeded/i.test(message)
          ? 'Too many failed attempts. Wait a few minutes and try again.'
          : 'Incorrect username or password.';
    case 'PasswordResetRequiredException':
      return 'An administrator has reset your password. Ask them for a new temporary password (aws cognito-idp admin-set-user-password … --no-permanent).';
    case 'InvalidPasswordException':
      return `That password is not allowed: ${message.replace(/^Password does not conform to policy: /, '')}`;
    case 'CodeMismatchException':
    case 'ExpiredCodeException':
      return 'That code is wrong or has expired. Enter the current code from your authenticator app.';
    case 'UserNotConfirmedException':
      return 'This user is not confirmed yet. Ask an administrator.';
    case 'TooManyRequestsException':
    case 'LimitExceededException':
      return 'Too many attempts. Wait a minute and try again.';
    case 'InvalidParameterException':
      return /USER_PASSWORD_AUTH/.test(message)
        ? 'This user pool client does not allow password sign-in yet: redeploy the Vigil data stack.'
        : message;
    default:
      return message || type;
  }
}

export function createCognitoClient(
  settings: CognitoSettings,
  options: { fetch?: typeof fetch; now?: () => number } = {},
) {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const now = options.now ?? Date.now;
  const endpoint = `https://cognito-idp.${settings.region}.amazonaws.com/`;
  const clientId = settings.userPoolClientId;

  async function call<T>(action: string, body: Record<string, unknown>): Promise<T> {
    let res: Response;
    try {
      res = await doFetch(endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': `AWSCognitoIdentityProviderService.${action}`,
        },
        body: JSON.stringify(body),
      });
    } catch (e) {
      throw new CognitoError('NetworkError', `Cannot reach Cognito (${(e as Error).message}).`);
    }
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // not JSON: handled below by status
    }
    if (res.ok) return parsed as T;
    // "__type" may carry a namespace ("com.amazonaws…#NotAuthorizedException").
    const rawType = String(parsed.__type ?? res.headers.get('x-amzn-errortype') ?? `HTTP ${res.status}`);
    const type = rawType.split('#').pop()!.split(':')[0]!;
    const message = String(parsed.message ?? parsed.Message ?? '');
    throw new CognitoError(type, friendly(type, message));
  }

  function tokens(r: AuthenticationResult | undefined, refreshToken?: string): CognitoTokens {
    const refresh = r?.RefreshToken ?? refreshToken;
    if (!r?.IdToken || !r.AccessToken || !refresh) {
      throw new CognitoError('InvalidResponse', 'Cognito answered without tokens.');
    }
    return {
      idToken: r.IdToken,
      accessToken: r.AccessToken,
      refreshToken: refresh,
      expiresAt: now() + (r.ExpiresIn ?? 3600) * 1000,
    };
  }

  function step(answer: AuthAnswer, username: string): SignInStep {
    if (answer.AuthenticationResult)
      return { kind: 'signed-in', tokens: tokens(answer.AuthenticationResult) };
    const session = answer.Session ?? '';
    // A challenge must be answered with the user's actual username, not the email the user typed: the
    // pool signs in with the email, so the username is a generated one, which Cognito returns here.
    const actual = answer.ChallengeParameters?.USER_ID_FOR_SRP || username;
    if (answer.ChallengeName === 'NEW_PASSWORD_REQUIRED')
      return { kind: 'new-password', username: actual, session };
    if (answer.ChallengeName === 'SOFTWARE_TOKEN_MFA') return { kind: 'mfa-code', username: actual, session };
    throw new CognitoError(
      'UnsupportedChallenge',
      answer.ChallengeName === 'MFA_SETUP'
        ? 'This user must set up MFA first, which the dashboard cannot do yet: ask an administrator.'
        : `Cognito asked for ${answer.ChallengeName ?? 'an unknown step'}, which the dashboard does not support.`,
    );
  }

  return {
    endpoint,
    /** USER_PASSWORD_AUTH: tokens, or the challenge an admin-created or MFA user must answer first. */
    async signIn(username: string, password: string): Promise<SignInStep> {
      const answer = await call<AuthAnswer>('InitiateAuth', {
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      });
      return step(answer, username);
    },
    /** Sets the permanent password of a user who signed in with the temporary one. */
    async setNewPassword(username: string, newPassword: string, session: string): Promise<SignInStep> {
      const answer = await call<AuthAnswer>('RespondToAuthChallenge', {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        ClientId: clientId,
        Session: session,
        ChallengeResponses: { USERNAME: username, NEW_PASSWORD: newPassword },
      });
      return step(answer, username);
    },
    /** Answers the TOTP challenge of a user who enrolled an authenticator app. */
    async answerMfa(username: string, code: string, session: string): Promise<SignInStep> {
      const answer = await call<AuthAnswer>('RespondToAuthChallenge', {
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        ClientId: clientId,
        Session: session,
        ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code },
      });
      return step(answer, username);
    },
    /** REFRESH_TOKEN_AUTH: new ID and access tokens; Cognito keeps the refresh token unless it rotates it. */
    async refresh(refreshToken: string): Promise<CognitoTokens> {
      const answer = await call<AuthAnswer>('InitiateAuth', {
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: clientId,
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      });
      return tokens(answer.AuthenticationResult, refreshToken);
    },
    /** Revokes the refresh token (and the tokens issued from it); the client has revocation enabled. */
    async revoke(refreshToken: string): Promise<void> {
      await call('RevokeToken', { Token: refreshToken, ClientId: clientId });
    },
  };
}

export type CognitoClient = ReturnType<typeof createCognitoClient>;

/** The readable claims of a JWT (no verification: API Gateway verifies; this is for display only). */
export function jwtClaims(token: string): Record<string, unknown> {
  try {
    const part = token.split('.')[1] ?? '';
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(
      Array.from(
        atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, '=')),
        (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
      ).join(''),
    );
    const claims: unknown = JSON.parse(json);
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
