import type { VigilSettings } from './settings';

/**
 * How every Lambda entry is bundled: one definition used by the CDK function construct
 * (NodejsFunction → esbuild) and by bench/lambda-bundles.ts, so the measured bundle is the deployed one.
 */
export const LAMBDA_BUNDLING = {
  /** The Lambda runtime's Node major (nodejs24.x). */
  target: 'node24',
  platform: 'node',
  format: 'esm',
  minify: true,
  /** Source maps would roughly double the bundle and slow the cold start; stack traces stay readable enough. */
  sourceMap: false,
  /** Prefer ES module builds so esbuild can tree-shake them. */
  mainFields: ['module', 'main'],
  /**
   * The AWS SDK is bundled (not taken from the runtime): a pinned, tree-shaken SDK starts faster and
   * never changes under us. No module is external.
   */
  externalModules: [] as string[],
  /**
   * Import paths replaced at bundle time (esbuild `--alias`); a replacement path is resolved from the
   * working directory, which is the repository root for NodejsFunction (local and Docker bundling) and
   * for the bench. Every SDK client's Node runtime config imports the default credential chain (SSO,
   * ini files, process, web identity, IMDS and their STS/SSO clients, ~60 KB); a Lambda only ever has
   * the runtime's environment credentials, so the bundles take them from the environment. The SDK's
   * event-stream codec is only ever loaded for streaming operations, which no Vigil Lambda calls.
   */
  alias: {
    '@aws-sdk/credential-provider-node': './lambdas/platform/env-credentials.ts',
    '@smithy/core/event-streams': './lambdas/platform/no-event-streams.ts',
  } as Record<string, string>,
  /**
   * CommonJS dependencies bundled into an ES module still call require() for Node built-ins;
   * an ESM bundle has no require, so define one.
   */
  banner:
    "import{createRequire as __vigilCreateRequire}from'node:module';const require=__vigilCreateRequire(import.meta.url);",
} as const;

/**
 * Bundle-time constants of one deployment (esbuild `define`, identifier → JavaScript expression), the
 * same for every function of it. `VIGIL_TIMESTREAM`: whether the composition root
 * (lambdas/handlers/aws-deps.ts) may build the Timestream sink; `false` makes that branch dead code, so
 * a deployment without Timestream (the default) bundles neither the sink nor the Timestream SDK client.
 */
export function bundleDefines(settings: Pick<VigilSettings, 'timestream'>): Record<string, string> {
  return { VIGIL_TIMESTREAM: settings.timestream.enabled ? 'true' : 'false' };
}
