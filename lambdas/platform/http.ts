import { gunzipSync } from 'node:zlib';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { $ZodError, type $ZodType, type output, safeParse } from 'zod/v4/core';
import { describeIssue, LIMITS } from '../../contracts/common';
import { DomainError, type DomainErrorKind } from '../domain/errors';
import { type RequestHeaders, VERIFIED_JWT, verifiedJwtFrom } from '../domain/keys';
import type { Logger } from './logger';

/** A request as the handlers see it, whatever carried it (API Gateway or the local server). */
export interface HttpRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  /** Decoded (base64, gzip) body bytes. */
  raw: Buffer;
  /** Parsed JSON for JSON bodies (undefined for empty or non-JSON bodies). */
  json: unknown;
}

export interface HttpResponse {
  status: number;
  body?: unknown;
  /** Raw text body (CSV exports); when set, `body` is ignored. */
  text?: string;
  /** Raw binary body (protobuf answers), sent base64-encoded to API Gateway; wins over `text` and `body`. */
  bytes?: Uint8Array;
  headers?: Record<string, string>;
}

export type Route = {
  method: string;
  pattern: string;
  handle: (req: HttpRequest) => Promise<HttpResponse>;
};

const STATUS: Record<DomainErrorKind, number> = {
  validation: 400,
  auth: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  'unsupported-media': 415,
  unavailable: 503,
};

/**
 * Parses a body with a contract schema (classic zod or zod/mini: both are core schemas); a failure names
 * the field and the rule. Through zod's core so that this module, shared by every HTTP Lambda, never
 * loads classic zod into a bundle whose contracts are all zod/mini (the ingest Lambda).
 */
export function parseBody<S extends $ZodType>(schema: S, value: unknown, prefix = ''): output<S> {
  const r = safeParse(schema, value);
  if (!r.success) {
    const { field, message } = describeIssue(r.error, prefix);
    throw new DomainError('validation', message, { field });
  }
  return r.data;
}

function compile(pattern: string): { re: RegExp; names: string[] } {
  const names: string[] = [];
  const re = new RegExp(
    `^${pattern
      .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      .replace(/\\?\{(\w+)(\+?)\\?\}/g, (_m, name: string, greedy: string) => {
        names.push(name);
        return greedy ? '(.+)' : '([^/]+)';
      })}/?$`,
  );
  return { re, names };
}

/** Matches method + path against routes; 404/405 when nothing matches. */
export function router(routes: Route[]): (req: HttpRequest) => Promise<HttpResponse> {
  const compiled = routes.map((r) => ({ ...r, ...compile(r.pattern) }));
  return async (req) => {
    let pathMatched = false;
    for (const r of compiled) {
      const m = r.re.exec(req.path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== req.method) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => {
        params[n] = decodeURIComponent(m[i + 1]!);
      });
      return r.handle({ ...req, params });
    }
    if (pathMatched)
      throw new DomainError('validation', `method ${req.method} is not allowed on ${req.path}`);
    throw new DomainError('not-found', `no route for ${req.method} ${req.path}`);
  };
}

function decodeBody(event: APIGatewayProxyEventV2, headers: Record<string, string | undefined>): Buffer {
  if (!event.body) return Buffer.alloc(0);
  let raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.length > LIMITS.maxBodyBytes)
    throw new DomainError('too-large', `body: larger than ${LIMITS.maxBodyBytes} bytes`);
  const encoding = (headers['content-encoding'] ?? '').toLowerCase().trim();
  if (encoding === 'gzip' || (encoding === '' && raw[0] === 0x1f && raw[1] === 0x8b)) {
    try {
      raw = gunzipSync(raw, { maxOutputLength: LIMITS.maxBodyBytes });
    } catch (e) {
      if (
        (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ||
        /larger than|buffer/i.test((e as Error).message)
      ) {
        throw new DomainError(
          'too-large',
          `body: larger than ${LIMITS.maxBodyBytes} bytes once decompressed`,
        );
      }
      throw new DomainError('validation', 'body: content-encoding is gzip but the body is not valid gzip');
    }
  } else if (encoding !== '' && encoding !== 'identity') {
    throw new DomainError(
      'unsupported-media',
      `content-encoding: "${encoding}" is not supported; use gzip or none`,
    );
  }
  return raw;
}

/** Claims API Gateway's JWT authorizer verified; present only on routes that have one. */
function verifiedClaims(event: APIGatewayProxyEventV2): Record<string, unknown> | undefined {
  const ctx = event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } };
  return ctx.authorizer?.jwt?.claims;
}

function toRequest(event: APIGatewayProxyEventV2): HttpRequest {
  const headers: RequestHeaders = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) headers[k.toLowerCase()] = v;
  const claims = verifiedClaims(event);
  const jwt = claims ? verifiedJwtFrom(claims) : null;
  if (jwt) headers[VERIFIED_JWT] = jwt;
  const raw = decodeBody(event, headers);
  const type = (headers['content-type'] ?? '').toLowerCase();
  let json: unknown;
  const looksJson =
    type.includes('json') || (type === '' && raw.length > 0 && (raw[0] === 0x7b || raw[0] === 0x5b));
  if (raw.length > 0 && looksJson) {
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch (e) {
      throw new DomainError('validation', `body: malformed JSON (${(e as Error).message})`);
    }
  }
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) query[k] = v;
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    params: {},
    query,
    headers,
    raw,
    json,
  };
}

export interface HttpOptions {
  logger: Logger;
  corsOrigins: string;
}

function corsHeaders(origin: string | undefined, allowed: string): Record<string, string> {
  const list = allowed.split(',').map((s) => s.trim());
  const allow = list.includes('*') ? '*' : origin && list.includes(origin) ? origin : (list[0] ?? '');
  return {
    'access-control-allow-origin': allow,
    'access-control-allow-headers': 'authorization,content-type,content-encoding,x-api-key,x-agent-id',
    'access-control-allow-methods': 'GET,POST,PUT,DELETE,OPTIONS',
    'access-control-max-age': '600',
  };
}

function toResult(res: HttpResponse, cors: Record<string, string>): APIGatewayProxyStructuredResultV2 {
  if (res.bytes !== undefined) {
    return {
      statusCode: res.status,
      headers: { ...cors, ...res.headers },
      body: Buffer.from(res.bytes).toString('base64'),
      isBase64Encoded: true,
    };
  }
  if (res.text !== undefined) {
    return { statusCode: res.status, headers: { ...cors, ...res.headers }, body: res.text };
  }
  return {
    statusCode: res.status,
    headers: { 'content-type': 'application/json', ...cors, ...res.headers },
    body: JSON.stringify(res.body ?? {}),
  };
}

/** Maps any thrown value to a response: domain kinds to 4xx/503, everything unexpected to a logged 500. */
export function errorResponse(e: unknown, logger: Logger): HttpResponse {
  if (e instanceof DomainError) {
    const status = STATUS[e.kind];
    if (status >= 500)
      logger.warn('dependency unavailable', { error: e.message, cause: String(e.cause ?? '') });
    return {
      status,
      body: { detail: e.message, error: e.kind, ...(e.field ? { field: e.field } : {}) },
      headers: status === 503 ? { 'retry-after': '1' } : undefined,
    };
  }
  // Classic zod's ZodError is a $ZodError too.
  if (e instanceof $ZodError) {
    const { field, message } = describeIssue(e);
    return { status: 400, body: { detail: message, error: 'validation', field } };
  }
  logger.error('unhandled error', e as Error);
  return { status: 500, body: { detail: 'internal error', error: 'internal' } };
}

/**
 * The one middleware stack every HTTP Lambda uses: request decoding (base64, gzip, JSON), CORS,
 * logger context, and the single error → HTTP mapping.
 */
export function httpHandler(
  handle: (req: HttpRequest) => Promise<HttpResponse>,
  opts: HttpOptions,
): middy.MiddyfiedHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context> {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>().handler(
    async (event, context) => {
      const origin = event.headers?.origin ?? event.headers?.Origin;
      const cors = corsHeaders(origin, opts.corsOrigins);
      opts.logger.addContext(context);
      try {
        if (event.requestContext.http.method.toUpperCase() === 'OPTIONS')
          return toResult({ status: 204, text: '' }, cors);
        const res = await handle(toRequest(event));
        return toResult(res, cors);
      } catch (e) {
        return toResult(errorResponse(e, opts.logger), cors);
      } finally {
        opts.logger.resetKeys?.();
      }
    },
  );
}

export type LambdaHttpHandler = ReturnType<typeof httpHandler>;
