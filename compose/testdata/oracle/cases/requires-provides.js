'use strict';
// @requires and @provides: nested, abstract, several fields, fragments.
const { H } = require('./common');

const entityA = H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! weight: Int size: Int dims: Dims @shareable }
type Dims @shareable { w: Int h: Int }
`;

module.exports = {
  'requires-two-fields': {
    a: entityA,
    b: H + `type Product @key(fields: "id") { id: ID! weight: Int @external size: Int @external ship: Int @requires(fields: "weight size") }`,
  },
  'requires-nested-external-object': {
    a: entityA,
    b: H + `type Product @key(fields: "id") { id: ID! dims: Dims @external volume: Int @requires(fields: "dims { w h }") }
type Dims @shareable { w: Int h: Int }`,
  },
  'requires-two-fields-same-external': {
    a: entityA,
    b: H + `type Product @key(fields: "id") { id: ID! weight: Int @external ship: Int @requires(fields: "weight") tax: Int @requires(fields: "weight") }`,
  },
  'err-requires-unknown-field': {
    a: entityA,
    b: H + `type Product @key(fields: "id") { id: ID! weight: Int @external ship: Int @requires(fields: "nope") }`,
  },
  'err-requires-syntax': {
    a: entityA,
    b: H + `type Product @key(fields: "id") { id: ID! weight: Int @external ship: Int @requires(fields: "weight {") }`,
  },
  'requires-on-abstract-fragment': {
    a: H + `type Query { order(id: ID!): Order }
type Order @key(fields: "id") { id: ID! payment: Payment @shareable }
interface Payment { amount: Int }
type Card implements Payment @shareable { amount: Int last4: String }
type Cash implements Payment @shareable { amount: Int }`,
    b: H + `type Order @key(fields: "id") { id: ID! payment: Payment @external fee: Int @requires(fields: "payment { amount ... on Card { last4 } }") }
interface Payment { amount: Int }
type Card implements Payment @shareable { amount: Int last4: String }
type Cash implements Payment @shareable { amount: Int }`,
  },
  'provides-nested-two-levels': {
    a: H + `type Query { user(id: ID!): User } type User @key(fields: "id") { id: ID! name: String @shareable address: Address @shareable } type Address @shareable { city: String }`,
    b: H + `type Query { me: Session } type Session { user: User @provides(fields: "name address { city }") }
type User @key(fields: "id") { id: ID! name: String @external address: Address @external } type Address @shareable { city: String }`,
  },
  'provides-on-list-field': {
    a: H + `type Query { user(id: ID!): User } type User @key(fields: "id") { id: ID! name: String @shareable }`,
    b: H + `type Query { team: [User] @provides(fields: "name") } type User @key(fields: "id") { id: ID! name: String @external }`,
  },
  'provides-on-union-fragments': {
    a: H + `type Query { book(id: ID!): Book } type Book @key(fields: "id") { id: ID! title: String @shareable } type Movie @key(fields: "id") { id: ID! title: String @shareable }`,
    b: H + `type Query { search: [Result] @provides(fields: "... on Book { title } ... on Movie { title }") } union Result = Book | Movie
type Book @key(fields: "id") { id: ID! title: String @external } type Movie @key(fields: "id") { id: ID! title: String @external }`,
  },
  'err-provides-unknown-fragment-type': {
    a: H + `type Query { book(id: ID!): Book } type Book @key(fields: "id") { id: ID! title: String @shareable }`,
    b: H + `type Query { search: [Result] @provides(fields: "... on Nope { title }") } union Result = Book
type Book @key(fields: "id") { id: ID! title: String @external }`,
  },
  'err-provides-local-key-field': {
    a: H + `type Query { user(id: ID!): User } type User @key(fields: "id") { id: ID! name: String }`,
    b: H + `type Query { me: User @provides(fields: "id") } type User @key(fields: "id") { id: ID! }`,
  },
  'requires-with-provides-elsewhere': {
    a: H + `type Query { product(id: ID!): Product } type Product @key(fields: "id") { id: ID! weight: Int @shareable }`,
    b: H + `type Query { top: Product @provides(fields: "weight") } type Product @key(fields: "id") { id: ID! weight: Int @external }`,
    c: H + `type Product @key(fields: "id") { id: ID! weight: Int @external ship: Int @requires(fields: "weight") }`,
  },
  'err-requires-external-on-value-type-unreachable': {
    a: H + `type Query { product: Product } type Product @shareable { id: ID! weight: Int }`,
    b: H + `type Query { other: Product } type Product @shareable { id: ID! weight: Int @external ship: Int @requires(fields: "weight") }`,
  },
};
