'use strict';
// @shareable: fields resolved by several subgraphs, and the conflicts.
const { H, fed } = require('./common');

module.exports = {
  'shareable-field-three-subgraphs': {
    a: H + `type Query { p(id: ID!): P } type P @key(fields: "id") { id: ID! name: String @shareable }`,
    b: H + `type P @key(fields: "id") { id: ID! name: String @shareable }`,
    c: H + `type P @key(fields: "id") { id: ID! name: String @shareable }`,
  },
  'err-shareable-missing-in-one-of-three': {
    a: H + `type Query { p(id: ID!): P } type P @key(fields: "id") { id: ID! name: String @shareable }`,
    b: H + `type P @key(fields: "id") { id: ID! name: String @shareable }`,
    c: H + `type P @key(fields: "id") { id: ID! name: String }`,
  },
  'shareable-on-type-extension': {
    a: H + `type Query { p: Point @shareable } type Point @shareable { x: Int y: Int }`,
    b: H + `type Query { p: Point @shareable } type Point @shareable { x: Int y: Int }`,
  },
  'shareable-type-level-partial': {
    a: H + `type Query { p: Point @shareable } type Point @shareable { x: Int y: Int }`,
    b: H + `type Query { p: Point @shareable } type Point { x: Int @shareable y: Int @shareable }`,
  },
  'err-shareable-root-mutation': {
    a: H + `type Query { a: Int } type Mutation { go: Int }`,
    b: H + `type Query { b: Int } type Mutation { go: Int }`,
  },
  'shareable-root-mutation-marked': {
    a: H + `type Query { a: Int } type Mutation { go: Int @shareable }`,
    b: H + `type Query { b: Int } type Mutation { go: Int @shareable }`,
  },
  'err-shareable-field-on-interface': {
    a: H + `type Query { i: I } interface I { x: Int @shareable } type T implements I { x: Int }`,
  },
  'shareable-key-fields-implicit': {
    a: H + `type Query { p(id: ID!): P } type P @key(fields: "id") { id: ID! }`,
    b: H + `type P @key(fields: "id") { id: ID! extra: Int }`,
  },
  'shareable-external-provided': {
    a: H + `type Query { p(id: ID!): P } type P @key(fields: "id") { id: ID! name: String @shareable }`,
    b: H + `type Query { featured: P @provides(fields: "name") } type P @key(fields: "id") { id: ID! name: String @external }`,
  },
  'err-shareable-value-type-not-shareable': {
    a: H + `type Query { a: Money } type Money { amount: Int }`,
    b: H + `type Query { b: Money } type Money { amount: Int }`,
  },
  'shareable-list-nullability-compatible': {
    a: H + `type Query { tags: [String!]! @shareable }`,
    b: H + `type Query { tags: [String] @shareable }`,
  },
  'err-shareable-list-vs-single': {
    a: H + `type Query { tags: [String] @shareable }`,
    b: H + `type Query { tags: String @shareable }`,
  },
  'shareable-fed-v2-0': {
    a: fed('2.0', ['@key', '@shareable']) + `type Query { p: P @shareable } type P @shareable { x: Int }`,
    b: fed('2.0', ['@key', '@shareable']) + `type Query { p: P @shareable } type P @shareable { x: Int }`,
  },
};
