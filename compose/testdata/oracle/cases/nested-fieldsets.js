'use strict';
// @requires/@provides selections that traverse fields the subgraph owns to
// reach @external leaves (valid), and their invalid neighbours.
const { H } = require('./common');

const ownerA = H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! name: String }
type Owner @key(fields: "id") { id: ID! tier: String }
`;

module.exports = {
  'requires-through-local-object': {
    a: ownerA,
    b: H + `
type Product @key(fields: "id") { id: ID! owner: Owner discount: Int @requires(fields: "owner { tier }") }
type Owner @key(fields: "id") { id: ID! tier: String @external }
`,
  },
  'err-requires-through-local-object-local-leaf': {
    a: ownerA,
    b: H + `
type Product @key(fields: "id") { id: ID! owner: Owner discount: Int @requires(fields: "owner { tier }") }
type Owner @key(fields: "id") { id: ID! tier: String }
`,
  },
  'requires-selection-with-arguments': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! }
type Review @key(fields: "id") { id: ID! authorId: ID }
`,
    b: H + `
type Product @key(fields: "id") { id: ID! reviews(first: Int): [Review] reviewers: Int @requires(fields: "reviews(first: 3) { authorId }") }
type Review @key(fields: "id") { id: ID! authorId: ID @external }
`,
  },
  'err-requires-selection-with-arguments-local-leaf': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! }
`,
    b: H + `
type Product @key(fields: "id") { id: ID! reviews(first: Int): [Review] reviewers: Int @requires(fields: "reviews(first: 3) { authorId }") }
type Review { id: ID! authorId: ID }
`,
  },
  'provides-through-fragment': {
    a: H + `
type Query { cat(id: ID!): Cat }
type Cat @key(fields: "id") { id: ID! name: String @shareable }
`,
    b: H + `
type Query { shelter: Shelter @provides(fields: "pets { ... on Cat { name } }") }
type Shelter { id: ID! pets: [Pet] }
interface Pet { id: ID! }
type Cat implements Pet @key(fields: "id") { id: ID! name: String @external }
type Dog implements Pet @key(fields: "id") { id: ID! }
`,
  },
  'err-provides-through-fragment-local-leaf': {
    a: H + `
type Query { cat(id: ID!): Cat }
type Cat @key(fields: "id") { id: ID! name: String @shareable }
`,
    b: H + `
type Query { shelter: Shelter @provides(fields: "pets { ... on Cat { name } }") }
type Shelter { id: ID! pets: [Pet] }
interface Pet { id: ID! }
type Cat implements Pet @key(fields: "id") { id: ID! name: String @shareable }
`,
  },
  'requires-through-interface-field': {
    a: H + `
type Query { shelf(id: ID!): Shelf }
type Shelf @key(fields: "id") { id: ID! }
type Book @key(fields: "id") { id: ID! details: Details @shareable }
type Details @shareable { size: Int }
`,
    b: H + `
type Shelf @key(fields: "id") { id: ID! item: Item weight: Int @requires(fields: "item { details { size } }") }
interface Item { details: Details }
type Book implements Item @key(fields: "id") { id: ID! details: Details @external }
type Details @shareable { size: Int @external }
`,
  },
  'requires-several-levels': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! }
type Address @key(fields: "id") { id: ID! city: String zip: String }
`,
    b: H + `
type Product @key(fields: "id") { id: ID! vendor: Vendor shipping: Int @requires(fields: "vendor { site { address { city zip } } }") }
type Vendor { name: String site: Site }
type Site { address: Address }
type Address @key(fields: "id") { id: ID! city: String @external zip: String @external }
`,
  },
  'err-requires-several-levels-one-local': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! }
type Address @key(fields: "id") { id: ID! city: String }
`,
    b: H + `
type Product @key(fields: "id") { id: ID! vendor: Vendor shipping: Int @requires(fields: "vendor { name site { address { city } } }") }
type Vendor { name: String site: Site }
type Site { address: Address }
type Address @key(fields: "id") { id: ID! city: String @external }
`,
  },
  'requires-below-external-object': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! dims: Dims @shareable }
type Dims @shareable { w: Int h: Int }
`,
    b: H + `
type Product @key(fields: "id") { id: ID! dims: Dims @external area: Int @requires(fields: "dims { w h }") }
type Dims @shareable { w: Int h: Int }
`,
  },
  'provides-nested-through-local': {
    a: H + `
type Query { user(id: ID!): User }
type User @key(fields: "id") { id: ID! name: String @shareable }
`,
    b: H + `
type Query { feed: Feed @provides(fields: "items { author { name } }") }
type Feed { items: [Post] }
type Post { text: String author: User }
type User @key(fields: "id") { id: ID! name: String @external }
`,
  },
};
