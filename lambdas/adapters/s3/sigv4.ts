import { createHash, createHmac } from 'node:crypto';

/**
 * AWS Signature Version 4 for S3, header and query-string (presigned URL) forms, on node:crypto.
 * Written for the S3 blob store so the Lambda bundles need neither @aws-sdk/client-s3 nor the presigner.
 * Checked against the worked examples in the S3 API reference (test/adapters/s3/sigv4.test.ts).
 */

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SigningScope {
  credentials: AwsCredentials;
  region: string;
  /** @default 's3' */
  service?: string;
  date: Date;
}

export interface RequestToSign {
  method: string;
  /** The Host header as sent (with the port when it is not the scheme's default). */
  host: string;
  /** The path exactly as sent, already URI-encoded (see {@link encodeKeyPath}): S3 signs it as is. */
  path: string;
  /** Query parameters, not encoded. */
  query?: Record<string, string>;
  /** Headers to sign besides host and the x-amz-* ones added here. */
  headers?: Record<string, string>;
  /** Hex SHA-256 of the body, or {@link UNSIGNED_PAYLOAD}. */
  payloadHash: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export const sha256Hex = (data: Uint8Array | string): string =>
  createHash('sha256').update(data).digest('hex');

const hmac = (key: Uint8Array | string, data: string): Buffer =>
  createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 defines it: A-Z a-z 0-9 - . _ ~ stay, every other UTF-8 byte is %XX. */
export function uriEncode(value: string, encodeSlash = true): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (c === '/' && !encodeSlash)) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** An object key as an S3 path: each '/'-separated segment encoded, the slashes kept. */
export const encodeKeyPath = (key: string): string =>
  key
    .split('/')
    .map((s) => uriEncode(s))
    .join('/');

/** 20130524T000000Z */
const amzDate = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

const canonicalQuery = (query: Record<string, string>): string =>
  Object.entries(query)
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');

const normalizeValue = (v: string): string => v.trim().replace(/\s+/g, ' ');

function signature(
  req: RequestToSign,
  query: Record<string, string>,
  headers: Record<string, string>,
  scope: SigningScope,
): { signature: string; signedHeaders: string; credentialScope: string } {
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    req.method,
    req.path,
    canonicalQuery(query),
    ...names.map((n) => `${n}:${normalizeValue(headers[n]!)}`),
    '',
    signedHeaders,
    req.payloadHash,
  ].join('\n');
  const day = amzDate(scope.date).slice(0, 8);
  const service = scope.service ?? 's3';
  const credentialScope = `${day}/${scope.region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate(scope.date), credentialScope, sha256Hex(canonicalRequest)].join(
    '\n',
  );
  const key = hmac(
    hmac(hmac(hmac(`AWS4${scope.credentials.secretAccessKey}`, day), scope.region), service),
    'aws4_request',
  );
  return { signature: hmac(key, stringToSign).toString('hex'), signedHeaders, credentialScope };
}

/**
 * Header authentication: returns every header to send (the caller's, lower-cased, plus host,
 * x-amz-date, x-amz-content-sha256, x-amz-security-token for session credentials, and authorization).
 */
export function signRequest(req: RequestToSign, scope: SigningScope): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value;
  headers.host = req.host;
  headers['x-amz-date'] = amzDate(scope.date);
  headers['x-amz-content-sha256'] = req.payloadHash;
  if (scope.credentials.sessionToken) headers['x-amz-security-token'] = scope.credentials.sessionToken;
  const s = signature(req, req.query ?? {}, headers, scope);
  headers.authorization =
    `${ALGORITHM} Credential=${scope.credentials.accessKeyId}/${s.credentialScope},` +
    `SignedHeaders=${s.signedHeaders},Signature=${s.signature}`;
  return headers;
}

/**
 * Query-string authentication (a presigned URL) signing only `host`, with an unsigned payload, as S3
 * presigned URLs are. Returns the query string (without '?') including X-Amz-Signature.
 */
export function presignQuery(
  req: Omit<RequestToSign, 'headers' | 'payloadHash'>,
  scope: SigningScope,
  expiresInSeconds: number,
): string {
  const day = amzDate(scope.date).slice(0, 8);
  const query: Record<string, string> = {
    ...req.query,
    'X-Amz-Algorithm': ALGORITHM,
    'X-Amz-Credential': `${scope.credentials.accessKeyId}/${day}/${scope.region}/${scope.service ?? 's3'}/aws4_request`,
    'X-Amz-Date': amzDate(scope.date),
    'X-Amz-Expires': String(expiresInSeconds),
    'X-Amz-SignedHeaders': 'host',
  };
  if (scope.credentials.sessionToken) query['X-Amz-Security-Token'] = scope.credentials.sessionToken;
  const s = signature({ ...req, payloadHash: UNSIGNED_PAYLOAD }, query, { host: req.host }, scope);
  return `${canonicalQuery(query)}&X-Amz-Signature=${s.signature}`;
}
