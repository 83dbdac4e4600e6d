'use strict';
// One case per composition hint: graphs that compose, with something the
// authors probably did not mean.
const { H, fed } = require('./common');

module.exports = {
  'hint-description-field': {
    a: H + `
type Query { "Find a product" product(id: ID!): Product @shareable }
type Product @key(fields: "id") { id: ID! "Display name" name: String @shareable }
`,
    b: H + `
type Query { "Look up one product by id" product(id: ID!): Product @shareable }
type Product @key(fields: "id") { id: ID! "The name" name: String @shareable }
`,
  },
  'hint-description-one-empty': {
    a: H + `
"A product"
type Product @key(fields: "id") { id: ID! name: String }
type Query { product(id: ID!): Product }
`,
    b: H + `
type Product @key(fields: "id") { id: ID! price: Int }
`,
  },
  'hint-default-value-presence': {
    a: H + `
type Query { list(first: Int = 10): [Int] @shareable }
input Page { size: Int = 20 }
type Mutation { m(p: Page): Int @shareable }
`,
    b: H + `
type Query { list(first: Int): [Int] @shareable }
input Page { size: Int }
type Mutation { m(p: Page): Int @shareable }
`,
  },
  'hint-compatible-field-type': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! tags: [String!]! @shareable }
`,
    b: H + `
type Product @key(fields: "id") { id: ID! tags: [String] @shareable }
`,
  },
  'hint-compatible-argument-type': {
    a: H + `
type Query { search(term: String!, limit: Int!): [String] @shareable }
`,
    b: H + `
type Query { search(term: String!, limit: Int): [String] @shareable }
`,
  },
  'hint-argument-presence': {
    a: H + `
type Query { search(term: String!, fuzzy: Boolean): [String] @shareable }
`,
    b: H + `
type Query { search(term: String!): [String] @shareable }
`,
  },
  'hint-input-object-field': {
    a: H + `
input Filter { name: String color: String }
type Query { find(f: Filter): [String] @shareable }
`,
    b: H + `
input Filter { name: String }
type Query { find(f: Filter): [String] @shareable }
`,
  },
  'hint-entity-in-some': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! name: String @shareable }
`,
    b: H + `
type Query { featured: Product }
type Product { id: ID! @shareable name: String @shareable }
`,
  },
  'hint-value-type-field': {
    a: H + `
type Query { a: Money @shareable }
type Money @shareable { amount: Int currency: String }
`,
    b: H + `
type Query { a: Money @shareable }
type Money @shareable { amount: Int }
`,
  },
  'hint-input-enum-value': {
    a: H + `
enum Sort { ASC DESC RANDOM }
type Query { list(sort: Sort): [Int] @shareable }
`,
    b: H + `
enum Sort { ASC DESC }
type Query { list(sort: Sort): [Int] @shareable }
`,
  },
  'hint-output-enum-value': {
    a: H + `
enum Status { OPEN CLOSED ARCHIVED }
type Query { status: Status @shareable }
`,
    b: H + `
enum Status { OPEN CLOSED }
type Query { status: Status @shareable }
`,
  },
  'hint-unused-enum': {
    a: H + `
enum Color { RED GREEN }
type Query { ping: Int }
`,
  },
  'hint-override-source-removable': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! price: Int }
`,
    b: H + `
type Product @key(fields: "id") { id: ID! price: Int @override(from: "a") }
`,
  },
  'hint-override-source-used-in-key': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id sku") { id: ID! sku: String }
`,
    b: H + `
type Product @key(fields: "id") { id: ID! sku: String @override(from: "a") }
`,
  },
  'hint-override-from-missing-subgraph': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! price: Int @override(from: "legacy") }
`,
  },
  'hint-override-directive-removable': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! }
`,
    b: H + `
type Product @key(fields: "id") { id: ID! price: Int @override(from: "a") }
`,
  },
  'hint-override-from-external': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! price: Int @external tax: Int @requires(fields: "price") }
`,
    b: H + `
type Product @key(fields: "id") { id: ID! price: Int @override(from: "a") }
`,
  },
  'hint-override-migration': {
    a: fed('2.7') + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! price: Int }
`,
    b: fed('2.7') + `
type Product @key(fields: "id") { id: ID! price: Int @override(from: "a", label: "percent(25)") }
`,
  },
  'hint-union-member': {
    a: H + `
union Result = Book | Movie
type Book @shareable { title: String }
type Movie @shareable { title: String }
type Query { search: [Result] @shareable }
`,
    b: H + `
union Result = Book
type Book @shareable { title: String }
type Query { search: [Result] @shareable }
`,
  },
  'hint-interface-value-type-field': {
    a: H + `
interface Node { id: ID! createdAt: String }
type Note implements Node @shareable { id: ID! createdAt: String }
type Query { node: Node @shareable }
`,
    b: H + `
interface Node { id: ID! }
type Note implements Node @shareable { id: ID! createdAt: String }
type Query { node: Node @shareable }
`,
  },
  'hint-none-identical': {
    a: H + `
"A product"
type Product @key(fields: "id") { id: ID! "Name" name: String @shareable }
type Query { product(id: ID!): Product @shareable }
`,
    b: H + `
"A product"
type Product @key(fields: "id") { id: ID! "Name" name: String @shareable }
type Query { product(id: ID!): Product @shareable }
`,
  },
};
