import { createKeyBody } from '../../contracts/keys';
import { priceOverridesBody } from '../../contracts/prices';
import { DomainError } from '../domain/errors';
import { createKey, credentialFrom, requireScope } from '../domain/keys';
import type { PriceOverride } from '../domain/pricing/pricing';
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
      method: 'GET',
      pattern: '/api/admin/agents/{agent_id}/prices',
      handle: async (req) => {
        await admin(req);
        const overrides = (await deps.settings?.getPriceOverrides(req.params.agent_id!)) ?? [];
        return {
          status: 200,
          body: { agent_id: req.params.agent_id, overrides: overrides.map(overrideView) },
        };
      },
    },
    {
      method: 'PUT',
      pattern: '/api/admin/agents/{agent_id}/prices',
      handle: async (req) => {
        await admin(req);
        if (!deps.settings)
          throw new DomainError('not-found', 'price overrides are not available in this deployment');
        const body = parseBody(priceOverridesBody, req.json ?? {});
        const agentId = req.params.agent_id!;
        const overrides: PriceOverride[] = body.overrides.map((o) => ({
          ...(o.provider ? { provider: o.provider } : {}),
          model: o.model,
          inputPerMTok: o.input_per_mtok,
          outputPerMTok: o.output_per_mtok,
          cachedInputPerMTok: o.cached_input_per_mtok ?? null,
          reasoningPerMTok: o.reasoning_per_mtok ?? null,
        }));
        await deps.settings.setPriceOverrides(agentId, overrides, deps.clock.now());
        deps.agentPrices?.forget(agentId);
        return { status: 200, body: { agent_id: agentId, overrides: overrides.map(overrideView) } };
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

const overrideView = (o: PriceOverride) => ({
  provider: o.provider ?? null,
  model: o.model,
  input_per_mtok: o.inputPerMTok,
  output_per_mtok: o.outputPerMTok,
  cached_input_per_mtok: o.cachedInputPerMTok ?? null,
  reasoning_per_mtok: o.reasoningPerMTok ?? null,
});

export function createAdminHandler(deps: HandlerDeps) {
  return httpHandler(createAdminRoutes(deps), { logger: deps.logger, corsOrigins: deps.corsOrigins });
}

let adminLambda: ReturnType<typeof createAdminHandler> | undefined;

/** Lambda entry point: key management routes. */
export const handler: ReturnType<typeof createAdminHandler> = ((event, context) => {
  adminLambda ??= createAdminHandler(awsDeps());
  return adminLambda(event, context);
}) as ReturnType<typeof createAdminHandler>;
