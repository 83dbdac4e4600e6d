'use strict';
// More satisfiability: chains of keys, requires chains, interface objects,
// provides-only paths, nested value types behind entities.
const { H, fed } = require('./common');

module.exports = {
  'sat-key-chain-three-hops': {
    a: H + `type Query { p: P } type P @key(fields: "id") { id: ID! sku: String @shareable }`,
    b: H + `type P @key(fields: "sku") { sku: String @shareable code: String @shareable }`,
    c: H + `type P @key(fields: "code") { code: String @shareable deep: Int }`,
  },
  'sat-err-key-chain-broken': {
    a: H + `type Query { p: P } type P @key(fields: "id") { id: ID! }`,
    b: H + `type P @key(fields: "sku") { sku: String @shareable code: String @shareable }`,
    c: H + `type P @key(fields: "code") { code: String @shareable deep: Int }`,
  },
  'sat-requires-chain': {
    a: H + `type Query { p: P } type P @key(fields: "id") { id: ID! w: Int }`,
    b: H + `type P @key(fields: "id") { id: ID! w: Int @external x: Int @requires(fields: "w") }`,
    c: H + `type P @key(fields: "id") { id: ID! x: Int @external y: Int @requires(fields: "x") }`,
  },
  'sat-requires-from-same-subgraph-key-field': {
    a: H + `type Query { p: P } type P @key(fields: "id sku") { id: ID! sku: String name: String }`,
    b: H + `type P @key(fields: "id sku") { id: ID! sku: String name: String @external label: String @requires(fields: "name") }`,
  },
  'sat-nested-entity-in-value-type': {
    a: H + `type Query { page: Page } type Page { items: [Item] } type Item @key(fields: "id") { id: ID! }`,
    b: H + `type Item @key(fields: "id") { id: ID! price: Int }`,
  },
  'sat-err-nested-value-type-only-elsewhere': {
    a: H + `type Query { page: Page @shareable } type Page @shareable { title: String }`,
    b: H + `type Page @shareable { title: String count: Int }`,
  },
  'sat-interface-object-root-field-reaches-implementation': {
    a: fed('2.3') + `type Query { book(id: ID!): Book } interface Media @key(fields: "id") { id: ID! } type Book implements Media @key(fields: "id") { id: ID! title: String }`,
    b: fed('2.3') + `type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int } type Query { top: [Media] }`,
  },
  'sat-provides-then-key-jump': {
    a: H + `type Query { u(id: ID!): U } type U @key(fields: "id") { id: ID! name: String @shareable email: String }`,
    b: H + `type Query { me: U @provides(fields: "name") } type U @key(fields: "id") { id: ID! name: String @external }`,
  },
  'sat-mutation-then-entity-jump': {
    a: H + `type Query { a: Int } type Mutation { create: P } type P @key(fields: "id") { id: ID! }`,
    b: H + `type Query { b: Int } type P @key(fields: "id") { id: ID! details: String }`,
  },
  'sat-err-union-member-unreachable-field': {
    a: H + `type Query { s: [R] } union R = A type A @key(fields: "id", resolvable: false) { id: ID! }`,
    b: H + `type A @key(fields: "id", resolvable: false) { id: ID! title: String }`,
  },
  'sat-interface-field-on-every-implementation': {
    a: H + `type Query { n: [N] } interface N { id: ID! } type X implements N @key(fields: "id") { id: ID! } type Y implements N @key(fields: "id") { id: ID! }`,
    b: H + `interface N { id: ID! t: String } type X implements N @key(fields: "id") { id: ID! t: String } type Y implements N @key(fields: "id") { id: ID! t: String }`,
  },
  'sat-interface-field-through-keyed-implementation': {
    a: H + `type Query { n: [N] } interface N { id: ID! } type X implements N @key(fields: "id") { id: ID! } type Y implements N { id: ID! @shareable }`,
    b: H + `interface N { id: ID! t: String } type X implements N @key(fields: "id") { id: ID! t: String } type Y implements N @key(fields: "id") { id: ID! t: String }`,
  },
  'sat-err-requires-needs-key-back-to-owner': {
    // f1 lives in a, which has no key: once in b, the router cannot go
    // back to a for it, even though the query entered through a.
    a: H + `type Query { p0: P } type P { id: ID! @shareable f1: Int @shareable }`,
    b: H + `type P @key(fields: "id") { id: ID! @shareable f1: Int @external r1: Int @requires(fields: "f1") }`,
  },
  'sat-requires-owner-has-key': {
    a: H + `type Query { p0: P } type P @key(fields: "id") { id: ID! @shareable f1: Int @shareable }`,
    b: H + `type P @key(fields: "id") { id: ID! @shareable f1: Int @external r1: Int @requires(fields: "f1") }`,
  },
};
