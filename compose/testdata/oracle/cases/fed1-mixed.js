'use strict';
// Federation 1 subgraphs, alone and next to Federation 2 ones.
const { H, fed } = require('./common');

module.exports = {
  'fed1-extend-type-external-key': {
    a: `type Query { product(upc: String!): Product } type Product @key(fields: "upc") { upc: String! name: String }`,
    b: `extend type Product @key(fields: "upc") { upc: String! @external reviews: [String] }`,
  },
  'fed1-requires': {
    a: `type Query { product(upc: String!): Product } type Product @key(fields: "upc") { upc: String! weight: Int }`,
    b: `extend type Product @key(fields: "upc") { upc: String! @external weight: Int @external shipping: Int @requires(fields: "weight") }`,
  },
  'fed1-provides': {
    a: `type Query { user(id: ID!): User } type User @key(fields: "id") { id: ID! name: String }`,
    b: `type Query { me: User @provides(fields: "name") } extend type User @key(fields: "id") { id: ID! @external name: String @external }`,
  },
  'fed1-value-type-shared': {
    a: `type Query { a: Money } type Money { amount: Int currency: String }`,
    b: `type Query { b: Money } type Money { amount: Int currency: String }`,
  },
  'fed1-root-fields-shared': {
    a: `type Query { ping: Int }`,
    b: `type Query { ping: Int }`,
  },
  'fed1-and-fed2-entity': {
    a: `type Query { product(upc: String!): Product } type Product @key(fields: "upc") { upc: String! name: String }`,
    b: H + `type Product @key(fields: "upc") { upc: String! price: Int }`,
  },
  'err-fed1-and-fed2-non-shareable': {
    a: `type Query { a: Money } type Money { amount: Int }`,
    b: H + `type Query { b: Money } type Money { amount: Int }`,
  },
  'fed1-and-fed2-shareable': {
    a: `type Query { a: Money } type Money { amount: Int }`,
    b: H + `type Query { b: Money } type Money @shareable { amount: Int }`,
  },
  'fed1-extends-directive': {
    a: `type Query { product(upc: String!): Product } type Product @key(fields: "upc") { upc: String! name: String }`,
    b: `type Product @extends @key(fields: "upc") { upc: String! @external stock: Int }`,
  },
  'fed1-interface-with-key-ignored': {
    a: `type Query { node: Node } interface Node @key(fields: "id") { id: ID! } type T implements Node @key(fields: "id") { id: ID! }`,
  },
  'fed1-multiple-keys': {
    a: `type Query { product(upc: String!): Product } type Product @key(fields: "upc") @key(fields: "sku") { upc: String! sku: String! name: String }`,
    b: `extend type Product @key(fields: "sku") { sku: String! @external stock: Int }`,
  },
  'fed2-0-and-fed2-9': {
    a: fed('2.0', ['@key', '@shareable']) + `type Query { p(id: ID!): P } type P @key(fields: "id") { id: ID! a: Int }`,
    b: fed('2.9', ['@key', '@shareable']) + `type P @key(fields: "id") { id: ID! b: Int }`,
  },
};
