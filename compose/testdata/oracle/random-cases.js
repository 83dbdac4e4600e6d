'use strict';
// Dev-only differential fuzzing: writes 300 random two- or three-subgraph
// cases around one entity (keys resolvable or not, shareable, external,
// @requires, @provides) or, in abstract mode, around an interface, its
// implementations, an @interfaceObject and a union, to OUTDIR, for the oracle and TestExternalCorpus:
//   node random-cases.js /tmp/rand 42 [entity|abstract]
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
const mode = process.argv[4] || 'entity';
function rnd(n) { seed = (seed * 48271) % 2147483647; return Math.floor(seed / 7) % n; }
const H23 = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@interfaceObject"])\n';
const H = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides"])\n';
// abstractCase builds an interface I with implementations A and B spread
// over the subgraphs: I as an entity interface, as an @interfaceObject, or
// a plain interface, and a union U of A and B.
function abstractCase(n) {
  const files = [];
  for (let i = 0; i < n; i++) {
    const parts = [];
    const query = [];
    const itf = i === 0 ? rnd(3) : rnd(4);
    const iFields = ['id: ID!'];
    if (rnd(2)) iFields.push('name: String');
    if (itf === 0) {
      parts.push(`interface I @key(fields: "id") { ${iFields.join(' ')} }`);
    } else if (itf === 1) {
      parts.push(`interface I { ${iFields.join(' ')} }`);
    } else if (itf === 2 && i > 0) {
      parts.push(`type I @key(fields: "id") @interfaceObject { id: ID! ${rnd(2) ? 'score: Int' : 'extra' + i + ': Int'} }`);
    }
    const isIO = itf === 2 && i > 0;
    for (const t of ['A', 'B']) {
      if (isIO || rnd(3) === 0) continue;
      const key = ['@key(fields: "id")', '@key(fields: "id", resolvable: false)', ''][rnd(3)];
      const impl = (itf === 0 || itf === 1) ? ' implements I' : '';
      const fields = ['id: ID! @shareable'];
      if (impl && iFields.includes('name: String')) fields.push('name: String @shareable');
      if (rnd(2)) fields.push(`${t.toLowerCase()}${i}: Int`);
      parts.push(`type ${t}${impl} ${key} { ${fields.join(' ')} }`);
    }
    if (parts.some((p) => p.startsWith('type A')) && parts.some((p) => p.startsWith('type B')) && rnd(2)) {
      parts.push('union U = A | B');
      query.push(`u${i}: [U] @shareable`);
    }
    if (parts.some((p) => p.includes('interface I') || p.includes('@interfaceObject')) && (i === 0 || rnd(2))) {
      query.push(`i${i}: [I]`);
    }
    if (!query.length) query.push(`z${i}: Int`);
    files.push(H23 + `type Query { ${query.join(' ')} }\n` + parts.join('\n') + '\n');
  }
  return files;
}

for (let c = 0; c < 300; c++) {
  const n = 2 + rnd(2);
  if (mode === 'abstract') {
    const dir = path.join(out, `ab-${c}`);
    fs.mkdirSync(dir, { recursive: true });
    abstractCase(n).forEach((sdl, i) => fs.writeFileSync(path.join(dir, String.fromCharCode(97 + i) + '.graphqls'), sdl));
    continue;
  }
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
