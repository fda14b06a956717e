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

/** Extracts the key from `Authorization: Api-Key <k>` / `Bearer <k>` or `x-api-key`. */
export function credentialFrom(headers: Record<string, string | undefined>): string | null {
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

  async authenticate(credential: string | null): Promise<Principal> {
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
