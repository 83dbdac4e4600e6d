'use strict';
// @interfaceObject: interfaces with keys in one subgraph, seen as object
// types elsewhere.
const { fed } = require('./common');
const H = fed('2.3');

const media = H + `
type Query { media(id: ID!): Media allMedia: [Media] }
interface Media @key(fields: "id") { id: ID! title: String }
type Book implements Media @key(fields: "id") { id: ID! title: String pages: Int }
type Movie implements Media @key(fields: "id") { id: ID! title: String minutes: Int }
`;

module.exports = {
  'io-adds-field-to-all-implementations': {
    a: media,
    b: H + `type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int }`,
  },
  'io-with-root-field': {
    a: media,
    b: H + `type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int }
type Query { topRated: [Media] }`,
  },
  'io-two-subgraphs': {
    a: media,
    b: H + `type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int }`,
    c: H + `type Media @key(fields: "id") @interfaceObject { id: ID! reviews: [String] }`,
  },
  'io-shareable-field': {
    a: media,
    b: H + `type Media @key(fields: "id") @interfaceObject { id: ID! title: String @shareable rating: Int }`,
  },
  'io-compound-key': {
    a: H + `
type Query { media(id: ID!, kind: String!): Media }
interface Media @key(fields: "id kind") { id: ID! kind: String! title: String }
type Book implements Media @key(fields: "id kind") { id: ID! kind: String! title: String }
`,
    b: H + `type Media @key(fields: "id kind") @interfaceObject { id: ID! kind: String! rating: Int }`,
  },
  'io-requires-on-io-field': {
    a: media,
    b: H + `type Media @key(fields: "id") @interfaceObject { id: ID! title: String @external slug: String @requires(fields: "title") }`,
  },
  'io-inaccessible-field': {
    a: media,
    b: H + `type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int internal: String @inaccessible }`,
  },
  'io-tagged-field': {
    a: media,
    b: H + `type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int @tag(name: "public") }`,
  },
  'io-key-only-on-implementations': {
    a: H + `
type Query { media(id: ID!): Media }
interface Media { id: ID! title: String }
type Book implements Media @key(fields: "id") { id: ID! title: String }
`,
    b: H + `type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int }`,
  },
  'err-io-field-also-on-implementation': {
    a: H + `
type Query { media(id: ID!): Media }
interface Media @key(fields: "id") { id: ID! title: String }
type Book implements Media @key(fields: "id") { id: ID! title: String rating: Int }
`,
    b: H + `type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int }`,
  },
  'io-implementation-in-third-subgraph': {
    a: media,
    b: H + `type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int }`,
    c: H + `type Book @key(fields: "id") { id: ID! isbn: String }`,
  },
  'io-interface-field-description': {
    a: H + `
type Query { media(id: ID!): Media }
"Anything one can watch or read"
interface Media @key(fields: "id") { id: ID! "The title" title: String }
type Book implements Media @key(fields: "id") { id: ID! title: String }
`,
    b: H + `"Media as seen by ratings" type Media @key(fields: "id") @interfaceObject { id: ID! "Average stars" rating: Int }`,
  },
};
