'use strict';
// How @join__type writes `resolvable` for keys of mixed resolvability.
const { H, fed } = require('./common');

module.exports = {
  'key-resolvable-explicit-true': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id", resolvable: true) @key(fields: "sku", resolvable: false) { id: ID! sku: String! name: String }
`,
    b: H + `
type Product @key(fields: "id") @key(fields: "sku", resolvable: true) { id: ID! sku: String! price: Int }
`,
  },
  'key-resolvable-mixed-three-subgraphs': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") @key(fields: "sku") { id: ID! sku: String! name: String }
`,
    b: H + `
type Product @key(fields: "id", resolvable: false) @key(fields: "sku", resolvable: true) { id: ID! sku: String! reviews: Int }
`,
    c: H + `
type Review { product: Product rating: Int }
type Query { reviews: [Review] }
type Product @key(fields: "sku", resolvable: false) { sku: String! }
`,
  },
  'key-resolvable-fed1-mixed': {
    a: `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") @key(fields: "sku") { id: ID! sku: String! name: String }
`,
    b: fed('2.0', ['@key']) + `
type Product @key(fields: "id", resolvable: true) @key(fields: "sku", resolvable: false) { id: ID! sku: String! price: Int }
`,
  },
  'key-resolvable-interface-object': {
    a: fed('2.3') + `
type Query { media(id: ID!): Media }
interface Media @key(fields: "id", resolvable: true) { id: ID! title: String }
type Book implements Media @key(fields: "id") { id: ID! title: String }
`,
    b: fed('2.3') + `
type Media @key(fields: "id") @key(fields: "id", resolvable: false) @interfaceObject { id: ID! rating: Int }
`,
  },
};
