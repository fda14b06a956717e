import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';

/**
 * A fake Cognito user pool and the JWT-protected dashboard API in front of a real Vigil runtime, for
 * driving the dashboard's sign-in in a real browser.
 *
 * - Cognito: the user-pool API's wire protocol — `POST /` with `X-Amz-Target:
 *   AWSCognitoIdentityProviderService.<Action>` and `Content-Type: application/x-amz-json-1.1`, answers
 *   shaped like the service's (AuthenticationResult, ChallengeName/Session/ChallengeParameters, `{}` for
 *   RevokeToken), errors as `400 {"__type": "...Exception", "message": "..."}`, and CORS like the public
 *   endpoint (any origin; a preflight that asks for a header it does not allow gets no CORS headers,
 *   so the browser blocks the call).
 * - The dashboard API: what API Gateway's JWT authorizer does — `Authorization: Bearer <ID token>` must be
 *   a token this pool issued (signature), for this client (`aud`), not expired on the pool's clock,
 *   else `401 {"message":"Unauthorized"}` with `www-authenticate` — then the request goes on to the
 *   runtime with its API key. CORS like the HTTP API's corsPreflight (infra/stacks/api-stack.ts).
 * - The built dashboard with a config.json that points at both.
 *
 * Tokens are JWTs signed with HMAC by this fake (the dashboard only decodes them for display). Every
 * request is recorded; the pool's clock can be moved forward to expire tokens behind the browser's back.
 */

export interface FakeUser {
  username: string;
  password: string;
  /** Created by an administrator with a temporary password: NEW_PASSWORD_REQUIRED first. */
  temporary?: boolean;
  /** Enrolled TOTP: SOFTWARE_TOKEN_MFA with this code. */
  totpCode?: string;
  /** ExpiresIn (s) of the tokens issued at sign-in (refreshes always get 3600). @default 3600 */
  signInExpiresIn?: number;
}

export interface CognitoCall {
  action: string;
  contentType: string | null;
  origin: string | null;
  body: Record<string, unknown>;
  status: number;
  /** The `__type` of an error answer. */
  error?: string;
  /** The answer's body (tokens and sessions included: the test compares them with later requests). */
  answer: Record<string, unknown>;
}

export interface Preflight {
  to: 'cognito' | 'api';
  origin: string | null;
  method: string | null;
  headers: string | null;
  allowed: boolean;
}

export interface ApiCall {
  method: string;
  path: string;
  /** The bearer token, or the whole header when it is not `Bearer …`. */
  token: string | null;
  status: number;
  /** Why the authorizer refused (www-authenticate's error_description). */
  refused?: string;
}

export interface WorldLog {
  cognito: CognitoCall[];
  preflights: Preflight[];
  api: ApiCall[];
}

export interface WorldOptions {
  region: string;
  userPoolId: string;
  clientId: string;
  users: FakeUser[];
  /** The Vigil runtime the API forwards to, and its key. */
  vigilUrl: string;
  vigilKey: string;
  /** frontend/dist */
  distDir: string;
  /** Origins the dashboard API's CORS allows (the dashboard's). */
  allowOrigins: () => string[];
  /** config.json served with the dashboard. */
  dashboardConfig: () => unknown;
}

/** The headers the HTTP API's corsPreflight allows (infra/stacks/api-stack.ts ALLOWED_HEADERS). */
const API_ALLOWED_HEADERS = ['authorization', 'content-type', 'content-encoding', 'x-api-key', 'x-agent-id'];
/** What the Cognito endpoint lets a browser send (the AWS SDKs' headers). */
const COGNITO_ALLOWED_HEADERS = [
  'content-type',
  'x-amz-target',
  'x-amz-user-agent',
  'x-amz-date',
  'x-amz-security-token',
  'authorization',
  'cache-control',
  'amz-sdk-invocation-id',
  'amz-sdk-request',
];
const SESSION_TTL_MS = 3 * 60_000;
/** The policy the dashboard describes: 12+ characters, upper and lower case, a digit and a symbol. */
const POLICY: Array<[RegExp, string]> = [
  [/^.{12,}$/, 'Password not long enough'],
  [/[a-z]/, 'Password must have lowercase characters'],
  [/[A-Z]/, 'Password must have uppercase characters'],
  [/\d/, 'Password must have numeric characters'],
  [/[^\w\s]|_/, 'Password must have symbol characters'],
];

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function createCognitoWorld(options: WorldOptions) {
  const secret = randomBytes(32);
  const issuer = `https://cognito-idp.${options.region}.amazonaws.com/${options.userPoolId}`;
  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;
  const log: WorldLog = { cognito: [], preflights: [], api: [] };

  interface UserState extends FakeUser {
    /** The actual username: the pool signs in with the email, so Cognito generates this one. */
    sub: string;
  }
  const users = new Map<string, UserState>(
    options.users.map((u) => [u.username, { ...u, sub: randomUUID() }]),
  );
  const sessions = new Map<string, { username: string; challenge: string; expires: number }>();
  /** refresh token → its user and whether it was revoked. */
  const refreshTokens = new Map<string, { username: string; revoked: boolean }>();

  function sign(claims: Record<string, unknown>): string {
    const head = b64url(JSON.stringify({ kid: 'fake-key-1', alg: 'HS256' }));
    const body = b64url(JSON.stringify(claims));
    const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${sig}`;
  }

  function issue(user: UserState, expiresIn: number, refreshToken?: string) {
    const iat = Math.floor(now() / 1000);
    const common = { sub: user.sub, iss: issuer, iat, auth_time: iat, exp: iat + expiresIn };
    const originJti = randomUUID();
    const idToken = sign({
      ...common,
      aud: options.clientId,
      token_use: 'id',
      email: user.username,
      email_verified: true,
      'cognito:username': user.sub,
      event_id: randomUUID(),
      origin_jti: originJti,
      jti: randomUUID(),
    });
    const accessToken = sign({
      ...common,
      client_id: options.clientId,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      username: user.sub,
      origin_jti: originJti,
      jti: randomUUID(),
    });
    const result: Record<string, unknown> = {
      AccessToken: accessToken,
      ExpiresIn: expiresIn,
      IdToken: idToken,
      TokenType: 'Bearer',
    };
    if (!refreshToken) {
      // Cognito's refresh tokens are opaque (an encrypted JWT: five dot-separated parts).
      const token = [
        b64url(JSON.stringify({ cty: 'JWT', enc: 'A256GCM', alg: 'RSA-OAEP' })),
        ...[256, 12, 600, 16].map((n) => b64url(randomBytes(n))),
      ].join('.');
      refreshTokens.set(token, { username: user.username, revoked: false });
      result.RefreshToken = token;
    }
    return { AuthenticationResult: result, ChallengeParameters: {} };
  }

  function challenge(user: UserState, name: string, parameters: Record<string, string>) {
    const session = b64url(randomBytes(96));
    sessions.set(session, { username: user.username, challenge: name, expires: now() + SESSION_TTL_MS });
    return { ChallengeName: name, ChallengeParameters: parameters, Session: session };
  }

  /** After the password (and a new password): the TOTP challenge, or tokens. */
  function afterPassword(user: UserState) {
    if (user.totpCode) return challenge(user, 'SOFTWARE_TOKEN_MFA', { USER_ID_FOR_SRP: user.sub });
    return issue(user, user.signInExpiresIn ?? 3600);
  }

  const text = (o: Record<string, unknown>, k: string): string | undefined =>
    typeof o[k] === 'string' ? (o[k] as string) : undefined;

  function requireClient(body: Record<string, unknown>) {
    const id = text(body, 'ClientId');
    if (!id)
      throw new AwsError(
        'InvalidParameterException',
        "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null",
      );
    if (id !== options.clientId)
      throw new AwsError('ResourceNotFoundException', `User pool client ${id} does not exist.`);
  }

  const actions: Record<string, (body: Record<string, unknown>) => Record<string, unknown>> = {
    InitiateAuth(body) {
      requireClient(body);
      const params = (body.AuthParameters ?? {}) as Record<string, unknown>;
      if (body.AuthFlow === 'USER_PASSWORD_AUTH') {
        const username = text(params, 'USERNAME');
        const password = text(params, 'PASSWORD');
        if (!username || !password)
          throw new AwsError('InvalidParameterException', 'Missing required parameter USERNAME');
        const user = users.get(username);
        // The deployed client has preventUserExistenceErrors: an unknown user reads like a wrong password.
        if (!user) throw new AwsError('NotAuthorizedException', 'Incorrect username or password.');
        if (user.password !== password)
          throw new AwsError('NotAuthorizedException', 'Incorrect username or password.');
        if (user.temporary)
          return challenge(user, 'NEW_PASSWORD_REQUIRED', {
            USER_ID_FOR_SRP: user.sub,
            requiredAttributes: '[]',
            userAttributes: JSON.stringify({ email_verified: 'true', email: user.username }),
          });
        return afterPassword(user);
      }
      if (body.AuthFlow === 'REFRESH_TOKEN_AUTH' || body.AuthFlow === 'REFRESH_TOKEN') {
        const token = text(params, 'REFRESH_TOKEN') ?? '';
        const known = refreshTokens.get(token);
        if (!known) throw new AwsError('NotAuthorizedException', 'Invalid Refresh Token');
        if (known.revoked) throw new AwsError('NotAuthorizedException', 'Refresh Token has been revoked');
        return issue(users.get(known.username)!, 3600, token);
      }
      throw new AwsError(
        'InvalidParameterException',
        `${String(body.AuthFlow)} flow not enabled for this client`,
      );
    },
    RespondToAuthChallenge(body) {
      requireClient(body);
      const name = text(body, 'ChallengeName');
      const responses = (body.ChallengeResponses ?? {}) as Record<string, unknown>;
      const session = sessions.get(text(body, 'Session') ?? '');
      if (!session || session.expires < now() || session.challenge !== name)
        throw new AwsError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
      const user = users.get(session.username)!;
      // "The value of the USERNAME attribute must be the user's actual username, not an alias": the pool
      // signs in with the email (usernameAttributes), so the username is the generated one that the
      // challenge gave as USER_ID_FOR_SRP.
      if (text(responses, 'USERNAME') !== user.sub)
        throw new AwsError('NotAuthorizedException', 'Incorrect username or password.');
      if (name === 'NEW_PASSWORD_REQUIRED') {
        const password = text(responses, 'NEW_PASSWORD') ?? '';
        const broken = POLICY.find(([rule]) => !rule.test(password));
        if (broken)
          throw new AwsError('InvalidPasswordException', `Password does not conform to policy: ${broken[1]}`);
        sessions.delete(text(body, 'Session')!);
        user.password = password;
        user.temporary = false;
        return afterPassword(user);
      }
      if (name === 'SOFTWARE_TOKEN_MFA') {
        if (text(responses, 'SOFTWARE_TOKEN_MFA_CODE') !== user.totpCode)
          throw new AwsError('CodeMismatchException', 'Invalid code received for user');
        sessions.delete(text(body, 'Session')!);
        return issue(user, user.signInExpiresIn ?? 3600);
      }
      throw new AwsError('InvalidParameterException', `Unsupported challenge ${String(name)}`);
    },
    RevokeToken(body) {
      requireClient(body);
      const token = text(body, 'Token');
      if (!token)
        throw new AwsError(
          'InvalidParameterException',
          "1 validation error detected: Value null at 'token' failed to satisfy constraint: Member must not be null",
        );
      const known = refreshTokens.get(token);
      if (known) known.revoked = true;
      return {};
    },
  };

  function cors(req: IncomingMessage, res: ServerResponse, to: Preflight['to']): boolean {
    if (req.method !== 'OPTIONS') return false;
    const origin = req.headers.origin ?? null;
    const method = (req.headers['access-control-request-method'] as string | undefined) ?? null;
    const headers = (req.headers['access-control-request-headers'] as string | undefined) ?? null;
    const asked = (headers ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    const allowedHeaders = to === 'cognito' ? COGNITO_ALLOWED_HEADERS : API_ALLOWED_HEADERS;
    const originOk = to === 'cognito' || (origin !== null && options.allowOrigins().includes(origin));
    const methodOk =
      to === 'cognito' ? method === 'POST' : ['GET', 'POST', 'PUT', 'DELETE'].includes(method ?? '');
    const allowed = originOk && methodOk && asked.every((h) => allowedHeaders.includes(h));
    log.preflights.push({ to, origin, method, headers, allowed });
    if (!allowed) {
      res.writeHead(to === 'cognito' ? 200 : 204).end();
      return true;
    }
    res
      .writeHead(to === 'cognito' ? 200 : 204, {
        'access-control-allow-origin': to === 'cognito' ? '*' : origin!,
        'access-control-allow-methods': to === 'cognito' ? 'POST' : 'GET,POST,PUT,DELETE,OPTIONS',
        'access-control-allow-headers': asked.join(','),
        'access-control-max-age': to === 'cognito' ? '172800' : '600',
        ...(to === 'api' ? { vary: 'origin' } : {}),
      })
      .end();
    return true;
  }

  async function cognito(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (cors(req, res, 'cognito')) return;
    const raw = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target.startsWith('AWSCognitoIdentityProviderService.')
      ? target.slice('AWSCognitoIdentityProviderService.'.length)
      : '';
    const contentType = req.headers['content-type'] ?? null;
    let body: Record<string, unknown> = {};
    let status = 200;
    let answer: Record<string, unknown>;
    try {
      if (req.method !== 'POST' || req.url !== '/') throw new AwsError('UnknownOperationException', '');
      if (contentType !== 'application/x-amz-json-1.1')
        throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        throw new AwsError('SerializationException', 'Unexpected character in request body.');
      }
      const run = actions[action];
      if (!run) throw new AwsError('UnknownOperationException', '');
      answer = run(body);
    } catch (e) {
      if (!(e instanceof AwsError)) throw e;
      status = 400;
      answer = { __type: e.type, message: e.message };
    }
    log.cognito.push({
      action: action || target,
      contentType,
      origin: req.headers.origin ?? null,
      body,
      status,
      ...(status === 400 ? { error: String(answer.__type) } : {}),
      answer,
    });
    const headers: Record<string, string> = {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': randomUUID(),
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date',
    };
    if (status === 400) headers['x-amzn-errortype'] = `${String(answer.__type)}:`;
    res.writeHead(status, headers).end(JSON.stringify(answer));
  }

  /** What the JWT authorizer checks; null when the token is good. */
  function refusal(token: string | null): string | null {
    if (!token) return 'the token is missing';
    const [head, body, sig] = token.split('.');
    if (!head || !body || !sig) return 'the token is malformed';
    const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
    if (sig !== expected) return 'signature is invalid';
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (claims.iss !== issuer) return 'the token has an invalid issuer';
    if (claims.aud !== options.clientId) return 'the token does not have a valid audience';
    if (claims.token_use !== 'id') return 'the token is not an ID token';
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now()) return 'the token has expired';
    return null;
  }

  async function api(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (cors(req, res, 'api')) return;
    const origin = req.headers.origin;
    const corsHeaders: Record<string, string> =
      origin && options.allowOrigins().includes(origin)
        ? {
            'access-control-allow-origin': origin,
            vary: 'origin',
            'access-control-expose-headers': 'content-disposition',
          }
        : {};
    const header = req.headers.authorization ?? null;
    const token = header?.startsWith('Bearer ') ? header.slice(7) : header;
    const path = req.url ?? '/';
    const why = header?.startsWith('Bearer ') ? refusal(token) : 'the token is missing';
    if (why) {
      log.api.push({ method: req.method ?? '', path, token, status: 401, refused: why });
      res
        .writeHead(401, {
          ...corsHeaders,
          'content-type': 'application/json',
          'www-authenticate': `Bearer scope="" error="invalid_token" error_description="${why}"`,
        })
        .end(JSON.stringify({ message: 'Unauthorized' }));
      return;
    }
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req);
    const upstream = await new Promise<IncomingMessage>((ok, fail) => {
      const r = httpRequest(
        new URL(path, options.vigilUrl),
        {
          method: req.method,
          headers: {
            authorization: `Api-Key ${options.vigilKey}`,
            accept: req.headers.accept ?? 'application/json',
            ...(req.headers['content-type'] ? { 'content-type': req.headers['content-type'] } : {}),
          },
        },
        ok,
      );
      r.on('error', fail);
      r.end(body);
    });
    log.api.push({ method: req.method ?? '', path, token, status: upstream.statusCode ?? 502 });
    const pass: Record<string, string> = { ...corsHeaders };
    for (const h of ['content-type', 'content-disposition']) {
      const v = upstream.headers[h];
      if (typeof v === 'string') pass[h] = v;
    }
    res.writeHead(upstream.statusCode ?? 502, pass);
    upstream.pipe(res);
  }

  async function dashboard(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/config.json') {
      res
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(options.dashboardConfig()));
      return;
    }
    const file = normalize(join(options.distDir, path === '/' ? 'index.html' : path));
    const inside = file.startsWith(options.distDir);
    for (const candidate of inside ? [file, join(options.distDir, 'index.html')] : []) {
      try {
        const content = await readFile(candidate);
        res
          .writeHead(200, { 'content-type': MIME[extname(candidate)] ?? 'application/octet-stream' })
          .end(content);
        return;
      } catch {
        // SPA fallback
      }
    }
    res.writeHead(404).end();
  }

  const guard =
    (h: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    (req: IncomingMessage, res: ServerResponse) => {
      h(req, res).catch((e: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake world failed: ${e.stack ?? e.message}`);
      });
    };

  return {
    cognito: guard(cognito),
    api: guard(api),
    dashboard: guard(dashboard),
    log,
    /** Moves the pool's and the API's clock (not the browser's). */
    advance(ms: number) {
      offsetMs += ms;
    },
    /** Revokes every refresh token of a user, as an administrator's global sign-out would. */
    revokeUser(username: string): number {
      let n = 0;
      for (const t of refreshTokens.values()) {
        if (t.username === username && !t.revoked) {
          t.revoked = true;
          n += 1;
        }
      }
      return n;
    },
    /** Whether the pool still accepts this refresh token. */
    refreshTokenState(token: string): 'valid' | 'revoked' | 'unknown' {
      const t = refreshTokens.get(token);
      return !t ? 'unknown' : t.revoked ? 'revoked' : 'valid';
    },
  };
}

export type CognitoWorld = ReturnType<typeof createCognitoWorld>;
