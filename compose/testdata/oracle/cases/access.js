'use strict';
// Access control directives (@authenticated, @requiresScopes, @policy).
const { fed } = require('./common');
const A = fed('2.6', ['@key', '@shareable', '@external', '@requires', '@authenticated', '@requiresScopes', '@policy', '@interfaceObject']);

module.exports = {
  'auth-on-entity-type-one-subgraph': {
    a: A + `type Query { p(id: ID!): P } type P @key(fields: "id") @authenticated { id: ID! a: Int }`,
    b: A + `type P @key(fields: "id") { id: ID! b: Int }`,
  },
  'scopes-on-field-both-subgraphs': {
    a: A + `type Query { p: P } type P @key(fields: "id") { id: ID! x: Int @shareable @requiresScopes(scopes: [["read:x"]]) }`,
    b: A + `type P @key(fields: "id") { id: ID! x: Int @shareable @requiresScopes(scopes: [["admin"]]) }`,
  },
  'policy-on-scalar-and-enum': {
    a: A + `scalar Secret @policy(policies: [["vault"]]) enum Level @authenticated { LOW HIGH } type Query { s: Secret l: Level }`,
  },
  'scopes-or-groups-merged': {
    a: A + `type Query { x: Int @shareable @requiresScopes(scopes: [["a"], ["b"]]) }`,
    b: A + `type Query { x: Int @shareable @requiresScopes(scopes: [["c"]]) }`,
  },
  'err-requires-reads-authenticated-field': {
    a: A + `type Query { p(id: ID!): P } type P @key(fields: "id") { id: ID! secret: Int @authenticated }`,
    b: A + `type P @key(fields: "id") { id: ID! secret: Int @external derived: Int @requires(fields: "secret") }`,
  },
  'requires-carries-authenticated': {
    a: A + `type Query { p(id: ID!): P } type P @key(fields: "id") { id: ID! secret: Int @authenticated }`,
    b: A + `type P @key(fields: "id") { id: ID! secret: Int @external derived: Int @authenticated @requires(fields: "secret") }`,
  },
  'auth-interface-object-field-propagates': {
    a: A + `type Query { m: Media } interface Media @key(fields: "id") { id: ID! } type Book implements Media @key(fields: "id") { id: ID! }`,
    b: A + `type Media @key(fields: "id") @interfaceObject { id: ID! price: Int @authenticated }`,
  },
};
