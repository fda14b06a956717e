import { useEffect, useMemo, useState } from 'react';
import { KeyPrompt } from '../components/ui/key-prompt';
import { Link } from '../components/ui/link';
import { ErrorState, Loading } from '../components/ui/states';
import { AgentsScreen } from '../features/agents/components/agents-screen';
import { SessionScreen } from '../features/sessions/components/session-screen';
import { SignInForm } from '../features/sign-in/components/sign-in-form';
import { createCognitoClient, jwtClaims } from '../features/sign-in/lib/cognito';
import { createTokenKeeper, type TokenKeeper } from '../features/sign-in/lib/session';
import { createApiClient } from '../lib/api-client';
import {
  clearApiKey,
  clearJwtSession,
  getApiKey,
  getJwtSession,
  getPromptReason,
  setApiKey,
  setAuthMethod,
  setJwtSession,
  useApiKey,
  useAuthMethod,
  useJwtSession,
} from '../lib/auth-store';
import { navigate, useSearch } from '../lib/router';
import { agentsHref, parseRoute } from '../lib/routes';
import { type Theme, useTheme } from '../lib/theme';
import { ApiClientContext, clearApiCache, useApi } from '../lib/use-api';
import { type AppConfig, cognitoAuth, loadConfig } from './config';
import { ProductionLayout } from './production-layout';

export interface AppProps {
  /** Injected in tests; the browser's fetch otherwise. */
  fetch?: typeof fetch;
  /** Skips loading config.json (tests). */
  config?: AppConfig;
  /** Epoch ms, for token expiry (tests). */
  now?: () => number;
}

/**
 * Loads config.json, then signs the user in — with the Cognito user pool where the deployment has one
 * (JWT to `auth.apiBaseUrl`), else (or by choice, where allowed) with an API key to `apiBaseUrl` — and
 * routes.
 */
export function App({ fetch: fetchImpl, config: preset, now }: AppProps) {
  const [config, setConfig] = useState<AppConfig | null>(preset ?? null);
  const [configError, setConfigError] = useState<Error | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (preset) return;
    void attempt;
    setConfigError(null);
    loadConfig(fetchImpl).then(setConfig, (e: Error) => setConfigError(e));
  }, [preset, fetchImpl, attempt]);

  const key = useApiKey();
  const jwt = useJwtSession();
  const chosen = useAuthMethod();
  const cognito = useMemo(() => (config ? cognitoAuth(config) : null), [config]);
  const cognitoClient = useMemo(
    () =>
      cognito &&
      createCognitoClient(
        { region: cognito.region, userPoolClientId: cognito.userPoolClientId },
        { fetch: fetchImpl, now },
      ),
    [cognito, fetchImpl, now],
  );
  const keeper = useMemo(() => cognitoClient && createTokenKeeper(cognitoClient, now), [cognitoClient, now]);
  // With a user pool, signing in is the default; an API key is used when chosen (or already stored)
  // and the deployment allows it.
  const method =
    cognito && keeper
      ? cognito.apiKeyFallback && (chosen === 'api-key' || (chosen === null && key !== null && jwt === null))
        ? 'api-key'
        : 'sign-in'
      : 'api-key';
  const client = useMemo(() => {
    if (!config) return null;
    if (method === 'sign-in' && cognito && keeper) {
      return createApiClient({
        baseUrl: cognito.apiBaseUrl,
        getAuthorization: keeper.authorization,
        renew: keeper.renew,
        fetch: fetchImpl,
        onUnauthorized: () => {
          clearApiCache();
          if (getJwtSession()) clearJwtSession('The API refused your sign-in (401). Sign in again.');
        },
      });
    }
    return createApiClient({
      baseUrl: config.apiBaseUrl,
      getKey: getApiKey,
      fetch: fetchImpl,
      onUnauthorized: () => {
        clearApiCache();
        clearApiKey('That API key was refused (401): it is wrong, revoked or lacks the read scope.');
      },
    });
  }, [config, fetchImpl, method, cognito, keeper]);

  if (configError) {
    return (
      <main className="page">
        <ErrorState error={configError} onRetry={() => setAttempt((n) => n + 1)} />
      </main>
    );
  }
  if (!config || !client) return <Loading label="Starting…" />;
  if (method === 'sign-in' && cognitoClient && !jwt) {
    return (
      <SignInForm
        cognito={cognitoClient}
        reason={getPromptReason()}
        onSignedIn={(tokens) => {
          clearApiCache();
          setAuthMethod('sign-in');
          setJwtSession(tokens);
        }}
        onUseApiKey={cognito?.apiKeyFallback ? () => setAuthMethod('api-key') : undefined}
      />
    );
  }
  if (method === 'api-key' && !key) {
    return (
      <KeyPrompt
        reason={getPromptReason()}
        mode={config.mode}
        onSubmit={(k) => {
          clearApiCache();
          setApiKey(k);
        }}
        onUseSignIn={cognito ? () => setAuthMethod('sign-in') : undefined}
      />
    );
  }
  return (
    <ApiClientContext.Provider value={client}>
      <Shell
        config={config}
        user={method === 'sign-in' && jwt ? userName(jwt.idToken) : null}
        keeper={method === 'sign-in' ? keeper : null}
      />
    </ApiClientContext.Provider>
  );
}

/** Who is signed in, from the ID token's claims (display only). */
function userName(idToken: string): string {
  const c = jwtClaims(idToken);
  const name = c.email ?? c['cognito:username'] ?? c.sub;
  return typeof name === 'string' ? name : 'signed in';
}

function Shell({
  config,
  user,
  keeper,
}: {
  config: AppConfig;
  user: string | null;
  keeper: TokenKeeper | null;
}) {
  const search = useSearch();
  const route = parseRoute(search);
  const [theme, setTheme] = useTheme();
  return (
    <div className="app">
      <header className="topbar">
        <Link href={agentsHref()} className="brand">
          <span className="brand-dot" aria-hidden="true" /> Vigil
        </Link>
        {route.name !== 'agents' && <AgentSwitcher current={route.agentId} />}
        <div className="topbar-actions">
          {config.mode === 'aws' && <span className="badge">AWS</span>}
          <label className="select-label">
            Theme
            <select aria-label="Theme" value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
              <option value="system">System</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
          {keeper ? (
            <>
              <span className="muted small" data-user>
                {user}
              </span>
              <button
                type="button"
                onClick={() => {
                  clearApiCache();
                  void keeper.signOut();
                }}
              >
                Sign out
              </button>
            </>
          ) : (
            <button type="button" onClick={() => clearApiKey(null)}>
              Change key
            </button>
          )}
        </div>
      </header>
      {route.name === 'agents' && <AgentsScreen />}
      {route.name === 'agent' && (
        <ProductionLayout key={route.agentId} agentId={route.agentId} view={route.view} />
      )}
      {route.name === 'session' && (
        <SessionScreen agentId={route.agentId} sessionId={route.sessionId} from={route.view} />
      )}
    </div>
  );
}

/** Jumps between agents, keeping the tab. */
function AgentSwitcher({ current }: { current: string }) {
  const agents = useApi('agents', (c, s) => c.agents(s));
  const search = useSearch();
  const view = new URLSearchParams(search).get('view');
  return (
    <label className="select-label agent-switcher">
      Agent
      <select
        aria-label="Agent"
        value={current}
        onChange={(e) => {
          const sp = new URLSearchParams({ agent: e.target.value });
          if (view) sp.set('view', view);
          navigate(`?${sp}`);
        }}
      >
        {!agents.data?.agents.some((a) => a.agent_id === current) && (
          <option value={current}>{current}</option>
        )}
        {agents.data?.agents.map((a) => (
          <option key={a.agent_id} value={a.agent_id}>
            {a.agent_id}
          </option>
        ))}
      </select>
    </label>
  );
}
