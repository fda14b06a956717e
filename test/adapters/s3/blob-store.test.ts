import { createHash, createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import { S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3BlobStore, type S3BlobStoreOptions } from '../../../lambdas/adapters/s3/blob-store';
import { DomainError } from '../../../lambdas/domain/errors';
import { FakeS3, s3Error } from './fake-s3';

const NOW = Date.UTC(2026, 0, 5, 10, 0, 0);
const BUCKET = 'vigil-payloads-123456789012';
const REGION = 'eu-west-1';
const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-from-the-lambda-role',
};

const json = new TextEncoder().encode('{"messages":[{"role":"user","content":"refund?"}]}');
const key = 'payloads/agent-1/sess-1/ev-1.json';
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

describe('S3BlobStore', () => {
  const s3 = new FakeS3(CREDENTIALS, REGION);
  let sleeps: number[];

  beforeAll(() => s3.start());
  afterAll(() => s3.stop());
  beforeEach(() => {
    s3.requests.length = 0;
    sleeps = [];
  });

  const store = (options: Partial<S3BlobStoreOptions> = {}) =>
    new S3BlobStore({
      bucket: BUCKET,
      region: REGION,
      credentials: async () => CREDENTIALS,
      endpoint: s3.endpoint,
      now: () => NOW,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...options,
    });

  it('puts an object with its content type, a signed body hash and the session token', async () => {
    // Prepare
    s3.answer({ status: 200, headers: { etag: '"abc"', 'x-amz-request-id': 'R1' } });

    // Act
    await store().put(key, json, 'application/json');

    // Assess
    expect(s3.requests).toHaveLength(1);
    const [put] = s3.requests;
    expect(put).toMatchObject({ method: 'PUT', path: `/${BUCKET}/${key}`, signatureValid: true });
    expect(put!.body.equals(Buffer.from(json))).toBe(true);
    const { authorization, connection: _c, ...headers } = put!.headers;
    expect(headers).toEqual({
      host: s3.endpoint.slice('http://'.length),
      'content-type': 'application/json',
      'content-length': String(json.byteLength),
      'x-amz-date': '20260105T100000Z',
      'x-amz-content-sha256': sha256(json),
      'x-amz-security-token': CREDENTIALS.sessionToken,
    });
    expect(authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20260105\/eu-west-1\/s3\/aws4_request,SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token,Signature=[0-9a-f]{64}$/,
    );
  });

  it('gets an object as bytes with a signed GET of the empty body', async () => {
    // Prepare
    s3.answer({ status: 200, headers: { 'content-type': 'application/json' }, body: json });

    // Act
    const bytes = await store().get(key);

    // Assess
    expect(Buffer.from(bytes!).toString()).toBe(Buffer.from(json).toString());
    expect(s3.requests).toHaveLength(1);
    expect(s3.requests[0]).toMatchObject({ method: 'GET', path: `/${BUCKET}/${key}`, signatureValid: true });
    expect(s3.requests[0]!.headers['x-amz-content-sha256']).toBe(sha256(''));
    expect(s3.requests[0]!.body).toHaveLength(0);
  });

  it('reads a missing key (404 NoSuchKey, or a bare 404) as null without retrying', async () => {
    // Prepare
    s3.answer(
      s3Error(404, 'NoSuchKey', 'The specified key does not exist.', '<Key>payloads/none.json</Key>'),
      { status: 404 },
    );

    // Act
    const first = await store().get('payloads/none.json');
    const second = await store().get('payloads/none.json');

    // Assess
    expect(first).toBeNull();
    expect(second).toBeNull();
    expect(s3.requests).toHaveLength(2);
  });

  it('gunzips an object stored with Content-Encoding: gzip (read raw, not by the HTTP client)', async () => {
    // Prepare
    s3.answer({ status: 200, headers: { 'content-encoding': 'gzip' }, body: gzipSync(json) });

    // Act
    const bytes = await store().get(key);

    // Assess
    expect(Buffer.from(bytes!).toString()).toBe(Buffer.from(json).toString());
  });

  it('gunzips gzip bytes stored without a Content-Encoding (sniffs 1f 8b)', async () => {
    // Prepare
    s3.answer({ status: 200, body: gzipSync(json) });

    // Act
    const bytes = await store().get(key);

    // Assess
    expect(Buffer.from(bytes!).toString()).toBe(Buffer.from(json).toString());
  });

  it('refuses a gzip body that expands beyond the decoded size cap, and a body beyond it', async () => {
    // Prepare
    s3.answer(
      { status: 200, headers: { 'content-encoding': 'gzip' }, body: gzipSync(Buffer.alloc(2048, 'a')) },
      { status: 200, body: Buffer.alloc(4096, 'b') },
    );
    const small = store({ maxDecodedBytes: 1024 });

    // Act
    const bomb = await small.get(key).catch((e: unknown) => e);
    const big = await small.get(key).catch((e: unknown) => e);

    // Assess
    expect(bomb).toMatchObject({ kind: 'too-large' });
    expect(big).toMatchObject({ kind: 'too-large' });
  });

  it('turns 403 AccessDenied into DomainError unavailable with the S3 code as cause, without retrying', async () => {
    // Prepare
    s3.answer(s3Error(403, 'AccessDenied', 'Access Denied'), s3Error(403, 'AccessDenied', 'Access Denied'));

    // Act
    const getError = await store()
      .get(key)
      .catch((e: unknown) => e);
    const putError = await store()
      .put(key, json, 'application/json')
      .catch((e: unknown) => e);

    // Assess
    expect(s3.requests.map((r) => r.method)).toEqual(['GET', 'PUT']);
    for (const [error, op] of [
      [getError, 'get'],
      [putError, 'put'],
    ] as const) {
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({
        kind: 'unavailable',
        message: `blob store ${op} failed: AccessDenied`,
        cause: { name: 'AccessDenied', message: 'Access Denied', status: 403, requestId: 'REQ123' },
      });
    }
    expect(sleeps).toEqual([]);
  });

  it('retries 503 SlowDown and 500 InternalError, signing each attempt, then succeeds', async () => {
    // Prepare
    s3.answer(
      s3Error(503, 'SlowDown', 'Please reduce your request rate.'),
      s3Error(500, 'InternalError', 'We encountered an internal error. Please try again.'),
      { status: 200 },
    );

    // Act
    await store().put(key, json, 'application/json');

    // Assess
    expect(s3.requests).toHaveLength(3);
    expect(s3.requests.every((r) => r.signatureValid && r.body.equals(Buffer.from(json)))).toBe(true);
    expect(sleeps).toHaveLength(2);
  });

  it('gives up after maxAttempts 5xx answers with a clear error', async () => {
    // Prepare
    s3.answer(
      s3Error(503, 'ServiceUnavailable', 'Service is unable to handle request.'),
      s3Error(503, 'ServiceUnavailable', 'Service is unable to handle request.'),
      s3Error(503, 'ServiceUnavailable', 'Service is unable to handle request.'),
    );

    // Act
    const error = await store()
      .get(key)
      .catch((e: unknown) => e);

    // Assess
    expect(s3.requests).toHaveLength(3);
    expect(error).toMatchObject({
      kind: 'unavailable',
      message: 'blob store get failed: ServiceUnavailable',
      cause: { status: 503 },
    });
  });

  it('retries a refused connection and then reports it as unavailable', async () => {
    // Prepare: a port that was just free, so nothing listens on it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    // Act
    const error = await store({ endpoint: `http://127.0.0.1:${port}` })
      .put(key, json, 'application/json')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      kind: 'unavailable',
      message: 'blob store put failed: ECONNREFUSED',
    });
    expect(sleeps).toHaveLength(2);
  });

  it('reports missing credentials as unavailable without sending anything', async () => {
    // Prepare
    const noCredentials = store({
      credentials: async () => {
        throw new Error('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set');
      },
    });

    // Act
    const putError = await noCredentials.put(key, json, 'application/json').catch((e: unknown) => e);
    const urlError = await noCredentials.uploadUrl(key, NOW + 60_000).catch((e: unknown) => e);

    // Assess
    expect(putError).toMatchObject({ kind: 'unavailable', message: 'cannot put a blob: no AWS credentials' });
    expect(urlError).toMatchObject({
      kind: 'unavailable',
      message: 'cannot sign upload URL: no AWS credentials',
    });
    expect(s3.requests).toHaveLength(0);
  });

  it('refuses keys with ".", ".." or empty segments (HTTP would resolve them to another key)', async () => {
    for (const bad of ['payloads/a/../b.json', 'payloads/./b.json', 'payloads//b.json', '']) {
      // Act
      const error = await store()
        .put(bad, json, 'application/json')
        .catch((e: unknown) => e);
      // Assess
      expect(error).toMatchObject({ kind: 'validation', field: 'key' });
    }
    expect(s3.requests).toHaveLength(0);
  });

  it('keeps percent-encoded key segments intact on the wire', async () => {
    // Act
    await store().put('payloads/a%2Fb/s p/e.json', json, 'application/json');

    // Assess
    expect(s3.requests[0]).toMatchObject({
      path: `/${BUCKET}/payloads/a%252Fb/s%20p/e.json`,
      signatureValid: true,
    });
  });

  describe('uploadUrl', () => {
    const aws = () =>
      store({ endpoint: undefined, credentials: async () => ({ ...CREDENTIALS, sessionToken: undefined }) });

    it('pre-signs an https PUT for the bucket and key that expires at expiresAt and signs only host', async () => {
      // Act
      const url = new URL(await aws().uploadUrl(key, NOW + 3_600_000));

      // Assess
      expect(url.protocol).toBe('https:');
      expect(url.hostname).toBe(`${BUCKET}.s3.eu-west-1.amazonaws.com`);
      expect(url.pathname).toBe(`/${key}`);
      const q = url.searchParams;
      expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
      expect(q.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20260105/eu-west-1/s3/aws4_request');
      expect(q.get('X-Amz-Expires')).toBe('3600');
      expect(q.get('X-Amz-Date')).toBe('20260105T100000Z');
      expect(q.get('X-Amz-SignedHeaders')).toBe('host');
      expect([...q.keys()].filter((k) => k.toLowerCase().includes('checksum'))).toEqual([]);
      expect(s3.requests).toHaveLength(0);
    });

    it('addresses buckets in the China regions under amazonaws.com.cn', async () => {
      // Act
      const url = new URL(
        await store({ endpoint: undefined, region: 'cn-north-1' }).uploadUrl(key, NOW + 60_000),
      );

      // Assess
      expect(url.hostname).toBe(`${BUCKET}.s3.cn-north-1.amazonaws.com.cn`);
      expect(url.searchParams.get('X-Amz-Credential')).toBe(
        'AKIDEXAMPLE/20260105/cn-north-1/s3/aws4_request',
      );
    });

    it('produces the same URL as the AWS SDK presigner, with a session token and an odd key', async () => {
      // Prepare
      const oddKey = 'payloads/a%2Fb/s p/é+(1).json';
      const presigner = new S3RequestPresigner({ credentials: CREDENTIALS, region: REGION, sha256: Sha256 });
      const hostname = `${BUCKET}.s3.${REGION}.amazonaws.com`;
      const path = `/${oddKey
        .split('/')
        .map((s) =>
          encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
        )
        .join('/')}`;

      // Act
      const ours = await store({ endpoint: undefined }).uploadUrl(oddKey, NOW + 900_000);
      const sdk = await presigner.presign(
        { method: 'PUT', protocol: 'https:', hostname, path, headers: { host: hostname }, query: {} },
        { signingDate: new Date(NOW), expiresIn: 900 },
      );

      // Assess
      const sdkQuery = Object.entries(sdk.query as Record<string, string>)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
        .sort()
        .join('&');
      const ourUrl = new URL(ours);
      expect(`${ourUrl.origin}${ourUrl.pathname}`).toBe(`https://${hostname}${path}`);
      expect(ourUrl.searchParams.get('X-Amz-Signature')).toBe(
        (sdk.query as Record<string, string>)['X-Amz-Signature'],
      );
      expect(ourUrl.search.slice(1).split('&').sort().join('&')).toBe(sdkQuery);
    });

    it('rounds a partial second up and refuses expiry in the past or beyond 7 days', async () => {
      // Act
      const url = new URL(await aws().uploadUrl(key, NOW + 1_500));
      const past = await aws()
        .uploadUrl(key, NOW)
        .catch((e: unknown) => e);
      const far = await aws()
        .uploadUrl(key, NOW + 8 * 24 * 3_600_000)
        .catch((e: unknown) => e);

      // Assess
      expect(url.searchParams.get('X-Amz-Expires')).toBe('2');
      expect(past).toMatchObject({ kind: 'validation', field: 'expiresAt' });
      expect(far).toMatchObject({ kind: 'validation', field: 'expiresAt' });
    });
  });
});

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof d === 'string'
    ? d
    : ArrayBuffer.isView(d)
      ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
      : new Uint8Array(d);

/** The hash constructor the SDK presigner takes, on node:crypto. */
class Sha256 {
  private hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    throw new Error('not used');
  }
}
