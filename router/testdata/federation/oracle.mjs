// Dev-only: records golden responses with Apollo Gateway as the oracle.
// For each case it starts the Go subgraphs (cmd/fedserve), points Apollo
// Gateway at them through the case's supergraph (URLs rewritten), runs every
// query in queries/ and writes queries/<name>.json.
// Usage: node oracle.mjs [case ...]   (default: every case)
// Goldens are then reviewed by hand; see README.md for the ones that were
// changed to the spec-correct answer (those are listed in KEEP below and
// never overwritten).
import { readFileSync, readdirSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';

const root = dirname(fileURLToPath(import.meta.url));
const routerDir = join(root, '..', '..');
// Goldens fixed by hand to the spec-correct answer: "<case>/<query>".
const KEEP = new Set(JSON.parse(readFileSync(join(root, 'manual-goldens.json'), 'utf8')));

const bin = join(process.env.TMPDIR || '/tmp', `fedserve-oracle-${process.pid}`);
execFileSync('go', ['build', '-o', bin, './internal/fedtest/cmd/fedserve'], { cwd: routerDir, stdio: 'inherit' });

const wanted = process.argv.slice(2);
const cases = (wanted.length ? wanted : readdirSync(root)).filter(
  (d) => d !== 'node_modules' && statSync(join(root, d)).isDirectory() && existsSync(join(root, d, 'queries')),
);

function startSubgraphs(name) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['-case', name, ...(process.env.FEDSERVE_VERBOSE ? ['-v'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve({ child, ...JSON.parse(line) }));
    child.once('exit', (code) => reject(new Error(`fedserve exited with ${code}`)));
  });
}

function readOptional(path) {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

let failures = 0;
for (const name of cases.sort()) {
  const dir = join(root, name);
  const { child, urls, fetches } = await startSubgraphs(name);
  const base = (u) => u.replace(/\/graphql$/, '');
  try {
    let supergraphSdl = readFileSync(join(dir, 'supergraph.graphql'), 'utf8');
    for (const [sub, url] of Object.entries(urls)) {
      supergraphSdl = supergraphSdl.replaceAll(`"http://${sub}.invalid/graphql"`, JSON.stringify(url));
    }
    const gateway = new ApolloGateway({
      supergraphSdl,
      buildService: ({ url }) =>
        new RemoteGraphQLDataSource({
          url,
          willSendRequest({ request, context }) {
            for (const [k, v] of Object.entries(context.headers || {})) {
              const lk = k.toLowerCase();
              if (lk === 'authorization' || lk === 'x-api-key') request.http.headers.set(k, v);
            }
          },
        }),
    });
    const server = new ApolloServer({ gateway, includeStacktraceInErrorResponses: false });
    await server.start();
    const qdir = join(dir, 'queries');
    for (const f of readdirSync(qdir).filter((f) => f.endsWith('.graphql')).sort()) {
      const q = f.replace(/\.graphql$/, '');
      if (KEEP.has(`${name}/${q}`)) {
        console.log(`${name}/${q}: manual golden kept`);
        continue;
      }
      await Promise.all(Object.values(urls).map((u) => fetch(`${base(u)}/reset`, { method: 'POST' })));
      const opPath = join(qdir, `${q}.operation.txt`);
      const res = await server.executeOperation(
        {
          query: readFileSync(join(qdir, f), 'utf8'),
          variables: readOptional(join(qdir, `${q}.variables.json`)),
          operationName: existsSync(opPath) ? readFileSync(opPath, 'utf8').trim() : undefined,
        },
        { contextValue: { headers: readOptional(join(qdir, `${q}.headers.json`)) || {} } },
      );
      const body = res.body.kind === 'single' ? res.body.singleResult : { errors: [{ message: 'incremental delivery' }] };
      writeFileSync(join(qdir, `${q}.json`), JSON.stringify(body, null, 2) + '\n');
      const marker = body.errors ? ` errors: ${body.errors.map((e) => e.message).join(' | ')}` : '';
      console.log(`${name}/${q}: written${marker}`);
      for (const [sub, limit] of Object.entries((fetches || {})[q] || {})) {
        const seen = await (await fetch(`${base(urls[sub])}/requests`)).json();
        if (seen.length > limit) console.log(`  fetch bound exceeded: ${sub} got ${seen.length} requests, bound ${limit}`);
      }
    }
    await server.stop();
  } catch (e) {
    failures++;
    console.error(`${name}: ${e.stack || e}`);
  } finally {
    child.kill('SIGTERM');
  }
}
process.exit(failures ? 1 : 0);
