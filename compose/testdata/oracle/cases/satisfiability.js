'use strict';
// Satisfiability: graphs Apollo refuses with SATISFIABILITY_ERROR because
// some API field cannot be planned from the root, and accepted neighbours.
const { H, fed } = require('./common');

module.exports = {
  'sat-err-non-resolvable-key': {
    a: H + `
type Query { reviews: [Review] }
type Review { body: String product: Product }
type Product @key(fields: "id", resolvable: false) { id: ID! }
`,
    b: H + `
type Product @key(fields: "id", resolvable: false) { id: ID! name: String }
`,
  },
  'sat-non-resolvable-key-reference': {
    a: H + `
type Query { reviews: [Review] }
type Review { body: String product: Product }
type Product @key(fields: "id", resolvable: false) { id: ID! }
`,
    b: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! name: String }
`,
  },
  'sat-err-shareable-no-key-path': {
    a: H + `
type Query { a: T }
type T @shareable { x: Int y: Int }
`,
    b: H + `
type Query { b: T }
type T @shareable { x: Int z: Int }
`,
  },
  'sat-shareable-same-fields': {
    a: H + `
type Query { a: T }
type T @shareable { x: Int y: Int }
`,
    b: H + `
type Query { b: T }
type T @shareable { x: Int y: Int }
`,
  },
  'sat-err-requires-unfetchable': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! }
type Stock @key(fields: "sku", resolvable: false) { sku: ID! level: Int }
`,
    b: H + `
type Product @key(fields: "id") { id: ID! weight: Int @external shipping: Int @requires(fields: "weight") }
`,
    c: H + `
type Product @key(fields: "id", resolvable: false) { id: ID! weight: Int }
type Query { heavy: [Product] }
`,
  },
  'sat-requires-fetchable-via-key': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! weight: Int }
`,
    b: H + `
type Product @key(fields: "id") { id: ID! weight: Int @external shipping: Int @requires(fields: "weight") }
`,
  },
  'sat-key-only-on-target': {
    a: H + `
type Query { user(id: ID!): User }
type User { id: ID! @shareable name: String }
`,
    b: H + `
type User @key(fields: "id") { id: ID! email: String }
`,
  },
  'sat-entry-through-key-both-sides': {
    a: H + `
type Query { user(id: ID!): User }
type User @key(fields: "id") { id: ID! name: String }
`,
    b: H + `
type User @key(fields: "id") { id: ID! email: String }
`,
  },
  'sat-err-key-field-unreachable': {
    a: H + `
type Query { user: User }
type User @key(fields: "id") { id: ID! name: String }
`,
    b: H + `
type User @key(fields: "uid") { uid: ID! email: String }
`,
  },
  'sat-second-key-bridges': {
    a: H + `
type Query { user: User }
type User @key(fields: "id") { id: ID! uid: ID! @shareable name: String }
`,
    b: H + `
type User @key(fields: "uid") { uid: ID! email: String }
`,
  },
  'sat-mutation-value-then-key': {
    a: H + `
type Query { ping: Int }
type Mutation { createUser: User }
type User { id: ID! @shareable name: String }
`,
    b: H + `
type Query { pong: Int }
type User @key(fields: "id") { id: ID! email: String }
`,
  },
  'sat-mutation-returns-entity': {
    a: H + `
type Query { ping: Int }
type Mutation { createUser: User }
type User @key(fields: "id") { id: ID! name: String }
`,
    b: H + `
type Query { pong: Int }
type User @key(fields: "id") { id: ID! email: String }
`,
  },
  'sat-err-interface-object-no-key-in-interface-subgraph': {
    a: fed('2.3') + `
type Query { media: [Media] }
interface Media @key(fields: "id", resolvable: false) { id: ID! title: String }
type Book implements Media @key(fields: "id", resolvable: false) { id: ID! title: String }
`,
    b: fed('2.3') + `
type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int }
type Query { top: Media }
`,
  },
  'sat-interface-object-both-ways': {
    a: fed('2.3') + `
type Query { media: [Media] }
interface Media @key(fields: "id") { id: ID! title: String }
type Book implements Media @key(fields: "id") { id: ID! title: String }
`,
    b: fed('2.3') + `
type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int }
type Query { top: Media }
`,
  },
  'sat-err-provides-only-path': {
    a: H + `
type Query { user(id: ID!): User }
type User @key(fields: "id", resolvable: false) { id: ID! }
`,
    b: H + `
type Query { me: User @provides(fields: "name") }
type User @key(fields: "id", resolvable: false) { id: ID! name: String @external }
`,
    c: H + `
type User @key(fields: "id", resolvable: false) { id: ID! name: String @shareable }
`,
  },
  'sat-provides-local-path': {
    a: H + `
type Query { user(id: ID!): User }
type User @key(fields: "id") { id: ID! }
`,
    b: H + `
type Query { me: User @provides(fields: "name") }
type User @key(fields: "id", resolvable: false) { id: ID! name: String @external }
`,
    c: H + `
type User @key(fields: "id") { id: ID! name: String @shareable }
`,
  },
  'sat-nested-value-type-split': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! dims: Dims @shareable }
type Dims @shareable { w: Int }
`,
    b: H + `
type Product @key(fields: "id") { id: ID! dims: Dims @shareable }
type Dims @shareable { w: Int h: Int }
`,
  },
  'sat-err-override-leaves-requires-dangling': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! }
`,
    b: H + `
type Product @key(fields: "id", resolvable: false) { id: ID! price: Int }
`,
    c: H + `
type Product @key(fields: "id") { id: ID! price: Int @external tax: Int @requires(fields: "price") }
`,
  },
  'sat-union-member-reachable': {
    a: H + `
type Query { search: [Result] }
union Result = Book | Movie
type Book @key(fields: "id") { id: ID! }
type Movie @key(fields: "id") { id: ID! }
`,
    b: H + `
type Book @key(fields: "id") { id: ID! title: String }
type Movie @key(fields: "id") { id: ID! director: String }
`,
  },
  'sat-union-member-key-on-target': {
    a: H + `
type Query { search: [Result] }
union Result = Book | Movie
type Book { id: ID! @shareable }
type Movie @key(fields: "id") { id: ID! }
`,
    b: H + `
type Book @key(fields: "id") { id: ID! title: String }
type Movie @key(fields: "id") { id: ID! director: String }
`,
  },
  'sat-subscription-key-on-target': {
    a: H + `
type Query { ping: Int }
type Subscription { reviewAdded: Review }
type Review { id: ID! @shareable body: String }
`,
    b: H + `
type Query { pong: Int }
type Review @key(fields: "id") { id: ID! rating: Int }
`,
  },
  'sat-inaccessible-unreachable-field-ignored': {
    a: fed('2.3') + `
type Query { user(id: ID!): User }
type User { id: ID! @shareable name: String }
`,
    b: fed('2.3') + `
type User @key(fields: "id") { id: ID! email: String @inaccessible }
`,
  },
  'sat-err-field-in-subgraph-without-entry': {
    a: H + `
type Query { user(id: ID!): User }
type User @shareable { id: ID! name: String }
`,
    b: H + `
type Query { other: Int }
type User @shareable { id: ID! email: String }
`,
  },
  'sat-err-mutation-root': {
    a: H + `
type Query { ping: Int }
type Mutation { createUser: User }
type User @key(fields: "id") { id: ID! name: String }
`,
    b: H + `
type Query { pong: Int }
type Mutation { touch(id: ID!): User }
type User @key(fields: "id", resolvable: false) { id: ID! email: String }
`,
  },
  'sat-err-subscription-root': {
    a: H + `
type Query { ping: Int }
type Subscription { reviewAdded: Review }
type Review @key(fields: "id") { id: ID! body: String }
`,
    b: H + `
type Query { pong: Int }
type Review @key(fields: "id", resolvable: false) { id: ID! rating: Int }
`,
  },
  'sat-err-interface-object-field-unreachable': {
    a: fed('2.3') + `
type Query { books: [Book] }
interface Media @key(fields: "id") { id: ID! title: String }
type Book implements Media @key(fields: "id") { id: ID! title: String }
`,
    b: fed('2.3') + `
type Media @key(fields: "id", resolvable: false) @interfaceObject { id: ID! rating: Int }
type Query { top: Media }
`,
  },
  'sat-err-override-moves-field-behind-unresolvable-key': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! name: String }
`,
    b: H + `
type Product @key(fields: "id", resolvable: false) { id: ID! price: Int @override(from: "a") }
`,
  },
  'sat-override-label-keeps-source': {
    a: fed('2.7') + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! price: Int }
`,
    b: fed('2.7') + `
type Product @key(fields: "id") { id: ID! price: Int @override(from: "a", label: "percent(10)") }
`,
  },
  'sat-err-requires-nested-unfetchable': {
    a: H + `
type Query { product(id: ID!): Product }
type Product @key(fields: "id") { id: ID! vendor: Vendor }
type Vendor @key(fields: "id", resolvable: false) { id: ID! }
`,
    b: H + `
type Product @key(fields: "id") { id: ID! vendor: Vendor @external fee: Int @requires(fields: "vendor { rate }") }
type Vendor @key(fields: "id", resolvable: false) { id: ID! rate: Int @external }
`,
    c: H + `
type Vendor @key(fields: "id", resolvable: false) { id: ID! rate: Int }
`,
  },
  'sat-interface-field-through-implementations': {
    a: H + `
type Query { items: [Item] }
interface Item { id: ID! }
type Book implements Item @key(fields: "id") { id: ID! }
type Pen implements Item @key(fields: "id") { id: ID! }
`,
    b: H + `
interface Item { id: ID! price: Int }
type Book implements Item @key(fields: "id") { id: ID! price: Int }
type Pen implements Item @key(fields: "id") { id: ID! price: Int }
`,
  },
};
