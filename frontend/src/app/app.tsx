import { useEffect, useMemo, useState } from 'react';
import { KeyPrompt } from '../components/ui/key-prompt';
import { Link } from '../components/ui/link';
import { ErrorState, Loading } from '../components/ui/states';
import { AgentsScreen } from '../features/agents/components/agents-screen';
import { SessionScreen } from '../features/sessions/components/session-screen';
import { createApiClient } from '../lib/api-client';
import { clearApiKey, getApiKey, getPromptReason, setApiKey, useApiKey } from '../lib/auth-store';
import { navigate, useSearch } from '../lib/router';
import { agentsHref, parseRoute } from '../lib/routes';
import { type Theme, useTheme } from '../lib/theme';
import { ApiClientContext, clearApiCache, useApi } from '../lib/use-api';
import { type AppConfig, loadConfig } from './config';
import { ProductionLayout } from './production-layout';

export interface AppProps {
  /** Injected in tests; the browser's fetch otherwise. */
  fetch?: typeof fetch;
  /** Skips loading config.json (tests). */
  config?: AppConfig;
}

/** Loads config.json, asks for an API key when there is none, then routes. */
export function App({ fetch: fetchImpl, config: preset }: AppProps) {
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
  const client = useMemo(
    () =>
      config &&
      createApiClient({
        baseUrl: config.apiBaseUrl,
        getKey: getApiKey,
        fetch: fetchImpl,
        onUnauthorized: () => {
          clearApiCache();
          clearApiKey('That API key was refused (401): it is wrong, revoked or lacks the read scope.');
        },
      }),
    [config, fetchImpl],
  );

  if (configError) {
    return (
      <main className="page">
        <ErrorState error={configError} onRetry={() => setAttempt((n) => n + 1)} />
      </main>
    );
  }
  if (!config || !client) return <Loading label="Starting…" />;
  if (!key) {
    return (
      <KeyPrompt
        reason={getPromptReason()}
        mode={config.mode}
        onSubmit={(k) => {
          clearApiCache();
          setApiKey(k);
        }}
      />
    );
  }
  return (
    <ApiClientContext.Provider value={client}>
      <Shell config={config} />
    </ApiClientContext.Provider>
  );
}

function Shell({ config }: { config: AppConfig }) {
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
          <button type="button" onClick={() => clearApiKey(null)}>
            Change key
          </button>
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
