/**
 * The dashboard's runtime settings, read once from `config.json` served beside the app: locally
 * `{ apiBaseUrl: '', mode: 'local' }` (same origin), on AWS the API's URL and auth settings.
 */
export interface AppConfig {
  /** Prefix for every API call; '' means the origin that served the dashboard. */
  apiBaseUrl: string;
  mode: 'local' | 'aws';
  /** How users sign in: API keys, or (AWS) the Cognito user pool; unknown types fall back to API keys. */
  auth: { type: 'api-key' } | CognitoAuth | { type: string; [k: string]: unknown };
}

/** Sign-in with the deployment's Cognito user pool (written by infra/stacks/dashboard-stack.ts). */
export interface CognitoAuth {
  type: 'cognito';
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  /** The JWT-protected API (Authorization: Bearer <ID token>). */
  apiBaseUrl: string;
  /** Offer "use an API key instead" (against the top-level apiBaseUrl). */
  apiKeyFallback: boolean;
}

/** The Cognito settings when the dashboard signs users in with Cognito (parseConfig checked them). */
export function cognitoAuth(config: AppConfig): CognitoAuth | null {
  const a = config.auth as Partial<CognitoAuth>;
  return a.type === 'cognito' && typeof a.region === 'string' && typeof a.userPoolClientId === 'string'
    ? (a as CognitoAuth)
    : null;
}

function parseCognito(a: Record<string, unknown>): CognitoAuth {
  const text = (field: string, rule: RegExp, what: string): string => {
    const v = a[field];
    if (typeof v !== 'string' || !rule.test(v))
      throw new ConfigError(`config.json: auth.${field} must be ${what}`);
    return v;
  };
  return {
    type: 'cognito',
    region: text('region', /^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as eu-west-1'),
    userPoolId: text('userPoolId', /^[\w-]+_[0-9a-zA-Z]+$/, 'a user pool id such as eu-west-1_AbC123'),
    userPoolClientId: text('userPoolClientId', /^[\w+]+$/, 'an app client id'),
    apiBaseUrl: text('apiBaseUrl', /^https?:\/\//, 'an http(s) URL').replace(/\/+$/, ''),
    apiKeyFallback: a.apiKeyFallback === true,
  };
}

export class ConfigError extends Error {}

const DEFAULT_CONFIG: AppConfig = { apiBaseUrl: '', mode: 'local', auth: { type: 'api-key' } };

/** Validates an untrusted config.json body; unknown fields are ignored so newer files keep working. */
export function parseConfig(raw: unknown): AppConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('config.json must be a JSON object');
  }
  const o = raw as Record<string, unknown>;
  const base = o.apiBaseUrl ?? '';
  if (typeof base !== 'string') throw new ConfigError('config.json: apiBaseUrl must be a string');
  if (base !== '' && !/^(https?:\/\/|\/)/.test(base)) {
    throw new ConfigError('config.json: apiBaseUrl must be empty, a path or an http(s) URL');
  }
  const mode = o.mode ?? 'local';
  if (mode !== 'local' && mode !== 'aws') throw new ConfigError('config.json: mode must be local or aws');
  let auth: AppConfig['auth'] = { type: 'api-key' };
  if (o.auth !== undefined && o.auth !== null) {
    if (typeof o.auth !== 'object' || Array.isArray(o.auth)) {
      throw new ConfigError('config.json: auth must be an object');
    }
    const a = o.auth as Record<string, unknown>;
    auth =
      a.type === 'cognito'
        ? parseCognito(a)
        : { ...a, type: typeof a.type === 'string' ? a.type : 'api-key' };
  }
  return { apiBaseUrl: base.replace(/\/+$/, ''), mode, auth };
}

/** Loads config.json relative to the page, so it works under any hosting prefix. */
export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<AppConfig> {
  const res = await fetchImpl('./config.json', { headers: { accept: 'application/json' } });
  if (res.status === 404) return DEFAULT_CONFIG;
  if (!res.ok) throw new ConfigError(`config.json: HTTP ${res.status}`);
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new ConfigError('config.json is not valid JSON');
  }
  return parseConfig(body);
}
