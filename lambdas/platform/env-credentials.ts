/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias set in
 * infra/config/bundling.ts; the local runtime, scripts and tests keep the real chain).
 *
 * Every SDK client's Node runtime config imports that package's `defaultProvider`, which drags in the
 * whole default chain (SSO, ini files, process, web identity, ECS/IMDS) and the STS/SSO nested clients:
 * ~60 KB of each bundle that a Lambda never runs, because the Lambda runtime puts the execution role's
 * session credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN before the
 * handler module loads. The SDK caches what this returns and asks again only once it has expired, so
 * reading the environment on each call is cheap and follows whatever the runtime sets.
 */

/** What the SDK's signers take (structurally @smithy/types' AwsCredentialIdentity). */
export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Same shape as the real package's export: a factory that takes the client config (unused here). */
export const defaultProvider =
  (_init?: unknown): (() => Promise<AwsCredentialIdentity>) =>
  async () =>
    credentialsFromEnv(process.env);

/** The Lambda runtime's credentials, or an error naming the variables that are missing. */
export function credentialsFromEnv(source: NodeJS.ProcessEnv): AwsCredentialIdentity {
  const accessKeyId = source.AWS_ACCESS_KEY_ID;
  const secretAccessKey = source.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(
      'AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set (the Lambda runtime sets ' +
        'them; this bundle has no other credential source)',
    );
  }
  const sessionToken = source.AWS_SESSION_TOKEN;
  const expiry = source.AWS_CREDENTIAL_EXPIRATION;
  return {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken ? { sessionToken } : {}),
    ...(expiry ? { expiration: new Date(expiry) } : {}),
  };
}

/** Re-exported by the real package; kept so anything that imports them still links. */
export const credentialsWillNeedRefresh = (credentials?: AwsCredentialIdentity): boolean =>
  credentials?.expiration !== undefined;

export const credentialsTreatedAsExpired = (credentials?: AwsCredentialIdentity): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
