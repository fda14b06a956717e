import { gunzipSync } from 'node:zlib';
import { DomainError } from '../../domain/errors';

/**
 * Shared by every BlobStore adapter (no SDK import here, so the local runtime can use it too).
 * SDK clients upload payloads gzip'd (`Content-Encoding: gzip`); readers always get the JSON bytes.
 */

/** Decoded size cap: a small gzip body can expand enormously. */
export const DEFAULT_MAX_DECODED_BYTES = 64 * 1024 * 1024;

export const isGzip = (bytes: Uint8Array): boolean =>
  bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/**
 * Gunzips bytes that start with the gzip magic number (1f 8b); other bytes are returned as they are,
 * even when `declared` (Content-Encoding: gzip) says otherwise: something upstream already decoded them.
 * A body that looks like gzip but does not decode is an error only if it was declared gzip.
 */
export function maybeGunzip(
  bytes: Uint8Array,
  options: { declared?: boolean; maxBytes?: number } = {},
): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DECODED_BYTES;
  try {
    const out = gunzipSync(bytes, { maxOutputLength: maxBytes });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DomainError('too-large', `blob is larger than ${maxBytes} bytes once decompressed`, {
        cause: e,
      });
    }
    if (!options.declared) return bytes;
    throw new DomainError('unavailable', 'stored blob says gzip but does not decompress', { cause: e });
  }
}
