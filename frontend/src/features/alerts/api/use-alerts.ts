import { ApiError, UnauthorizedError } from '../../../lib/api-client';
import { useApi } from '../../../lib/use-api';

/** Every rule the key can see (the screen keeps this agent's and the every-agent ones). */
export function useAlertRules() {
  return useApi('alert-rules', (c, s) => c.alertRules(s));
}

export function useChannels() {
  return useApi('channels', (c, s) => c.channels(s));
}

/** A failed change in words; a read-only key (403) is said plainly, not as a generic failure. */
export function describeChangeError(e: Error): string {
  if (e instanceof UnauthorizedError) return 'The API key was refused (401).';
  if (e instanceof ApiError) {
    if (e.status === 403)
      return `This API key cannot change alert settings: it needs the admin scope (403: ${e.message}).`;
    if (e.status === 0) return `Cannot reach the Vigil API: ${e.message}`;
    return e.message;
  }
  return e.message || 'Something went wrong';
}

export function isForbidden(e: unknown): boolean {
  return e instanceof ApiError && e.status === 403;
}
