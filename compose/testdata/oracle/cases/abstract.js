'use strict';
// Interfaces and unions across subgraphs.
const { H } = require('./common');

module.exports = {
  'err-interface-implemented-in-two-subgraphs': {
    a: H + `type Query { things: [Thing] @shareable } interface Thing { id: ID! } type A implements Thing @key(fields: "id") { id: ID! }`,
    b: H + `type Query { things: [Thing] @shareable } interface Thing { id: ID! } type B implements Thing @key(fields: "id") { id: ID! }`,
  },
  'interface-extra-field-in-one': {
    a: H + `type Query { t: Thing } interface Thing { id: ID! name: String } type A implements Thing @key(fields: "id") { id: ID! name: String }`,
    b: H + `interface Thing { id: ID! } type A implements Thing @key(fields: "id") { id: ID! extra: Int }`,
  },
  'interface-implements-interface-two-subgraphs': {
    a: H + `type Query { n: Node } interface Node { id: ID! } interface Named implements Node { id: ID! name: String } type U implements Node & Named @key(fields: "id") { id: ID! name: String }`,
    b: H + `type U @key(fields: "id") { id: ID! age: Int }`,
  },
  'union-members-differ': {
    a: H + `type Query { r: [R] } union R = A | B type A @key(fields: "id") { id: ID! } type B @key(fields: "id") { id: ID! }`,
    b: H + `union R = A | C type A @key(fields: "id") { id: ID! x: Int } type C { y: Int } type Query { c: C }`,
  },
  'union-single-member': {
    a: H + `type Query { r: R } union R = A type A { x: Int }`,
  },
  'err-union-member-not-object': {
    a: H + `type Query { r: R } union R = I interface I { x: Int }`,
  },
  'interface-field-type-covariant-across': {
    a: H + `type Query { t: T } interface T { f: Base } type Base @shareable { x: Int } type X implements T { f: Base }`,
  },
  'err-implementation-field-wrong-type': {
    a: H + `type Query { t: T } interface T { f: Int } type X implements T { f: String }`,
  },
  'interface-only-in-one-subgraph-impl-in-other': {
    a: H + `type Query { t: T } interface T { id: ID! } type X implements T @key(fields: "id") { id: ID! }`,
    b: H + `type X @key(fields: "id") { id: ID! extra: Int }`,
  },
  'union-inaccessible-in-one-subgraph': {
    a: H + `type Query { r: R @shareable } union R = A | B type A @shareable { x: Int } type B @shareable { y: Int @inaccessible z: Int }`,
    b: H + `type Query { r: R @shareable } union R = A | B type A @shareable { x: Int } type B @shareable { y: Int z: Int }`,
  },
};
