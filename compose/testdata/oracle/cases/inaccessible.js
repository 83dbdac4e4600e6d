'use strict';
// @inaccessible: propagation through the supergraph and its rules.
const { H } = require('./common');

module.exports = {
  'inaccessible-field-one-subgraph-shareable': {
    a: H + `type Query { p: P @shareable } type P @shareable { a: Int b: Int @inaccessible }`,
    b: H + `type Query { p: P @shareable } type P @shareable { a: Int b: Int }`,
  },
  'inaccessible-type-unreferenced': {
    a: H + `type Query { a: Int } type Internal @inaccessible { x: Int }`,
  },
  'err-inaccessible-type-referenced-by-field': {
    a: H + `type Query { a: Internal } type Internal @inaccessible { x: Int }`,
  },
  'inaccessible-type-behind-inaccessible-field': {
    a: H + `type Query { a: Int internal: Internal @inaccessible } type Internal @inaccessible { x: Int }`,
  },
  'inaccessible-argument-optional': {
    a: H + `type Query { list(debug: Boolean @inaccessible, first: Int): [Int] }`,
  },
  'inaccessible-input-field-optional': {
    a: H + `input F { name: String secret: String @inaccessible } type Query { a(f: F): Int }`,
  },
  'inaccessible-union-member-type': {
    a: H + `union U = A | B type A { x: Int } type B @inaccessible { y: Int } type Query { u: U }`,
  },
  'inaccessible-interface-implementation-field': {
    a: H + `interface I { x: Int } type T implements I { x: Int y: Int @inaccessible } type Query { i: I }`,
  },
  'inaccessible-entity-field-other-subgraph': {
    a: H + `type Query { p(id: ID!): P } type P @key(fields: "id") { id: ID! a: Int }`,
    b: H + `type P @key(fields: "id") { id: ID! internal: Int @inaccessible }`,
  },
  'inaccessible-enum-type-unused-elsewhere': {
    a: H + `enum Hidden @inaccessible { A B } type Query { a: Int }`,
  },
  'inaccessible-key-field': {
    a: H + `type Query { p(id: ID!): P } type P @key(fields: "id") { id: ID! @inaccessible a: Int }`,
    b: H + `type P @key(fields: "id") { id: ID! b: Int }`,
  },
  'inaccessible-with-tag': {
    a: H + `type Query { a: Int @tag(name: "x") b: Int @inaccessible @tag(name: "y") }`,
  },
  'err-only-inaccessible-fields': {
    a: H + `type Query { a: Int t: T } type T { x: Int @inaccessible y: Int @inaccessible }`,
  },
  'err-only-inaccessible-enum-values': {
    a: H + `enum E { A @inaccessible } type Query { e: E }`,
  },
};
