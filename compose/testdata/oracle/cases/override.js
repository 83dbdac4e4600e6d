'use strict';
// @override: moving fields between subgraphs, with and without labels.
const { fed } = require('./common');
const H = fed('2.7');

const productA = H + `
type Query { product(id: ID!): Product products: [Product] }
type Product @key(fields: "id") { id: ID! name: String price: Int weight: Int }
`;

module.exports = {
  'override-two-fields': {
    a: productA,
    b: H + `type Product @key(fields: "id") { id: ID! price: Int @override(from: "a") weight: Int @override(from: "a") }`,
  },
  'override-root-field': {
    a: H + `type Query { products: [Int] @shareable ping: Int }`,
    b: H + `type Query { products: [Int] @override(from: "a") }`,
  },
  'override-shareable-in-source': {
    a: H + `type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! price: Int @shareable }`,
    b: H + `type Product @key(fields: "id") { id: ID! price: Int @shareable }`,
    c: H + `type Product @key(fields: "id") { id: ID! price: Int @override(from: "a") }`,
  },
  'override-label-feature-flag': {
    a: productA,
    b: H + `type Product @key(fields: "id") { id: ID! price: Int @override(from: "a", label: "use-b-prices") }`,
  },
  'override-label-percent-decimal': {
    a: productA,
    b: H + `type Product @key(fields: "id") { id: ID! price: Int @override(from: "a", label: "percent(12.5)") }`,
  },
  'err-override-label-percent-too-big': {
    a: productA,
    b: H + `type Product @key(fields: "id") { id: ID! price: Int @override(from: "a", label: "percent(101)") }`,
  },
  'err-override-label-bad-start': {
    a: productA,
    b: H + `type Product @key(fields: "id") { id: ID! price: Int @override(from: "a", label: "9lives") }`,
  },
  'override-used-in-requires-of-source': {
    a: H + `type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! price: Int tax: Int @requires(fields: "weight") weight: Int @external }`,
    b: H + `type Product @key(fields: "id") { id: ID! weight: Int price: Int @override(from: "a") }`,
  },
  'override-from-fed1-subgraph': {
    a: `type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! price: Int }`,
    b: H + `type Product @key(fields: "id") { id: ID! price: Int @override(from: "a") }`,
  },
  'override-with-different-nullability': {
    a: productA,
    b: H + `type Product @key(fields: "id") { id: ID! price: Int! @override(from: "a") }`,
  },
  'err-override-on-interface-object': {
    a: H + `type Query { media(id: ID!): Media }
interface Media @key(fields: "id") { id: ID! title: String }
type Book implements Media @key(fields: "id") { id: ID! title: String }`,
    b: H + `type Media @key(fields: "id") @interfaceObject { id: ID! title: String @override(from: "a") }`,
  },
  'override-inaccessible-source': {
    a: H + `type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! price: Int @inaccessible }`,
    b: H + `type Product @key(fields: "id") { id: ID! price: Int @override(from: "a") }`,
  },
};
