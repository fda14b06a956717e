import { describe, expect, it } from 'vitest';
import {
  EMPTY_SHA256,
  encodeKeyPath,
  presignQuery,
  sha256Hex,
  signRequest,
  uriEncode,
} from '../../../lambdas/adapters/s3/sigv4';

/**
 * The worked examples of the S3 API reference ("Authenticating Requests: Using the Authorization
 * Header" and "... Using Query Parameters", AWS Signature Version 4): same credentials, date and
 * requests, and the signatures AWS prints for them.
 */
const scope = {
  credentials: {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
  region: 'us-east-1',
  date: new Date(Date.UTC(2013, 4, 24, 0, 0, 0)),
};
const host = 'examplebucket.s3.amazonaws.com';

describe('SigV4 against the S3 documentation examples', () => {
  it('signs GET Object with a Range header (f0e8bdb8…)', () => {
    // Act
    const headers = signRequest(
      { method: 'GET', host, path: '/test.txt', headers: { Range: 'bytes=0-9' }, payloadHash: EMPTY_SHA256 },
      scope,
    );

    // Assess
    expect(headers).toEqual({
      host,
      range: 'bytes=0-9',
      'x-amz-date': '20130524T000000Z',
      'x-amz-content-sha256': EMPTY_SHA256,
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
        'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,' +
        'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    });
  });

  it('signs PUT Object of "Welcome to Amazon S3." to test$file.text (98ad7217…)', () => {
    // Prepare
    const payloadHash = sha256Hex('Welcome to Amazon S3.');

    // Act
    const headers = signRequest(
      {
        method: 'PUT',
        host,
        path: `/${encodeKeyPath('test$file.text')}`,
        headers: { Date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
        payloadHash,
      },
      scope,
    );

    // Assess
    expect(payloadHash).toBe('44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
        'SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,' +
        'Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    );
  });

  it('signs GET Bucket with query parameters, sorted by name (34b48302…)', () => {
    // Act
    const headers = signRequest(
      { method: 'GET', host, path: '/', query: { prefix: 'J', 'max-keys': '2' }, payloadHash: EMPTY_SHA256 },
      scope,
    );

    // Assess
    expect(headers.authorization).toMatch(
      /SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7$/,
    );
  });

  it('presigns GET test.txt for a day into exactly the published URL (aeeed9bb…)', () => {
    // Act
    const query = presignQuery({ method: 'GET', host, path: '/test.txt' }, scope, 86_400);

    // Assess
    expect(`https://${host}/test.txt?${query}`).toBe(
      'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256' +
        '&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
        '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
        '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    );
  });

  it('adds the session token to signed headers (header auth) and to the signed query (presign)', () => {
    // Prepare
    const session = { ...scope, credentials: { ...scope.credentials, sessionToken: 'tok/en+=' } };

    // Act
    const headers = signRequest(
      { method: 'GET', host, path: '/test.txt', payloadHash: EMPTY_SHA256 },
      session,
    );
    const query = new URLSearchParams(presignQuery({ method: 'PUT', host, path: '/a' }, session, 60));

    // Assess
    expect(headers['x-amz-security-token']).toBe('tok/en+=');
    expect(headers.authorization).toContain(
      'SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,',
    );
    expect(query.get('X-Amz-Security-Token')).toBe('tok/en+=');
    // The token changes the signature: it is part of what is signed, not appended after.
    const without = new URLSearchParams(presignQuery({ method: 'PUT', host, path: '/a' }, scope, 60));
    expect(query.get('X-Amz-Signature')).not.toBe(without.get('X-Amz-Signature'));
  });
});

describe('uriEncode', () => {
  it('keeps unreserved characters and percent-encodes every other UTF-8 byte in upper-case hex', () => {
    expect(uriEncode("A-z_0.9~ !'()*$+,;=&?#%")).toBe(
      'A-z_0.9~%20%21%27%28%29%2A%24%2B%2C%3B%3D%26%3F%23%25',
    );
    expect(uriEncode('é/ü')).toBe('%C3%A9%2F%C3%BC');
    expect(uriEncode('a/b', false)).toBe('a/b');
  });

  it('encodes an object key segment by segment, so an encoded key is encoded again', () => {
    expect(encodeKeyPath('payloads/a%2Fb/s p/e.json')).toBe('payloads/a%252Fb/s%20p/e.json');
  });
});
