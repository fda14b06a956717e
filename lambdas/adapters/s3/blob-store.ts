import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DomainError, validationError } from '../../domain/errors';
import type { BlobStore } from '../../domain/ports';
import { DEFAULT_MAX_DECODED_BYTES, maybeGunzip } from './gzip';

export interface S3BlobStoreOptions {
  client: S3Client;
  /** The payload bucket; encryption is the bucket's default (set in infra), not per request. */
  bucket: string;
  /** @default Date.now */
  now?: () => number;
  /** @default 64 MiB */
  maxDecodedBytes?: number;
}

/** SigV4 pre-signed URLs live at most 7 days. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

interface SdkErrorShape {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

const isNotFound = (e: unknown): boolean => {
  const err = (typeof e === 'object' && e !== null ? e : {}) as SdkErrorShape;
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404;
};

const errorName = (e: unknown): string => (e instanceof Error ? e.name : 'error');

/**
 * Since @aws-sdk/client-s3 3.729 the client adds flexible checksums to PutObject by default: a presigned
 * PUT built without a body gets `x-amz-sdk-checksum-algorithm=CRC32&x-amz-checksum-crc32=AAAAAA==` (the CRC
 * of an empty body) hoisted into its query string, and a real upload through it can fail on the checksum.
 * The client that uploads computes no checksum, so drop both before the presigner signs.
 */
const stripChecksumHeaders =
  <A extends { request: unknown }, R>(next: (args: A) => Promise<R>) =>
  async (args: A): Promise<R> => {
    const headers = (args.request as { headers?: Record<string, string> }).headers;
    if (headers) {
      for (const name of Object.keys(headers)) {
        const lower = name.toLowerCase();
        if (lower.startsWith('x-amz-checksum-') || lower === 'x-amz-sdk-checksum-algorithm')
          delete headers[name];
      }
    }
    return next(args);
  };

/**
 * BlobStore on S3. Objects are written as given; reads return decoded bytes (gzip'd uploads are
 * gunzipped). Missing keys read as null. With SSE and no s3:ListBucket permission S3 answers a missing
 * key with 403, which surfaces as 'unavailable': grant ListBucket on the bucket so misses are 404s.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly now: () => number;
  private readonly maxDecodedBytes: number;

  constructor(options: S3BlobStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.now = options.now ?? Date.now;
    this.maxDecodedBytes = options.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES;
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
      );
    } catch (e) {
      throw new DomainError('unavailable', `blob store put failed: ${errorName(e)}`, { cause: e });
    }
  }

  async get(key: string): Promise<Uint8Array | null> {
    let bytes: Uint8Array;
    let declaredGzip: boolean;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      declaredGzip = (out.ContentEncoding ?? '')
        .toLowerCase()
        .split(',')
        .map((s) => s.trim())
        .includes('gzip');
    } catch (e) {
      if (isNotFound(e)) return null;
      throw new DomainError('unavailable', `blob store get failed: ${errorName(e)}`, { cause: e });
    }
    return maybeGunzip(bytes, { declared: declaredGzip, maxBytes: this.maxDecodedBytes });
  }

  /**
   * A pre-signed PUT for `key`. Only `host` is signed: the presigner never signs Content-Type, and no
   * Content-Encoding is set on the command, so a client may send `Content-Type: application/json` and
   * `Content-Encoding: gzip` (S3 stores both as object metadata). The URL cannot cap the body size. It
   * also stops working when the signing credentials expire (a Lambda role's session), even before
   * `expiresAt`.
   */
  async uploadUrl(key: string, expiresAt: number): Promise<string> {
    const now = this.now();
    const expiresIn = Math.ceil((expiresAt - now) / 1000);
    if (!Number.isFinite(expiresIn) || expiresIn < 1)
      throw validationError('expiresAt', 'must be in the future');
    if (expiresIn > MAX_PRESIGN_SECONDS) throw validationError('expiresAt', 'must be at most 7 days ahead');
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: key });
    command.middlewareStack.add(stripChecksumHeaders, {
      step: 'build',
      priority: 'low',
      name: 'vigilStripPresignChecksums',
    });
    try {
      return await getSignedUrl(this.client, command, { expiresIn, signingDate: new Date(now) });
    } catch (e) {
      throw new DomainError('unavailable', `cannot sign upload URL: ${errorName(e)}`, { cause: e });
    }
  }
}
