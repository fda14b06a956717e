import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Generic-webhook signatures: `x-vigil-signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` with
 * `x-vigil-timestamp: <unix seconds>`. Signing the timestamp with the body lets a receiver refuse replays
 * of an old delivery; comparing in constant time keeps the secret from leaking through timing.
 */
export const SIGNATURE_VERSION = 'v1';

export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `${SIGNATURE_VERSION}=${mac}`;
}

/**
 * Verifies a delivery as a receiver should: the signature matches the body and the timestamp is within
 * `toleranceSeconds` of now.
 */
export function verifyWebhookSignature(input: {
  secret: string;
  signature: string | undefined;
  timestamp: string | undefined;
  body: string;
  nowSeconds: number;
  toleranceSeconds?: number;
}): boolean {
  const { secret, signature, timestamp, body, nowSeconds } = input;
  if (!signature || !timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  const ts = Number(timestamp);
  if (Math.abs(nowSeconds - ts) > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
