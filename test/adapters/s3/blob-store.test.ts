import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3BlobStore } from '../../../lambdas/adapters/s3/blob-store';
import { DomainError } from '../../../lambdas/domain/errors';

const s3Mock = mockClient(S3Client);

const NOW = Date.UTC(2026, 0, 5, 10, 0, 0);
const BUCKET = 'vigil-payloads-123456789012';

const store = () =>
  new S3BlobStore({
    client: new S3Client({
      region: 'eu-west-1',
      credentials: {
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      },
    }),
    bucket: BUCKET,
    now: () => NOW,
  });

/** A GetObject body as the SDK hands it out: a stream with transformTo* helpers. */
function body(bytes: Uint8Array): GetObjectCommandOutput['Body'] {
  return Object.assign(Readable.from([Buffer.from(bytes)]), {
    transformToByteArray: async () => bytes,
    transformToString: async () => Buffer.from(bytes).toString('utf8'),
    transformToWebStream: () => {
      throw new Error('not used');
    },
  }) as unknown as GetObjectCommandOutput['Body'];
}

const json = new TextEncoder().encode('{"messages":[{"role":"user","content":"refund?"}]}');
const key = 'payloads/agent-1/sess-1/ev-1.json';

describe('S3BlobStore', () => {
  beforeEach(() => {
    s3Mock.reset();
  });

  it('puts an object with its content type and nothing else', async () => {
    // Prepare
    s3Mock.on(PutObjectCommand).resolves({ ETag: '"abc"' });

    // Act
    await store().put(key, json, 'application/json');

    // Assess
    const calls = s3Mock.commandCalls(PutObjectCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      { Bucket: BUCKET, Key: key, Body: json, ContentType: 'application/json' },
    ]);
  });

  it('gets an object as bytes', async () => {
    // Prepare
    s3Mock.on(GetObjectCommand).resolves({ Body: body(json), ContentType: 'application/json' });

    // Act
    const bytes = await store().get(key);

    // Assess
    expect(s3Mock.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: BUCKET, Key: key },
    ]);
    expect(Buffer.from(bytes!).toString()).toBe(Buffer.from(json).toString());
  });

  it('reads a missing key (NoSuchKey or a bare 404) as null', async () => {
    // Prepare
    s3Mock
      .on(GetObjectCommand)
      .rejectsOnce(
        new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.' }),
      )
      .rejectsOnce(
        new S3ServiceException({ name: 'NotFound', $fault: 'client', $metadata: { httpStatusCode: 404 } }),
      );

    // Act
    const first = await store().get('payloads/none.json');
    const second = await store().get('payloads/none.json');

    // Assess
    expect(first).toBeNull();
    expect(second).toBeNull();
  });

  it('gunzips an object uploaded with Content-Encoding: gzip', async () => {
    // Prepare
    s3Mock
      .on(GetObjectCommand)
      .resolves({ Body: body(gzipSync(json)), ContentEncoding: 'gzip', ContentType: 'application/json' });

    // Act
    const bytes = await store().get(key);

    // Assess
    expect(Buffer.from(bytes!).toString()).toBe(Buffer.from(json).toString());
  });

  it('gunzips gzip bytes stored without a Content-Encoding (sniffs 1f 8b)', async () => {
    // Prepare
    s3Mock.on(GetObjectCommand).resolves({ Body: body(gzipSync(json)) });

    // Act
    const bytes = await store().get(key);

    // Assess
    expect(Buffer.from(bytes!).toString()).toBe(Buffer.from(json).toString());
  });

  it('refuses a gzip body that expands beyond the decoded size cap', async () => {
    // Prepare
    s3Mock
      .on(GetObjectCommand)
      .resolves({ Body: body(gzipSync(Buffer.alloc(2048, 'a'))), ContentEncoding: 'gzip' });
    const small = new S3BlobStore({
      client: new S3Client({ region: 'eu-west-1' }),
      bucket: BUCKET,
      maxDecodedBytes: 1024,
    });

    // Act
    const error = await small.get(key).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ kind: 'too-large' });
  });

  it('turns other S3 errors into DomainError unavailable with the cause', async () => {
    // Prepare
    const cause = new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'Access Denied',
    });
    s3Mock.on(GetObjectCommand).rejects(cause);
    s3Mock.on(PutObjectCommand).rejects(cause);

    // Act
    const getError = await store()
      .get(key)
      .catch((e: unknown) => e);
    const putError = await store()
      .put(key, json, 'application/json')
      .catch((e: unknown) => e);

    // Assess
    for (const error of [getError, putError]) {
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ kind: 'unavailable', cause });
    }
  });

  describe('uploadUrl', () => {
    it('pre-signs an https PUT for the bucket and key that expires at expiresAt and signs only host', async () => {
      // Act
      const url = new URL(await store().uploadUrl(key, NOW + 3_600_000));

      // Assess
      expect(url.protocol).toBe('https:');
      expect(url.hostname).toBe(`${BUCKET}.s3.eu-west-1.amazonaws.com`);
      expect(url.pathname).toBe(`/${key}`);
      const q = url.searchParams;
      expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
      expect(q.get('X-Amz-Expires')).toBe('3600');
      expect(q.get('X-Amz-Date')).toBe('20260105T100000Z');
      expect(q.get('X-Amz-SignedHeaders')).toBe('host');
      expect(q.get('x-id')).toBe('PutObject');
      // No empty-body checksum baked into the URL (SDK default since 3.729).
      expect([...q.keys()].filter((k) => k.toLowerCase().includes('checksum'))).toEqual([]);
      expect(s3Mock.calls()).toHaveLength(0);
    });

    it('keeps percent-encoded key segments intact', async () => {
      // Act
      const url = new URL(await store().uploadUrl('payloads/a%2Fb/s%20p/e.json', NOW + 60_000));

      // Assess
      expect(url.pathname).toBe('/payloads/a%252Fb/s%2520p/e.json');
      expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    });

    it('rounds a partial second up and refuses expiry in the past or beyond 7 days', async () => {
      // Act
      const url = new URL(await store().uploadUrl(key, NOW + 1_500));
      const past = await store()
        .uploadUrl(key, NOW)
        .catch((e: unknown) => e);
      const far = await store()
        .uploadUrl(key, NOW + 8 * 24 * 3_600_000)
        .catch((e: unknown) => e);

      // Assess
      expect(url.searchParams.get('X-Amz-Expires')).toBe('2');
      expect(past).toMatchObject({ kind: 'validation', field: 'expiresAt' });
      expect(far).toMatchObject({ kind: 'validation', field: 'expiresAt' });
    });
  });
});
