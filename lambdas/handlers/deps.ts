import type { IngestDeps } from '../domain/ingest';
import type { Authenticator } from '../domain/keys';
import type { KeyStore } from '../domain/ports';
import type { AgentSettingsStore } from '../domain/settings';
import type { Logger } from '../platform/logger';

/** What every HTTP handler is built from; the composition roots (Lambda env, local runtime) fill it. */
export interface HandlerDeps extends IngestDeps {
  keys: KeyStore;
  auth: Authenticator;
  logger: Logger;
  corsOrigins: string;
  /** Per-agent settings (price overrides); the admin API writes them. */
  settings?: AgentSettingsStore;
  /** Verifies a local blob-upload token (local runtime only; on AWS clients PUT straight to S3). */
  verifyUploadToken?: (token: string, now: number) => string;
}
