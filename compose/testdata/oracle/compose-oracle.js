#!/usr/bin/env node
// Dev-only differential oracle: composes every case under ../corpus with
// Apollo's @apollo/composition and writes expected.graphql (success) or
// expected-errors.json (failure), plus expected-hints.json when a successful
// composition gave hints. The Go tests read those committed files,
// so `go test` never needs node. Usage:
//   node compose-oracle.js [--corpus DIR] [case...]
// --corpus composes the cases of another directory (the Go test's live mode
// copies the corpus to a temporary one).
'use strict';
const fs = require('fs');
const path = require('path');
const { composeServices } = require('@apollo/composition');
const { parse } = require('graphql');

let args = process.argv.slice(2);
let corpus = path.join(__dirname, '..', 'corpus');
if (args[0] === '--corpus') {
  corpus = path.resolve(args[1]);
  args = args.slice(2);
}
const only = args;
const cases = fs.readdirSync(corpus).filter((c) => fs.statSync(path.join(corpus, c)).isDirectory());
for (const c of cases.sort()) {
  if (only.length && !only.includes(c)) continue;
  const dir = path.join(corpus, c);
  let result;
  try {
    // A subgraph that does not parse is reported as INVALID_GRAPHQL, as rover does.
    const services = fs.readdirSync(dir)
      .filter((f) => f.endsWith('.graphqls'))
      .sort()
      .map((f) => {
        const name = f.replace(/\.graphqls$/, '');
        let typeDefs;
        try {
          typeDefs = parse(fs.readFileSync(path.join(dir, f), 'utf8'));
        } catch (e) {
          throw Object.assign(new Error(`[${name}] ${e.message}`), { code: 'INVALID_GRAPHQL' });
        }
        return { name, url: `http://${name}.local/graphql`, typeDefs };
      });
    result = composeServices(services);
  } catch (e) {
    result = { errors: [{ extensions: { code: e.code || 'ORACLE_EXCEPTION' }, message: String(e && e.message) }] };
  }
  for (const f of ['expected.graphql', 'expected-errors.json', 'expected-hints.json']) {
    fs.rmSync(path.join(dir, f), { force: true });
  }
  if (result.errors && result.errors.length) {
    const errs = result.errors.map((e) => ({ code: (e.extensions && e.extensions.code) || 'UNKNOWN', message: e.message }));
    fs.writeFileSync(path.join(dir, 'expected-errors.json'), JSON.stringify(errs, null, 2) + '\n');
    console.log(`${c}: ${errs.length} error(s): ${[...new Set(errs.map((e) => e.code))].join(', ')}`);
  } else {
    fs.writeFileSync(path.join(dir, 'expected.graphql'), result.supergraphSdl + '\n');
    const hints = (result.hints || []).map((h) => ({ code: h.definition.code, message: h.message }));
    if (hints.length) {
      fs.writeFileSync(path.join(dir, 'expected-hints.json'), JSON.stringify(hints, null, 2) + '\n');
    }
    console.log(`${c}: ok${hints.length ? ` (hints: ${[...new Set(hints.map((h) => h.code))].join(', ')})` : ''}`);
  }
}
