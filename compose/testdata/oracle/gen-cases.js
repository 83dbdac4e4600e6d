#!/usr/bin/env node
// Dev-only corpus generator: every file under ./cases exports an object that
// maps a case name to its subgraphs ({ subgraphName: sdl }). This script
// writes them to ../corpus/<case>/<subgraph>.graphqls (replacing the
// .graphqls files of cases it owns) and prints the names, to pass on to
// compose-oracle.js. Usage: node gen-cases.js [file.js ...]
'use strict';
const fs = require('fs');
const path = require('path');

const corpus = path.join(__dirname, '..', 'corpus');
const casesDir = path.join(__dirname, 'cases');
const only = process.argv.slice(2);
const written = [];
for (const f of fs.readdirSync(casesDir).filter((f) => f.endsWith('.js')).sort()) {
  if (only.length && !only.includes(f)) continue;
  const cases = require(path.join(casesDir, f));
  for (const [name, subgraphs] of Object.entries(cases)) {
    const dir = path.join(corpus, name);
    fs.mkdirSync(dir, { recursive: true });
    for (const old of fs.readdirSync(dir).filter((x) => x.endsWith('.graphqls'))) {
      fs.rmSync(path.join(dir, old));
    }
    for (const [sub, sdl] of Object.entries(subgraphs)) {
      fs.writeFileSync(path.join(dir, `${sub}.graphqls`), sdl.trim() + '\n');
    }
    written.push(name);
  }
}
console.log(written.join(' '));
