import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ADMIN_GROUP } from '../../infra/config/functions';
import {
  Authenticator,
  createKey,
  credentialFrom,
  DASHBOARD_ADMIN_GROUP,
  principalFromJwt,
  requireScope,
  VERIFIED_JWT,
  verifiedJwtFrom,
} from '../../lambdas/domain/keys';
import type { ApiKeyRecord, KeyStore } from '../../lambdas/domain/ports';
import { httpHandler, router } from '../../lambdas/platform/http';
import { createLogger } from '../../lambdas/platform/logger';

/**
 * The contract between the dashboard API (API Gateway JWT authorizer, infra/stacks/api-stack.ts) and
 * the Lambdas: verified Cognito claims in requestContext.authorizer.jwt become a principal; nothing a
 * client sends can fake them; API keys keep working where there is no authorizer.
 */
class MemoryKeys implements KeyStore {
  readonly records = new Map<string, ApiKeyRecord>();
  async put(r: ApiKeyRecord) {
    this.records.set(r.hash, r);
  }
  async getByHash(hash: string) {
    return this.records.get(hash) ?? null;
  }
  async list() {
    return [...this.records.values()];
  }
  async revoke() {
    return false;
  }
}

function whoAmI(auth: Authenticator) {
  return httpHandler(
    router([
      {
        method: 'GET',
        pattern: '/api/whoami',
        handle: async (req) => {
          const p = await auth.authenticate(credentialFrom(req.headers));
          requireScope(p, 'read');
          return { status: 200, body: p };
        },
      },
    ]),
    { logger: createLogger('SILENT'), corsOrigins: '*' },
  );
}

function event(headers: Record<string, string>, claims?: Record<string, unknown>): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'ANY /api/{proxy+}',
    rawPath: '/api/whoami',
    rawQueryString: '',
    headers,
    requestContext: {
      http: { method: 'GET', path: '/api/whoami', protocol: 'HTTP/1.1', sourceIp: '1.2.3.4', userAgent: 't' },
      ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
    },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

const call = async (h: ReturnType<typeof whoAmI>, e: APIGatewayProxyEventV2) => {
  const res = await h(e, {} as Context);
  return { status: res.statusCode, body: JSON.parse(res.body ?? '{}') };
};

describe('dashboard sign-in (Cognito JWT verified by API Gateway)', () => {
  it('uses the group name the data stack creates', () => {
    expect(DASHBOARD_ADMIN_GROUP).toBe(ADMIN_GROUP);
  });

  it('turns verified claims into a read principal for every agent', async () => {
    // Prepare
    const h = whoAmI(new Authenticator(new MemoryKeys(), Date.now));
    // Act
    const res = await call(
      h,
      event({ authorization: 'Bearer eyJ.header.sig' }, { sub: 'user-1', 'cognito:groups': '[]' }),
    );
    // Assess
    expect(res).toEqual({ status: 200, body: { keyId: 'cognito:user-1', scopes: ['read'], agents: '*' } });
  });

  it('gives members of the admins group the admin scope (HTTP APIs flatten the groups claim to "[a b]")', async () => {
    const h = whoAmI(new Authenticator(new MemoryKeys(), Date.now));
    const res = await call(h, event({}, { sub: 'user-2', 'cognito:groups': `[readers ${ADMIN_GROUP}]` }));
    expect(res.body.scopes).toEqual(['read', 'admin']);
    expect(principalFromJwt({ kind: 'jwt', subject: 's', groups: [ADMIN_GROUP] }).scopes).toContain('admin');
    expect(verifiedJwtFrom({ sub: 's', 'cognito:groups': ['a', ADMIN_GROUP] })?.groups).toEqual([
      'a',
      ADMIN_GROUP,
    ]);
  });

  it('ignores claims without a subject', () => {
    expect(verifiedJwtFrom({ 'cognito:groups': '[x]' })).toBeNull();
    expect(verifiedJwtFrom({ sub: '' })).toBeNull();
  });

  it('cannot be forged by a client: without the authorizer context a JWT is just an unknown API key', async () => {
    const h = whoAmI(new Authenticator(new MemoryKeys(), Date.now));
    const res = await call(
      h,
      event({ authorization: 'Bearer eyJ.header.sig', 'x-vigil-verified-jwt': '{"sub":"admin"}' }),
    );
    expect(res.status).toBe(401);
    expect(credentialFrom({ [VERIFIED_JWT.toString()]: 'x' } as Record<string, string>)).toBeNull();
  });

  it('keeps API keys working where there is no authorizer', async () => {
    const keys = new MemoryKeys();
    const { key } = await createKey(keys, { name: 'script', scopes: ['read'], agents: ['a'] }, Date.now());
    const h = whoAmI(new Authenticator(keys, Date.now));
    const res = await call(h, event({ authorization: `Api-Key ${key}` }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ scopes: ['read'], agents: ['a'] });
  });
});
