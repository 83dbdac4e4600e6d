'use strict';
// Satisfiability across three subgraphs: which keys exist and whether they
// are resolvable decides whether a field owned by the third subgraph can be
// reached from the entry point in the first. Each case is one arrangement.
const { H } = require('./common');

const arrangements = {
  // name: [key in b, key in c, field set on b for c's key]
  'direct': ['@key(fields: "id")', '@key(fields: "id")'],
  'via-b-second-key': ['@key(fields: "id") @key(fields: "sku")', '@key(fields: "sku")'],
  'c-unresolvable': ['@key(fields: "id")', '@key(fields: "id", resolvable: false)'],
  'c-key-only-b-knows': ['@key(fields: "id")', '@key(fields: "code")'],
  'b-unresolvable-c-via-b': ['@key(fields: "id", resolvable: false)', '@key(fields: "sku")'],
  'c-compound-key-split': ['@key(fields: "id")', '@key(fields: "id sku")'],
};

const out = {};
for (const [name, [bKey, cKey]] of Object.entries(arrangements)) {
  const fieldsB = ['id: ID! @shareable', 'sku: String! @shareable', 'code: String @shareable', 'b: Int'];
  const fieldsC = ['id: ID! @shareable', 'sku: String! @shareable', 'code: String @shareable', 'c: Int'];
  out[`sat3-${name}`] = {
    a: H + `type Query { p: P } type P @key(fields: "id") { id: ID! @shareable sku: String! @shareable a: Int }`,
    b: H + `type P ${bKey} { ${fieldsB.join(' ')} }`,
    c: H + `type P ${cKey} { ${fieldsC.join(' ')} }`,
  };
}
module.exports = out;
