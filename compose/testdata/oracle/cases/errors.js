'use strict';
// One case per Apollo composition error code not covered elsewhere, and a
// few graphs that look wrong but compose.
const { H, fed } = require('./common');

const Q = 'type Query { ping: Int }\n';

module.exports = {
  'err-argument-default-mismatch': {
    a: H + 'type Query { list(first: Int = 10): [Int] @shareable }',
    b: H + 'type Query { list(first: Int = 20): [Int] @shareable }',
  },
  'err-argument-type-mismatch': {
    a: H + 'type Query { list(first: Int): [Int] @shareable }',
    b: H + 'type Query { list(first: String): [Int] @shareable }',
  },
  'accept-federation-directive-redefined': {
    a: H + `directive @key(fields: Int!) on OBJECT
type Query { ping: Int }`,
  },
  'err-external-collision-with-another-directive': {
    a: H + `type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! owner: User }
type User @key(fields: "id") { id: ID! name: String @shareable }`,
    b: H + `type Product @key(fields: "id") { id: ID! owner: User @external @provides(fields: "name") }
type User @key(fields: "id") { id: ID! name: String @external }`,
  },
  'err-external-on-interface': {
    a: H + `interface Node { id: ID! @external }
type Query { node: Node }
type T implements Node @key(fields: "id") { id: ID! }`,
  },
  'accept-implementation-inaccessible': {
    a: H + `interface Node { id: ID! }
type T implements Node @inaccessible { id: ID! }
type U implements Node { id: ID! }
type Query { node: Node }`,
  },
  'err-interface-key-not-on-implementation': {
    a: fed('2.3') + `interface Node @key(fields: "id") { id: ID! }
type T implements Node @key(fields: "sku") { id: ID! sku: String }
type Query { node: Node }`,
  },
  'err-key-has-directive-in-fields-args': {
    a: H + `type Query { t: T }
type T @key(fields: "id @include(if: true)") { id: ID! }`,
  },
  'err-key-invalid-fields-type': {
    a: H + `type Query { t: T }
type T @key(fields: 3) { id: ID! }`,
  },
  'err-key-unsupported-on-interface': {
    a: fed('2.2') + `interface Node @key(fields: "id") { id: ID! }
type T implements Node @key(fields: "id") { id: ID! }
type Query { node: Node }`,
  },
  'accept-composed-directive-on-external': {
    a: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective", "@external", "@requires"])
  @link(url: "https://example.com/custom/v1.0", import: ["@custom"]) @composeDirective(name: "@custom")
directive @custom on FIELD_DEFINITION
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! price: Int @external @custom tax: Int @requires(fields: "price") }`,
    b: H + `type Product @key(fields: "id") { id: ID! price: Int }`,
  },
  'err-override-collision-with-another-directive': {
    a: H + `type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! price: Int }`,
    b: H + `type Product @key(fields: "id") { id: ID! price: Int @override(from: "a") @external tax: Int @requires(fields: "price") }`,
  },
  'err-override-on-interface': {
    a: fed('2.3') + `interface Node @key(fields: "id") { id: ID! name: String @override(from: "b") }
type T implements Node @key(fields: "id") { id: ID! name: String }
type Query { node: Node }`,
    b: fed('2.3') + `type T @key(fields: "id") { id: ID! name: String }`,
  },
  'err-provides-fields-has-args': {
    a: H + `type Query { product(id: ID!): Product @provides(fields: "price(cur: \\"EUR\\")") }
type Product @key(fields: "id") { id: ID! price(cur: String): Int @external }`,
    b: H + `type Product @key(fields: "id") { id: ID! price(cur: String): Int @shareable }`,
  },
  'err-provides-has-directive-in-fields-args': {
    a: H + `type Query { product(id: ID!): Product @provides(fields: "name @skip(if: true)") }
type Product @key(fields: "id") { id: ID! name: String @external }`,
    b: H + `type Product @key(fields: "id") { id: ID! name: String @shareable }`,
  },
  'err-provides-invalid-fields': {
    a: H + `type Query { product(id: ID!): Product @provides(fields: "nope") }
type Product @key(fields: "id") { id: ID! name: String }`,
  },
  'err-provides-invalid-fields-type': {
    a: H + `type Query { product(id: ID!): Product @provides(fields: 7) }
type Product @key(fields: "id") { id: ID! name: String }`,
  },
  'err-provides-unsupported-on-interface': {
    a: H + `interface Node { owner: User @provides(fields: "name") }
type User @key(fields: "id") { id: ID! name: String @external }
type T implements Node @key(fields: "id") { id: ID! owner: User }
type Query { node: Node }`,
    b: H + `type User @key(fields: "id") { id: ID! name: String @shareable }`,
  },
  'err-requires-has-directive-in-fields-args': {
    a: H + `type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! price: Int }`,
    b: H + `type Product @key(fields: "id") { id: ID! price: Int @external tax: Int @requires(fields: "price @include(if: true)") }`,
  },
  'err-requires-invalid-fields-type': {
    a: H + `type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! price: Int }`,
    b: H + `type Product @key(fields: "id") { id: ID! price: Int @external tax: Int @requires(fields: 1) }`,
  },
  'err-requires-unsupported-on-interface': {
    a: H + `interface Node { id: ID! price: Int @external tax: Int @requires(fields: "price") }
type T implements Node @key(fields: "id") { id: ID! price: Int @external tax: Int @requires(fields: "price") }
type Query { node: Node }`,
    b: H + `type T @key(fields: "id") { id: ID! price: Int }`,
  },
  'err-root-query-used': {
    a: H + `schema { query: RootQuery }
type RootQuery { ping: Int }
type Query { other: Int }`,
  },
  'err-root-mutation-used': {
    a: H + `schema { query: Query mutation: RootMutation }
type Query { ping: Int }
type RootMutation { go: Int }
type Mutation { other: Int }`,
  },
  'err-root-subscription-used': {
    a: H + `schema { query: Query subscription: RootSub }
type Query { ping: Int }
type RootSub { tick: Int }
type Subscription { other: Int }`,
  },
  'err-unknown-federation-link-version': {
    a: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.99", import: ["@key"])
type Query { ping: Int }`,
  },
  'err-invalid-subgraph-name': {
    _: H + Q,
  },
  'accept-join-link-in-subgraph': {
    a: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
type Query { ping: Int }`,
  },
  'err-external-argument-default-mismatch': {
    a: H + `type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! price(cur: String = "EUR"): Int }`,
    b: H + `type Product @key(fields: "id") { id: ID! price(cur: String = "USD"): Int @external tax: Int @requires(fields: "price") }`,
  },
  'err-external-argument-missing': {
    a: H + `type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! price(cur: String): Int }`,
    b: H + `type Product @key(fields: "id") { id: ID! price: Int @external tax: Int @requires(fields: "price") }`,
  },
  'err-external-argument-type-mismatch': {
    a: H + `type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! price(cur: String): Int }`,
    b: H + `type Product @key(fields: "id") { id: ID! price(cur: Int): Int @external tax: Int @requires(fields: "price(cur: 1)") }`,
  },
  'external-arguments-equal': {
    a: H + `type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! price(cents: Int = 100): Int }`,
    b: H + `type Product @key(fields: "id") { id: ID! price(cents: Int = 100): Int @external tax: Int @requires(fields: "price(cents: 1)") }`,
  },
  'err-interface-field-no-implem': {
    a: H + `interface Node { id: ID! }
type T implements Node @key(fields: "id") { id: ID! }
type Query { node: Node }`,
    b: H + `interface Node { id: ID! name: String }
type U implements Node { id: ID! name: String }
type Query { other: Node }`,
  },
};
