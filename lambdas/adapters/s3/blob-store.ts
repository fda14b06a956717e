import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DomainError, validationError } from '../../domain/errors';
import type { BlobStore } from '../../domain/ports';
import { DEFAULT_MAX_DECODED_BYTES, maybeGunzip } from './gzip';
import {
  type AwsCredentials,
  EMPTY_SHA256,
  encodeKeyPath,
  presignQuery,
  sha256Hex,
  signRequest,
  UNSIGNED_PAYLOAD,
} from './sigv4';

export interface S3BlobStoreOptions {
  /** The payload bucket; encryption is the bucket's default (set in infra), not per request. */
  bucket: string;
  region: string;
  /**
   * The signing credentials, asked for on every request: pass a memoizing provider, e.g. an SDK
   * client's `config.credentials` (the Lambdas pass the DynamoDB client's).
   */
  credentials: () => Promise<AwsCredentials>;
  /**
   * Another S3 endpoint (e.g. `http://127.0.0.1:9000`), addressed path-style (`/<bucket>/<key>`).
   * @default https://<bucket>.s3.<region>.amazonaws.com (virtual-hosted style)
   */
  endpoint?: string;
  /** @default Date.now */
  now?: () => number;
  /** @default 64 MiB */
  maxDecodedBytes?: number;
  /** Tries per call when S3 answers 500/502/503/504 or the connection fails. @default 3 */
  maxAttempts?: number;
  /** Per attempt. @default 10 000 ms */
  timeoutMs?: number;
  /** Waits between attempts (tests pass one that does not wait). @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

/** SigV4 pre-signed URLs live at most 7 days. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;
const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);
/** Enough of an error answer to read its <Code>. */
const MAX_ERROR_BODY = 64 * 1024;

/** What S3 (or the network) answered, as the `cause` of the DomainError the store throws. */
export class S3RequestError extends Error {
  /** The S3 error code (NoSuchKey, AccessDenied, SlowDown …), or the HTTP status / network error. */
  override readonly name: string;
  constructor(
    code: string,
    message: string,
    readonly status?: number,
    readonly requestId?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = code;
  }
}

interface Target {
  https: boolean;
  hostname: string;
  port?: number;
  /** The Host header, as signed. */
  host: string;
  path: string;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const xmlField = (xml: string, name: string): string | undefined =>
  new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * BlobStore on S3 over HTTPS with SigV4 signed here (./sigv4.ts): no @aws-sdk/client-s3 in the Lambda
 * bundles. Objects are written as given; reads return decoded bytes (gzip'd uploads are gunzipped,
 * capped at `maxDecodedBytes`). node:https rather than fetch: fetch gunzips a `Content-Encoding: gzip`
 * answer itself, with no size cap, and resolves '..' path segments. Missing keys read as null. With SSE
 * and no s3:ListBucket permission S3 answers a missing key with 403, which surfaces as 'unavailable':
 * grant ListBucket on the bucket so misses are 404s.
 */
export class S3BlobStore implements BlobStore {
  private readonly options: S3BlobStoreOptions;
  private readonly now: () => number;
  private readonly maxDecodedBytes: number;

  constructor(options: S3BlobStoreOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.maxDecodedBytes = options.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES;
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    const target = this.target(key);
    const answer = await this.send('put', target, 'PUT', body, { 'content-type': contentType });
    if (answer.status >= 300) throw this.failure('put', answer);
  }

  async get(key: string): Promise<Uint8Array | null> {
    const answer = await this.send('get', this.target(key), 'GET');
    if (answer.status === 404) return null;
    if (answer.status >= 300) throw this.failure('get', answer);
    const encoding = answer.headers['content-encoding'];
    const declaredGzip = String(encoding ?? '')
      .toLowerCase()
      .split(',')
      .map((s) => s.trim())
      .includes('gzip');
    const bytes = new Uint8Array(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength);
    return maybeGunzip(bytes, { declared: declaredGzip, maxBytes: this.maxDecodedBytes });
  }

  /**
   * A pre-signed PUT for `key`. Only `host` is signed, so a client may send `Content-Type:
   * application/json` and `Content-Encoding: gzip` (S3 stores both as object metadata). The URL cannot
   * cap the body size. It also stops working when the signing credentials expire (a Lambda role's
   * session), even before `expiresAt`.
   */
  async uploadUrl(key: string, expiresAt: number): Promise<string> {
    const now = this.now();
    const expiresIn = Math.ceil((expiresAt - now) / 1000);
    if (!Number.isFinite(expiresIn) || expiresIn < 1)
      throw validationError('expiresAt', 'must be in the future');
    if (expiresIn > MAX_PRESIGN_SECONDS) throw validationError('expiresAt', 'must be at most 7 days ahead');
    const target = this.target(key);
    const credentials = await this.credentials('sign upload URL');
    const query = presignQuery(
      // The payload is not signed; saying so in the query as the SDK's presigned URLs do.
      {
        method: 'PUT',
        host: target.host,
        path: target.path,
        query: { 'X-Amz-Content-Sha256': UNSIGNED_PAYLOAD },
      },
      { credentials, region: this.options.region, date: new Date(now) },
      expiresIn,
    );
    return `${target.https ? 'https' : 'http'}://${target.host}${target.path}?${query}`;
  }

  /**
   * Keys are relative '/'-separated paths. '.', '..' and empty segments are refused (as the local store
   * does): HTTP clients and proxies resolve them, so the object written would not be the one named.
   */
  private target(key: string): Target {
    if (key === '' || key.length > 1024 || key.split('/').some((s) => s === '' || s === '.' || s === '..'))
      throw validationError('key', 'must be a relative path without "..", "." or empty segments');
    const { bucket, region, endpoint } = this.options;
    if (!endpoint) {
      const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
      const hostname = `${bucket}.s3.${region}.${suffix}`;
      return { https: true, hostname, host: hostname, path: `/${encodeKeyPath(key)}` };
    }
    const url = new URL(endpoint);
    const base = url.pathname.replace(/\/+$/, '');
    return {
      https: url.protocol === 'https:',
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      host: url.host,
      path: `${base}/${encodeKeyPath(bucket)}/${encodeKeyPath(key)}`,
    };
  }

  private async credentials(action: string): Promise<AwsCredentials> {
    try {
      return await this.options.credentials();
    } catch (e) {
      throw new DomainError('unavailable', `cannot ${action}: no AWS credentials`, { cause: e });
    }
  }

  /** Signs and sends one request, retrying 5xx answers and connection failures with backoff. */
  private async send(
    op: 'put' | 'get',
    target: Target,
    method: 'PUT' | 'GET',
    body?: Uint8Array,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const attempts = Math.max(1, this.options.maxAttempts ?? 3);
    const sleep = this.options.sleep ?? defaultSleep;
    const payloadHash = body ? sha256Hex(body) : EMPTY_SHA256;
    for (let attempt = 1; ; attempt++) {
      // Signed per attempt: credentials may have been refreshed, and x-amz-date must be recent.
      const credentials = await this.credentials(`${op} a blob`);
      const signed = signRequest(
        { method, host: target.host, path: target.path, headers, payloadHash },
        { credentials, region: this.options.region, date: new Date(this.now()) },
      );
      if (body) signed['content-length'] = String(body.byteLength);
      let answer: Answer | undefined;
      let error: unknown;
      try {
        answer = await this.exchange(target, method, signed, body, op === 'get');
      } catch (e) {
        if (e instanceof DomainError) throw e;
        error = e;
      }
      const retryable = answer ? RETRYABLE_STATUS.has(answer.status) : true;
      if (!retryable || attempt >= attempts) {
        if (answer) return answer;
        const cause = new S3RequestError(
          (error as { code?: string })?.code ?? 'NetworkError',
          `S3 ${method} failed: ${(error as Error)?.message ?? String(error)}`,
          undefined,
          undefined,
          { cause: error },
        );
        throw new DomainError('unavailable', `blob store ${op} failed: ${cause.name}`, { cause });
      }
      // Full jitter on 100 ms × 2^n, as the SDK's standard retry mode.
      await sleep(Math.random() * 100 * 2 ** (attempt - 1));
    }
  }

  private exchange(
    target: Target,
    method: string,
    headers: Record<string, string>,
    body: Uint8Array | undefined,
    isRead: boolean,
  ): Promise<Answer> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const request = target.https ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        { method, hostname: target.hostname, port: target.port, path: target.path, headers },
        (res) => {
          const status = res.statusCode ?? 0;
          // A stored object is read up to the decoded cap (gzip only shrinks it); an error answer briefly.
          const limit = isRead && status < 300 ? this.maxDecodedBytes : MAX_ERROR_BODY;
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > limit) {
              res.destroy();
              reject(
                status < 300
                  ? new DomainError('too-large', `blob is larger than ${limit} bytes`)
                  : new Error('S3 error answer too long'),
              );
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => resolve({ status, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () =>
        req.destroy(Object.assign(new Error('timed out'), { code: 'Timeout' })),
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  private failure(op: 'put' | 'get', answer: Answer): DomainError {
    const xml = answer.body.toString('utf8');
    const code = xmlField(xml, 'Code') ?? `HTTP${answer.status}`;
    const requestId = xmlField(xml, 'RequestId') ?? String(answer.headers['x-amz-request-id'] ?? '');
    const cause = new S3RequestError(
      code,
      xmlField(xml, 'Message') ?? `S3 answered ${answer.status}`,
      answer.status,
      requestId || undefined,
    );
    return new DomainError('unavailable', `blob store ${op} failed: ${code}`, { cause });
  }
}
