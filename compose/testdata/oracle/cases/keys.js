'use strict';
// @key: compound and nested keys, several keys, resolvable: false mixes.
const { H } = require('./common');

module.exports = {
  'key-nested-object': {
    a: H + `type Query { p: P } type P @key(fields: "id org { id }") { id: ID! org: Org! name: String } type Org @shareable { id: ID! }`,
    b: H + `type P @key(fields: "id org { id }") { id: ID! org: Org! price: Int } type Org @shareable { id: ID! }`,
  },
  'key-different-per-subgraph': {
    a: H + `type Query { p: P } type P @key(fields: "id") @key(fields: "sku") { id: ID! sku: String! name: String }`,
    b: H + `type P @key(fields: "sku") { sku: String! price: Int }`,
    c: H + `type P @key(fields: "id") { id: ID! stock: Int }`,
  },
  'key-non-resolvable-reference-only': {
    a: H + `type Query { reviews: [Review] } type Review { p: P body: String } type P @key(fields: "id", resolvable: false) { id: ID! }`,
    b: H + `type Query { p(id: ID!): P } type P @key(fields: "id") { id: ID! name: String }`,
  },
  'key-resolvable-false-and-true-same-subgraph': {
    a: H + `type Query { p: P } type P @key(fields: "id") @key(fields: "sku", resolvable: false) { id: ID! sku: String! name: String }`,
    b: H + `type P @key(fields: "sku") { sku: String! price: Int }`,
  },
  'err-key-resolvable-false-only-way': {
    a: H + `type Query { p: P } type P @key(fields: "sku") { sku: String! name: String }`,
    b: H + `type P @key(fields: "id", resolvable: false) { id: ID! price: Int }`,
  },
  'key-on-extension-fed2': {
    a: H + `type Query { p: P } type P @key(fields: "id") { id: ID! name: String }`,
    b: H + `extend type P @key(fields: "id") { id: ID! price: Int }`,
  },
  'err-key-field-missing': {
    a: H + `type Query { p: P } type P @key(fields: "uuid") { id: ID! }`,
  },
  'err-key-on-interface-field-type': {
    a: H + `type Query { p: P } interface I { x: Int } type X implements I { x: Int } type P @key(fields: "i { x }") { i: I }`,
  },
  'key-with-typename': {
    a: H + `type Query { p: P } type P @key(fields: "__typename id") { id: ID! name: String }`,
    b: H + `type P @key(fields: "id") { id: ID! price: Int }`,
  },
  'key-list-field': {
    a: H + `type Query { p: P } type P @key(fields: "ids") { ids: [ID!]! name: String }`,
    b: H + `type P @key(fields: "ids") { ids: [ID!]! price: Int }`,
  },
  'key-enum-field': {
    a: H + `enum Region { EU US } type Query { p: P } type P @key(fields: "id region") { id: ID! region: Region! name: String }`,
    b: H + `enum Region { EU US } type P @key(fields: "id region") { id: ID! region: Region! price: Int }`,
  },
  'entity-interface-key': {
    a: H + `type Query { node(id: ID!): Node } interface Node @key(fields: "id") { id: ID! } type User implements Node @key(fields: "id") { id: ID! name: String } type Post implements Node @key(fields: "id") { id: ID! title: String }`,
    b: H + `type User @key(fields: "id") { id: ID! email: String }`,
  },
  'err-entity-interface-missing-implementation': {
    a: H + `type Query { node(id: ID!): Node } interface Node @key(fields: "id") { id: ID! } type User implements Node @key(fields: "id") { id: ID! }`,
    b: H + `interface Node @key(fields: "id") { id: ID! } type Post implements Node @key(fields: "id") { id: ID! }`,
  },
};
