/**
 * `npm run keys -- <create|list|revoke> …` — API key management for the local runtime.
 * With VIGIL_URL (and an admin VIGIL_API_KEY) it uses the running server's admin API; otherwise it
 * opens the DuckDB file in VIGIL_DATA_DIR directly (only while the runtime is stopped: DuckDB allows
 * one process per file).
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createKeyBody } from '../contracts/keys';
import { openDuckDbStores } from '../lambdas/adapters/duckdb';
import { createKey } from '../lambdas/domain/keys';
import { keyView } from '../lambdas/handlers/views';

const USAGE = `usage:
  npm run keys -- create --name NAME --scopes ingest,read,admin [--agents a,b | --agents '*']
  npm run keys -- list
  npm run keys -- revoke KEY_ID
env: VIGIL_DATA_DIR (default .vigil) or VIGIL_URL + VIGIL_API_KEY (admin) to use a running server`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { name: { type: 'string' }, scopes: { type: 'string' }, agents: { type: 'string' } },
  });
  const [command, arg] = positionals;
  if (!command || !['create', 'list', 'revoke'].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const input =
    command === 'create'
      ? createKeyBody.safeParse({
          name: values.name,
          scopes: (values.scopes ?? '').split(',').filter(Boolean),
          agents: !values.agents || values.agents === '*' ? '*' : values.agents.split(',').filter(Boolean),
        })
      : null;
  if (input && !input.success) {
    console.error(
      `invalid arguments: ${input.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; ')}`,
    );
    console.error(USAGE);
    return 2;
  }
  if (command === 'revoke' && !arg) {
    console.error(USAGE);
    return 2;
  }

  const url = process.env.VIGIL_URL;
  if (url) {
    const headers = {
      authorization: `Api-Key ${process.env.VIGIL_API_KEY ?? ''}`,
      'content-type': 'application/json',
    };
    const res =
      command === 'create'
        ? await fetch(`${url}/api/admin/keys`, { method: 'POST', headers, body: JSON.stringify(input!.data) })
        : command === 'list'
          ? await fetch(`${url}/api/admin/keys`, { headers })
          : await fetch(`${url}/api/admin/keys/${encodeURIComponent(arg!)}`, { method: 'DELETE', headers });
    console.log(JSON.stringify(await res.json(), null, 2));
    return res.ok ? 0 : 1;
  }

  const dataDir = resolve(process.env.VIGIL_DATA_DIR ?? '.vigil');
  let stores: Awaited<ReturnType<typeof openDuckDbStores>>;
  try {
    stores = await openDuckDbStores(join(dataDir, 'vigil.duckdb'));
  } catch (e) {
    console.error(
      `${(e as Error).message}\nIs Vigil running? Then use VIGIL_URL=http://127.0.0.1:8000 VIGIL_API_KEY=<admin key>.`,
    );
    return 1;
  }
  try {
    if (command === 'create') {
      const { key, record } = await createKey(stores.keys, input!.data, Date.now());
      console.log(JSON.stringify({ ...keyView(record), key }, null, 2));
      console.error('The key is shown once: store it now.');
    } else if (command === 'list') {
      console.log(JSON.stringify((await stores.keys.list()).map(keyView), null, 2));
    } else if (!(await stores.keys.revoke(arg!, Date.now()))) {
      console.error(`no key ${arg}`);
      return 1;
    } else {
      console.log(`revoked ${arg}`);
    }
    return 0;
  } finally {
    await stores.db.close();
  }
}

main().then((code) => process.exit(code));
