// Dev-only: composes every case's subgraph SDLs into its supergraph.graphql
// with Apollo's own composition (@apollo/composition, pinned in package.json).
// Usage: node compose.mjs [case ...]   (default: every case directory)
// A case whose supergraph.graphql is a hand-written join v0.1 (Federation 1)
// supergraph is left alone: today's composition only emits Federation 2.
import { readFileSync, readdirSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import { composeServices } from '@apollo/composition';

const root = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const cases = (wanted.length ? wanted : readdirSync(root)).filter(
  (d) => d !== 'node_modules' && statSync(join(root, d)).isDirectory() && existsSync(join(root, d, 'queries')),
);

let failed = 0;
for (const name of cases.sort()) {
  const dir = join(root, name);
  const out = join(dir, 'supergraph.graphql');
  if (existsSync(out) && readFileSync(out, 'utf8').includes('https://specs.apollo.dev/join/v0.1')) {
    console.log(`${name}: hand-written Federation 1 supergraph kept`);
    continue;
  }
  const services = readdirSync(dir)
    .filter((f) => f.endsWith('.graphql') && f !== 'supergraph.graphql')
    .sort()
    .map((f) => {
      const sub = f.replace(/\.graphql$/, '');
      return { name: sub, url: `http://${sub}.invalid/graphql`, typeDefs: parse(readFileSync(join(dir, f), 'utf8')) };
    });
  const result = composeServices(services);
  if (result.errors && result.errors.length) {
    failed++;
    console.error(`${name}: composition failed`);
    for (const e of result.errors) console.error(`  ${e.message}`);
    continue;
  }
  writeFileSync(out, result.supergraphSdl.endsWith('\n') ? result.supergraphSdl : result.supergraphSdl + '\n');
  const hints = (result.hints || []).length;
  console.log(`${name}: composed ${services.length} subgraphs${hints ? ` (${hints} hints)` : ''}`);
}
process.exit(failed ? 1 : 0);
