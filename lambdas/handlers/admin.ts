import { createKeyBody } from '../../contracts/keys';
import { DomainError } from '../domain/errors';
import { createKey, credentialFrom, requireScope } from '../domain/keys';
import { type HttpRequest, httpHandler, parseBody, router } from '../platform/http';
import { awsDeps } from './aws-deps';
import type { HandlerDeps } from './deps';
import { keyView } from './views';

/** Key management: create (the key is shown once), list (prefix and metadata), revoke. Admin scope. */
export function createAdminRoutes(deps: HandlerDeps) {
  const admin = async (req: HttpRequest) =>
    requireScope(await deps.auth.authenticate(credentialFrom(req.headers)), 'admin');
  return router([
    {
      method: 'POST',
      pattern: '/api/admin/keys',
      handle: async (req) => {
        await admin(req);
        const body = parseBody(createKeyBody, req.json ?? {});
        const { key, record } = await createKey(deps.keys, body, deps.clock.now());
        return { status: 201, body: { ...keyView(record), key } };
      },
    },
    {
      method: 'GET',
      pattern: '/api/admin/keys',
      handle: async (req) => {
        await admin(req);
        return { status: 200, body: { keys: (await deps.keys.list()).map(keyView) } };
      },
    },
    {
      method: 'DELETE',
      pattern: '/api/admin/keys/{key_id}',
      handle: async (req) => {
        await admin(req);
        if (!(await deps.keys.revoke(req.params.key_id!, deps.clock.now()))) {
          throw new DomainError('not-found', `key ${req.params.key_id} not found`);
        }
        deps.auth.forget();
        return { status: 200, body: { key_id: req.params.key_id, revoked: true } };
      },
    },
  ]);
}

export function createAdminHandler(deps: HandlerDeps) {
  return httpHandler(createAdminRoutes(deps), { logger: deps.logger, corsOrigins: deps.corsOrigins });
}

let adminLambda: ReturnType<typeof createAdminHandler> | undefined;

/** Lambda entry point: key management routes. */
export const handler: ReturnType<typeof createAdminHandler> = ((event, context) => {
  adminLambda ??= createAdminHandler(awsDeps());
  return adminLambda(event, context);
}) as ReturnType<typeof createAdminHandler>;
