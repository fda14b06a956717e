/**
 * The dashboard's runtime settings, read once from `config.json` served beside the app: locally
 * `{ apiBaseUrl: '', mode: 'local' }` (same origin), on AWS the API's URL and auth settings.
 */
export interface AppConfig {
  /** Prefix for every API call; '' means the origin that served the dashboard. */
  apiBaseUrl: string;
  mode: 'local' | 'aws';
  /** Auth settings for AWS deployments. Only API-key auth exists today; others fall back to it. */
  auth: { type: 'api-key' } | { type: string; [k: string]: unknown };
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
    const type = (o.auth as Record<string, unknown>).type;
    auth = { ...(o.auth as Record<string, unknown>), type: typeof type === 'string' ? type : 'api-key' };
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
