import { type FormEvent, useState } from 'react';

/** Asks for an API key (read scope). Locally `npm start` prints the admin key on its first start. */
export function KeyPrompt({
  reason,
  mode,
  onSubmit,
  onUseSignIn,
}: {
  reason: string | null;
  mode: 'local' | 'aws';
  onSubmit: (key: string) => void;
  /** Shown as "Sign in with your user instead" on deployments with a user pool. */
  onUseSignIn?: () => void;
}) {
  const [value, setValue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) onSubmit(value.trim());
  };
  return (
    <main className="key-prompt">
      <form onSubmit={submit} aria-label="API key">
        <h1>Vigil</h1>
        <p>
          Paste an API key with the <code>read</code> scope.{' '}
          {mode === 'local'
            ? 'npm start printed the admin key when it first started (or use the key you set with VIGIL_API_KEY).'
            : 'Create one with `npm run keys -- create --scopes read` or ask your administrator.'}
        </p>
        {reason && (
          <p className="state-error" role="alert">
            {reason}
          </p>
        )}
        <label>
          API key
          <input
            type="password"
            name="api-key"
            autoComplete="off"
            spellCheck={false}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            placeholder="vgl_…"
          />
        </label>
        <button type="submit" disabled={!value.trim()}>
          Open dashboard
        </button>
        {onUseSignIn && (
          <button type="button" className="link-button" onClick={onUseSignIn}>
            Sign in with your user instead
          </button>
        )}
        <p className="muted small">
          The key stays in this browser (localStorage) and is sent only to the Vigil API.
        </p>
      </form>
    </main>
  );
}
