import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { LIMITS } from '../contracts/common';
import type { Runtime } from './runtime';

const STATIC_ROOT = resolve(import.meta.dirname, '../frontend/dist');
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

class TooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > LIMITS.maxBodyBytes) {
        reject(new TooLarge());
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function toEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] ? `${query[k]},${v}` : v;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: query,
    requestContext: {
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: headers['user-agent'] ?? '',
      },
    } as APIGatewayProxyEventV2['requestContext'],
    body: body.length ? body.toString('base64') : undefined,
    isBase64Encoded: body.length > 0,
  };
}

const context = { functionName: 'vigil-local', awsRequestId: 'local' } as Context;

/** Baselines, incidents, alert rules, channels (before the query API, which owns the rest of /api/agents). */
const ALERT_PATHS =
  /^\/api\/(alert-rules|channels|incidents)(\/|$)|^\/api\/agents\/[^/]+\/(baselines|incidents)(\/|$)/;

function pickLambda(rt: Runtime, path: string) {
  if (path.startsWith('/api/admin/')) return rt.admin;
  if (
    path === '/v1/traces' ||
    /^\/api\/(initsession|updatesession|events|sdk\/evals|v1\/batch|blobs\/)/.test(path)
  ) {
    return rt.ingest;
  }
  if (ALERT_PATHS.test(path)) return rt.alerts;
  if (path.startsWith('/api/')) return rt.query;
  return null;
}

async function serveStatic(path: string, res: ServerResponse, rt: Runtime): Promise<void> {
  if (path === '/config.json') {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ apiBaseUrl: '', mode: 'local' }));
    return;
  }
  const file = normalize(join(STATIC_ROOT, path === '/' ? 'index.html' : path));
  const inside = file.startsWith(STATIC_ROOT);
  for (const candidate of inside ? [file, join(STATIC_ROOT, 'index.html')] : []) {
    try {
      const body = await readFile(candidate);
      res
        .writeHead(200, { 'content-type': MIME[extname(candidate)] ?? 'application/octet-stream' })
        .end(body);
      return;
    } catch {
      // try the SPA fallback
    }
  }
  void rt;
  res
    .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    .end(
      '<!doctype html><title>Vigil</title><h1>Vigil is running</h1><p>The dashboard is not built yet. The API is at /api.</p>',
    );
}

/** One HTTP server mapping requests to the same handlers the Lambdas run. */
export function createLocalServer(rt: Runtime): Server {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    try {
      const lambda = pickLambda(rt, path);
      if (!lambda) {
        await serveStatic(path, res, rt);
        return;
      }
      const body = await readBody(req);
      const result = await lambda(toEvent(req, body), context);
      const payload = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? '');
      res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>).end(payload);
    } catch (e) {
      if (res.headersSent) return res.destroy();
      const tooLarge = e instanceof TooLarge;
      res.writeHead(tooLarge ? 413 : 500, { 'content-type': 'application/json', connection: 'close' }).end(
        JSON.stringify({
          detail: tooLarge ? `body: larger than ${LIMITS.maxBodyBytes} bytes` : 'internal error',
        }),
      );
      if (!tooLarge) rt.deps.logger.error('local server error', e as Error);
    }
  });
  server.keepAliveTimeout = 65_000;
  return server;
}
