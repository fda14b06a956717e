/** Import direction (STYLE.md): domain → contracts; adapters → domain, contracts, SDKs; handlers and
 * local → everything below them; frontend → contracts only. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'lambdas/domain imports contracts/ and itself only (node built-ins allowed), never SDKs, middy, Powertools.',
      severity: 'error',
      from: { path: '^lambdas/domain/' },
      to: {
        pathNot: ['^lambdas/domain/', '^contracts/', '^node_modules/zod/'],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'contracts-are-leaves',
      severity: 'error',
      from: { path: '^contracts/' },
      to: { pathNot: ['^contracts/', '^node_modules/zod/'] },
    },
    {
      name: 'adapters-do-not-reach-up',
      severity: 'error',
      from: { path: '^lambdas/adapters/' },
      to: { path: ['^lambdas/handlers/', '^lambdas/platform/', '^local/', '^infra/', '^frontend/'] },
    },
    {
      name: 'platform-does-not-reach-up',
      severity: 'error',
      from: { path: '^lambdas/platform/' },
      to: { path: ['^lambdas/handlers/', '^lambdas/adapters/', '^local/', '^infra/'] },
    },
    {
      name: 'handlers-not-local',
      severity: 'error',
      from: { path: '^lambdas/' },
      to: { path: ['^local/', '^infra/', '^frontend/', '^scripts/'] },
    },
    {
      name: 'frontend-reads-contracts-only',
      severity: 'error',
      from: { path: '^frontend/src/' },
      to: { path: ['^lambdas/', '^local/', '^infra/'] },
    },
    {
      name: 'infra-refers-to-handlers-by-path',
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: ['^lambdas/', '^local/'] },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.json'] },
  },
};
