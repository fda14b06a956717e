import { readFileSync } from 'node:fs';
import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { createCognitoWorld, type FakeUser } from './fake-cognito';

/**
 * Runs the fake Cognito world (fake-cognito.ts) as its own process, so it can live in the browser's
 * loopback-only network namespace: Cognito and the dashboard API over TLS (the browser maps their real
 * AWS host names here), the dashboard over HTTP. Options come as JSON in FAKE_COGNITO_OPTIONS; it
 * prints one `READY {…ports}` line, then answers JSON-line requests on stdin (`{"id":1,"op":"log"}`,
 * `advance`, `revoke-user`, `refresh-token-state`) with `{"id":1,"result":…}` lines on stdout.
 */

interface MainOptions {
  region: string;
  userPoolId: string;
  clientId: string;
  apiHost: string;
  users: FakeUser[];
  vigilUrl: string;
  vigilKey: string;
  distDir: string;
  certFile: string;
  keyFile: string;
}

const o = JSON.parse(process.env.FAKE_COGNITO_OPTIONS ?? '{}') as MainOptions;
let dashboardOrigin = '';
const world = createCognitoWorld({
  region: o.region,
  userPoolId: o.userPoolId,
  clientId: o.clientId,
  users: o.users,
  vigilUrl: o.vigilUrl,
  vigilKey: o.vigilKey,
  distDir: o.distDir,
  allowOrigins: () => [dashboardOrigin],
  dashboardConfig: () => ({
    apiBaseUrl: `https://${o.apiHost}/public`,
    mode: 'aws',
    stage: 'e2e',
    auth: {
      type: 'cognito',
      region: o.region,
      userPoolId: o.userPoolId,
      userPoolClientId: o.clientId,
      apiBaseUrl: `https://${o.apiHost}`,
      apiKeyFallback: false,
    },
  }),
});

const tls = { cert: readFileSync(o.certFile), key: readFileSync(o.keyFile) };
const listen = (s: Server) =>
  new Promise<number>((ok) => s.listen(0, '127.0.0.1', () => ok((s.address() as AddressInfo).port)));

const servers = [createHttps(tls, world.cognito), createHttps(tls, world.api), createHttp(world.dashboard)];
const [cognitoPort, apiPort, dashboardPort] = await Promise.all(servers.map(listen));
dashboardOrigin = `http://127.0.0.1:${dashboardPort}`;
process.stdout.write(`READY ${JSON.stringify({ cognitoPort, apiPort, dashboardPort })}\n`);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const msg = JSON.parse(line) as { id: number; op: string; ms?: number; token?: string; username?: string };
  let result: unknown;
  if (msg.op === 'log') result = world.log;
  else if (msg.op === 'advance') result = world.advance(msg.ms ?? 0) ?? null;
  else if (msg.op === 'revoke-user') result = world.revokeUser(msg.username ?? '');
  else if (msg.op === 'refresh-token-state') result = world.refreshTokenState(msg.token ?? '');
  else result = { error: `unknown op ${msg.op}` };
  process.stdout.write(`${JSON.stringify({ id: msg.id, result })}\n`);
});
lines.on('close', () => {
  for (const s of servers) s.close();
  for (const s of servers) s.closeAllConnections();
});
