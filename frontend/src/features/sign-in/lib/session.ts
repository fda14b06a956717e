import { clearJwtSession, getJwtSession, type JwtSession, setJwtSession } from '../../../lib/auth-store';
import type { CognitoClient } from './cognito';

/** Refresh this long before the tokens expire, so a request never leaves with a token about to lapse. */
export const REFRESH_MARGIN_MS = 60_000;

/**
 * Keeps the signed-in user's tokens fresh for the API client: the Authorization header for the next
 * request (refreshing first when the tokens expire within REFRESH_MARGIN_MS) and one refresh after a
 * 401. Concurrent callers share one refresh. A refused refresh signs the user out with a reason.
 */
export function createTokenKeeper(cognito: CognitoClient, now: () => number = Date.now) {
  let inflight: Promise<JwtSession | null> | null = null;

  async function doRefresh(): Promise<JwtSession | null> {
    const current = getJwtSession();
    if (!current) return null;
    try {
      const fresh = await cognito.refresh(current.refreshToken);
      setJwtSession(fresh);
      return fresh;
    } catch (e) {
      // A network failure keeps the tokens (the next request retries); a refusal ends the session.
      if ((e as { type?: string }).type === 'NetworkError') return null;
      clearJwtSession('Your session has ended. Sign in again.');
      return null;
    }
  }

  function refreshOnce(): Promise<JwtSession | null> {
    if (!inflight) {
      inflight = doRefresh();
      void inflight.finally(() => {
        inflight = null;
      });
    }
    return inflight;
  }

  return {
    /** `Bearer <ID token>`: the token whose `aud` the dashboard API's authorizer checks. */
    async authorization(): Promise<string | null> {
      let session = getJwtSession();
      if (!session) return null;
      if (session.expiresAt - now() < REFRESH_MARGIN_MS) session = await refreshOnce();
      return session ? `Bearer ${session.idToken}` : null;
    },
    /**
     * After a 401 for a request sent with `refused` (its Authorization header): true when new tokens
     * were obtained and the request may be retried once. Tokens already replaced since that request
     * left (another 401's refresh finished first) count as renewed, without another refresh.
     */
    async renew(refused?: string): Promise<boolean> {
      const current = getJwtSession();
      if (refused && current && refused !== `Bearer ${current.idToken}`) return true;
      return (await refreshOnce()) !== null;
    },
    /** Forgets the tokens here and revokes the refresh token at Cognito (best effort). */
    async signOut(): Promise<void> {
      const session = getJwtSession();
      clearJwtSession(null);
      if (!session) return;
      try {
        await cognito.revoke(session.refreshToken);
      } catch {
        // already signed out locally; an unrevoked refresh token expires on its own
      }
    },
  };
}

export type TokenKeeper = ReturnType<typeof createTokenKeeper>;
