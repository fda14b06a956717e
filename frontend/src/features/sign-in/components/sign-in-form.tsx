import { type FormEvent, useState } from 'react';
import type { CognitoClient, CognitoTokens, SignInStep } from '../lib/cognito';

type Challenge = Exclude<SignInStep, { kind: 'signed-in' }>;

/**
 * Sign-in with the deployment's Cognito user: username (email) and password, then — for a user an
 * administrator created — a permanent password in place of the temporary one, or the authenticator
 * code of a user who enrolled TOTP.
 */
export function SignInForm({
  cognito,
  reason,
  onSignedIn,
  onUseApiKey,
}: {
  cognito: CognitoClient;
  reason: string | null;
  onSignedIn: (tokens: CognitoTokens) => void;
  /** Shown as "Use an API key instead" when the deployment allows it. */
  onUseApiKey?: () => void;
}) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [code, setCode] = useState('');
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(call: () => Promise<SignInStep>) {
    setBusy(true);
    setError(null);
    try {
      const next = await call();
      if (next.kind === 'signed-in') {
        onSignedIn(next.tokens);
        return;
      }
      setChallenge(next);
    } catch (e) {
      setError((e as Error).message);
      // An expired challenge session cannot be answered again: start over.
      if ((e as { type?: string }).type === 'NotAuthorizedException') setChallenge(null);
    } finally {
      setBusy(false);
    }
  }

  const submitCredentials = (e: FormEvent) => {
    e.preventDefault();
    if (username.trim() && password) void run(() => cognito.signIn(username.trim(), password));
  };
  const submitNewPassword = (e: FormEvent) => {
    e.preventDefault();
    if (!challenge) return;
    if (newPassword !== confirm) {
      setError('The two passwords differ.');
      return;
    }
    void run(() => cognito.setNewPassword(challenge.username, newPassword, challenge.session));
  };
  const submitCode = (e: FormEvent) => {
    e.preventDefault();
    if (challenge) void run(() => cognito.answerMfa(challenge.username, code.trim(), challenge.session));
  };

  const message = error ?? (challenge ? null : reason);
  const alert = message && (
    <p className="state-error" role="alert">
      {message}
    </p>
  );

  if (challenge?.kind === 'new-password') {
    return (
      <main className="key-prompt">
        <form onSubmit={submitNewPassword} aria-label="Choose a new password">
          <h1>Vigil</h1>
          <p>
            You signed in with a temporary password. Choose your own: at least 12 characters with upper and
            lower case letters, a digit and a symbol.
          </p>
          {alert}
          <label>
            New password
            <input
              type="password"
              name="new-password"
              autoComplete="new-password"
              value={newPassword}
              onChange={(e) => setNewPassword(e.target.value)}
            />
          </label>
          <label>
            Repeat the new password
            <input
              type="password"
              name="confirm-password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
            />
          </label>
          <button type="submit" disabled={busy || !newPassword || !confirm}>
            {busy ? 'Saving…' : 'Set password and sign in'}
          </button>
        </form>
      </main>
    );
  }

  if (challenge?.kind === 'mfa-code') {
    return (
      <main className="key-prompt">
        <form onSubmit={submitCode} aria-label="Authenticator code">
          <h1>Vigil</h1>
          <p>Enter the 6-digit code from your authenticator app.</p>
          {alert}
          <label>
            Code
            <input
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </label>
          <button type="submit" disabled={busy || !code.trim()}>
            {busy ? 'Checking…' : 'Sign in'}
          </button>
        </form>
      </main>
    );
  }

  return (
    <main className="key-prompt">
      <form onSubmit={submitCredentials} aria-label="Sign in">
        <h1>Vigil</h1>
        <p>Sign in with the user your administrator created (the email with your temporary password).</p>
        {alert}
        <label>
          Email
          <input
            name="username"
            autoComplete="username"
            spellCheck={false}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" disabled={busy || !username.trim() || !password}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {onUseApiKey && (
          <button type="button" className="link-button" onClick={onUseApiKey}>
            Use an API key instead
          </button>
        )}
        <p className="muted small">
          Your password goes only to Amazon Cognito (over TLS); the tokens it returns stay in this tab
          (sessionStorage) and are sent only to the Vigil API.
        </p>
      </form>
    </main>
  );
}
