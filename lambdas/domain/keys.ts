import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DomainError } from './errors';
import type { ApiKeyRecord, KeyStore } from './ports';

export type Scope = ApiKeyRecord['scopes'][number];

/** Who is calling: the key record behind the request's credentials. */
export interface Principal {
  keyId: string;
  scopes: Scope[];
  agents: '*' | string[];
}

export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** Keys look like `vgl_<43 url-safe chars>`; the prefix shown in listings is the first 12 chars. */
export function generateKey(): { key: string; prefix: string; hash: string } {
  const key = `vgl_${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, 12), hash: hashKey(key) };
}

export async function createKey(
  keys: KeyStore,
  input: { name: string; scopes: Scope[]; agents: '*' | string[] },
  now: number,
  presetKey?: string,
): Promise<{ key: string; record: ApiKeyRecord }> {
  const generated = presetKey
    ? { key: presetKey, prefix: presetKey.slice(0, 12), hash: hashKey(presetKey) }
    : generateKey();
  const record: ApiKeyRecord = {
    keyId: `key_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
    prefix: generated.prefix,
    hash: generated.hash,
    name: input.name,
    scopes: [...new Set(input.scopes)],
    agents: input.agents === '*' ? '*' : [...new Set(input.agents)],
    createdAt: now,
    revokedAt: null,
    lastUsedAt: null,
  };
  await keys.put(record);
  return { key: generated.key, record };
}

/**
 * The Cognito group whose members administer keys from the dashboard. The CDK data stack creates a
 * group of this name (test/infra checks the two stay equal).
 */
export const DASHBOARD_ADMIN_GROUP = 'vigil-admins';

/**
 * A dashboard user whose JWT API Gateway's authorizer has already verified (signature, issuer, audience
 * and expiry, against the Vigil user pool) before the Lambda ran. It stands in for an API key.
 */
export interface VerifiedJwt {
  kind: 'jwt';
  subject: string;
  groups: string[];
}

/** What a request authenticates with: an API key, or a JWT the platform has verified. */
export type Credential = string | VerifiedJwt;

/**
 * Where the HTTP adapter puts a verified JWT on a request's headers. A symbol key: no header a client
 * sends can produce it, so only the platform (from API Gateway's authorizer context) can set it.
 */
export const VERIFIED_JWT: unique symbol = Symbol('vigil.verifiedJwt');

export type RequestHeaders = Record<string, string | undefined> & { [VERIFIED_JWT]?: VerifiedJwt };

/**
 * Reads verified claims (API Gateway's `requestContext.authorizer.jwt.claims`). HTTP APIs flatten an
 * array claim such as `cognito:groups` to the text "[a b]"; a real array is accepted too.
 */
export function verifiedJwtFrom(claims: Record<string, unknown>): VerifiedJwt | null {
  const subject = claims['sub'];
  if (typeof subject !== 'string' || subject === '') return null;
  const raw = claims['cognito:groups'];
  const groups = Array.isArray(raw)
    ? raw.filter((g): g is string => typeof g === 'string')
    : typeof raw === 'string'
      ? raw
          .replace(/^\[|\]$/g, '')
          .split(/[\s,]+/)
          .filter(Boolean)
      : [];
  return { kind: 'jwt', subject, groups };
}

/**
 * A dashboard user reads every agent; members of DASHBOARD_ADMIN_GROUP also manage keys. The key id
 * names the user, so logs and audit fields say who acted.
 */
export function principalFromJwt(jwt: VerifiedJwt): Principal {
  return {
    keyId: `cognito:${jwt.subject}`,
    scopes: jwt.groups.includes(DASHBOARD_ADMIN_GROUP) ? ['read', 'admin'] : ['read'],
    agents: '*',
  };
}

/**
 * The request's credential: a platform-verified JWT when there is one, else the key from
 * `Authorization: Api-Key <k>` / `Bearer <k>` or `x-api-key`.
 */
export function credentialFrom(headers: RequestHeaders): Credential | null {
  const jwt = headers[VERIFIED_JWT];
  if (jwt) return jwt;
  const auth = headers['authorization'];
  if (auth) {
    const m = /^\s*(?:api-key|bearer|apikey|token)\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1]!;
  }
  const x = headers['x-api-key'];
  return x ? x.trim() : null;
}

/**
 * Resolves a key to a principal, with a small positive cache (keys are looked up on every request).
 * Revocation takes effect within `ttlMs`.
 */
export class Authenticator {
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();

  constructor(
    private readonly keys: KeyStore,
    private readonly now: () => number,
    private readonly ttlMs = 30_000,
  ) {}

  async authenticate(credential: Credential | null): Promise<Principal> {
    if (typeof credential === 'object' && credential !== null) return principalFromJwt(credential);
    if (!credential) throw new DomainError('auth', 'missing API key: send Authorization: Api-Key <key>');
    const hash = hashKey(credential);
    const t = this.now();
    const cached = this.cache.get(hash);
    let principal: Principal | null;
    if (cached && cached.until > t) {
      principal = cached.principal;
    } else {
      const record = await this.keys.getByHash(hash);
      principal =
        record && record.revokedAt === null
          ? { keyId: record.keyId, scopes: record.scopes, agents: record.agents }
          : null;
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(hash, { principal, until: t + this.ttlMs });
    }
    if (!principal) throw new DomainError('auth', 'invalid or revoked API key');
    return principal;
  }

  forget(): void {
    this.cache.clear();
  }
}

export function requireScope(p: Principal, scope: Scope): void {
  if (!p.scopes.includes(scope) && !p.scopes.includes('admin')) {
    throw new DomainError('forbidden', `this API key lacks the "${scope}" scope`);
  }
}

export function requireAgent(p: Principal, agentId: string, scope: Scope): void {
  requireScope(p, scope);
  if (p.agents !== '*' && !p.agents.includes(agentId)) {
    throw new DomainError('forbidden', `this API key may not access agent "${agentId}"`);
  }
}
