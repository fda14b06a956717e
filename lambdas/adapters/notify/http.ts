import { DomainError } from '../../domain/errors';

/** Options shared by the HTTP notifiers. */
export interface HttpNotifierOptions {
  /** Abort a delivery after this long. @default 5000 */
  timeoutMs?: number;
  /** The fetch to use (tests, proxies). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/**
 * POSTs a JSON body; anything but a 2xx answer (or no answer within the timeout) is a DomainError
 * "unavailable" naming the status, never the URL (it is a secret).
 */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: HttpNotifierOptions,
  what: string,
): Promise<void> {
  const doFetch = options.fetch ?? globalThis.fetch;
  let res: Response;
  try {
    res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'vigil-alerts/1', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
  } catch (e) {
    const reason = (e as Error).name === 'TimeoutError' ? 'timed out' : 'could not connect';
    throw new DomainError('unavailable', `${what}: ${reason}`, { cause: e });
  }
  // Drain the body so the connection can be reused; receivers' answers are not interesting.
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status >= 300) {
    throw new DomainError('unavailable', `${what}: HTTP ${res.status}`);
  }
}
