import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { DomainError, validationError } from '../../domain/errors';
import type { BlobStore } from '../../domain/ports';
import { DEFAULT_MAX_DECODED_BYTES, maybeGunzip } from '../s3/gzip';

export interface LocalFsBlobStoreOptions {
  /** Directory holding the blobs; created on first write. */
  root: string;
  /** Public base URL of the local server, e.g. http://127.0.0.1:4000 (upload URLs point at it). */
  baseUrl: string;
  /** HMAC key for upload tokens. Keep it out of logs; losing it only invalidates outstanding URLs. */
  secret: string;
  /** @default 64 MiB */
  maxDecodedBytes?: number;
}

/**
 * Keys are relative, '/'-separated paths ("payloads/<agent>/<session>/<event>.json"). Anything that could
 * leave the root — '..' or '.' segments, empty segments, absolute paths, backslashes, NUL — is refused.
 */
export function checkKey(key: string): string[] {
  const segments = key.split('/');
  const bad =
    key === '' ||
    key.length > 1024 ||
    key.includes('\\') ||
    key.includes('\0') ||
    isAbsolute(key) ||
    /^[a-zA-Z]:/.test(key) ||
    segments.some((s) => s === '' || s === '.' || s === '..');
  if (bad) throw validationError('key', 'must be a relative path without "..", "." or empty segments');
  return segments;
}

/** Upload token: base64url(JSON {key, exp}) + '.' + base64url(HMAC-SHA256(secret, first part)). */
export function signUploadToken(secret: string, key: string, exp: number): string {
  const payload = Buffer.from(JSON.stringify({ key, exp })).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

const mac = (secret: string, payload: string): string =>
  createHmac('sha256', secret).update(payload).digest('base64url');

const badToken = (): DomainError => new DomainError('auth', 'invalid upload token');

/** Returns the key a token was issued for; throws DomainError('auth') when forged, altered or expired. */
export function verifyUploadToken(secret: string, token: string, now: number): string {
  const parts = token.split('.');
  if (parts.length !== 2) throw badToken();
  const [payload, signature] = parts as [string, string];
  const expected = Buffer.from(mac(secret, payload));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw badToken();
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw badToken();
  }
  const { key, exp } = (claims ?? {}) as { key?: unknown; exp?: unknown };
  if (typeof key !== 'string' || typeof exp !== 'number') throw badToken();
  if (now >= exp) throw new DomainError('auth', 'upload URL expired');
  return key;
}

const isErrno = (e: unknown, ...codes: string[]): boolean =>
  typeof e === 'object' && e !== null && codes.includes((e as { code?: string }).code ?? '');

/** BlobStore on the local file system, for the embedded runtime. */
export class LocalFsBlobStore implements BlobStore {
  private readonly root: string;
  private readonly baseUrl: string;
  private readonly secret: string;
  private readonly maxDecodedBytes: number;

  constructor(options: LocalFsBlobStoreOptions) {
    if (!options.secret) throw new DomainError('validation', 'LocalFsBlobStore needs a non-empty secret');
    this.root = resolve(options.root);
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.secret = options.secret;
    this.maxDecodedBytes = options.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES;
  }

  private pathOf(key: string): string {
    const path = resolve(this.root, ...checkKey(key));
    // Belt and braces: the segment check already keeps every key inside the root.
    if (!path.startsWith(this.root + sep)) throw validationError('key', 'must stay inside the blob root');
    return path;
  }

  /** Writes to a temp file beside the target, then renames: readers see the old blob or the new one. */
  async put(key: string, body: Uint8Array, _contentType: string): Promise<void> {
    const path = this.pathOf(key);
    const temp = `${path}.${randomUUID()}.tmp`;
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(temp, body);
      await rename(temp, path);
    } catch (e) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw new DomainError('unavailable', `blob store put failed: ${(e as Error).message}`, { cause: e });
    }
  }

  async get(key: string): Promise<Uint8Array | null> {
    const path = this.pathOf(key);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      if (isErrno(e, 'ENOENT', 'ENOTDIR', 'EISDIR')) return null;
      throw new DomainError('unavailable', `blob store get failed: ${(e as Error).message}`, { cause: e });
    }
    const raw = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return maybeGunzip(raw, { maxBytes: this.maxDecodedBytes });
  }

  /** `${baseUrl}/api/blobs/<token>`; the local server verifies the token and calls put. */
  async uploadUrl(key: string, expiresAt: number): Promise<string> {
    checkKey(key);
    if (!Number.isFinite(expiresAt)) throw validationError('expiresAt', 'must be epoch milliseconds');
    return `${this.baseUrl}/api/blobs/${signUploadToken(this.secret, key, expiresAt)}`;
  }
}
