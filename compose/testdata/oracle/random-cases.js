'use strict';
// Dev-only differential fuzzing: writes 300 random two- or three-subgraph
// cases around one entity (keys resolvable or not, shareable, external,
// @requires, @provides) to OUTDIR, for the oracle and TestExternalCorpus:
//   node random-cases.js /tmp/rand 42
//   node compose-oracle.js --corpus /tmp/rand
//   COMPOSE_CORPUS=/tmp/rand go test -run TestExternalCorpus ./compose
// A disagreement worth keeping becomes a named case under cases/.
const fs = require('fs');
const path = require('path');
const out = process.argv[2];
if (!out) {
  console.error("usage: node random-cases.js OUTDIR [seed]");
  process.exit(2);
}
let seed = Number(process.argv[3] || 1);
function rnd(n) { seed = (seed * 48271) % 2147483647; return Math.floor(seed / 7) % n; }
const H = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides"])\n';
for (let c = 0; c < 300; c++) {
  const n = 2 + rnd(2);
  const subs = [];
  for (let i = 0; i < n; i++) subs.push({ types: {}, query: [] });
  // Entity P with fields id, sku, f0..f3 spread over subgraphs; value type V.
  for (let i = 0; i < n; i++) {
    const s = subs[i];
    const hasP = i === 0 || rnd(4) > 0;
    if (!hasP) continue;
    const keys = [];
    const k = rnd(5);
    if (k === 0) keys.push('@key(fields: "id")');
    else if (k === 1) keys.push('@key(fields: "id", resolvable: false)');
    else if (k === 2) keys.push('@key(fields: "sku")');
    else if (k === 3) keys.push('@key(fields: "id") @key(fields: "sku")');
    const fields = ['id: ID! @shareable'];
    if (rnd(2) || k >= 2) fields.push('sku: String @shareable');
    for (let f = 0; f < 4; f++) {
      const r = rnd(6);
      if (r === 0) fields.push(`f${f}: Int`);
      else if (r === 1) fields.push(`f${f}: Int @shareable`);
      else if (r === 2 && i > 0) fields.push(`f${f}: Int @external`);
    }
    if (fields.some((x) => x.endsWith('@external')) && rnd(2)) {
      const ext = fields.filter((x) => x.endsWith('@external')).map((x) => x.split(':')[0]);
      fields.push(`r${i}: Int @requires(fields: "${ext.join(' ')}")`);
    }
    s.types.P = `type P ${keys.join(' ')} { ${fields.join(' ')} }`;
    if (i === 0 || rnd(3) === 0) {
      const ext = fields.filter((x) => x.endsWith('@external') && !x.startsWith('sku')).map((x) => x.split(':')[0]);
      if (ext.length && rnd(2)) s.query.push(`p${i}: P @provides(fields: "${ext[0]}")`);
      else s.query.push(`p${i}: P`);
    }
  }
  const dir = path.join(out, `fz-${c}`);
  fs.mkdirSync(dir, { recursive: true });
  subs.forEach((s, i) => {
    let sdl = H;
    if (s.query.length) sdl += `type Query { ${s.query.join(' ')} }\n`;
    for (const t of Object.values(s.types)) sdl += t + '\n';
    if (!s.query.length && !Object.keys(s.types).length) sdl += 'type Query { z' + i + ': Int }\n';
    fs.writeFileSync(path.join(dir, String.fromCharCode(97 + i) + '.graphqls'), sdl);
  });
}
