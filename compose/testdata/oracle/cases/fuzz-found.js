'use strict';
// Cases first found by random-cases.js where we disagreed with Apollo,
// kept once fixed.
const { fed } = require('./common');
const H = fed('2.3');

module.exports = {
  'sat-err-interface-object-cannot-tell-type': {
    a: H + `type Query { i0: [I] } interface I { id: ID! } type B implements I @key(fields: "id") { id: ID! b0: Int }`,
    b: H + `type Query { i1: [I] } type I @key(fields: "id") @interfaceObject { id: ID! score: Int }`,
  },
  'sat-plain-interface-never-returns-other-implementation': {
    a: H + `type Query { i0: [I] } interface I { id: ID! name: String } type B implements I @key(fields: "id", resolvable: false) { id: ID! @shareable name: String @shareable }`,
    b: H + `type Query { z1: Int } interface I { id: ID! name: String } type A implements I @key(fields: "id") { id: ID! @shareable name: String @shareable }`,
    c: H + `type Query { z2: Int } type I @key(fields: "id") @interfaceObject { id: ID! score: Int }`,
  },
  'err-two-interface-objects-same-field': {
    a: H + `type Query { i0: [I] } interface I @key(fields: "id") { id: ID! } type B implements I @key(fields: "id") { id: ID! }`,
    b: H + `type Query { i1: [I] } type I @key(fields: "id") @interfaceObject { id: ID! score: Int }`,
    c: H + `type Query { i2: [I] } type I @key(fields: "id") @interfaceObject { id: ID! score: Int }`,
  },
  'two-interface-objects-shareable-field': {
    a: H + `type Query { i0: [I] } interface I @key(fields: "id") { id: ID! } type B implements I @key(fields: "id") { id: ID! }`,
    b: H + `type Query { i1: [I] } type I @key(fields: "id") @interfaceObject { id: ID! score: Int @shareable }`,
    c: H + `type Query { i2: [I] } type I @key(fields: "id") @interfaceObject { id: ID! score: Int @shareable }`,
  },
  'interface-without-implementations': {
    a: H + `type Query { i0: [I] } interface I { id: ID! }`,
    b: H + `type Query { z1: Int } interface I { id: ID! name: String }`,
  },
  'err-interface-key-unresolvable-on-implementation': {
    a: H + `type Query { i0: [I] } interface I @key(fields: "id") { id: ID! } type A implements I @key(fields: "id", resolvable: false) { id: ID! }`,
  },
  'err-interface-key-missing-then-field-unimplemented': {
    a: H + `type Query { i0: [I] } interface I @key(fields: "id") { id: ID! name: String } type A implements I @key(fields: "id") { id: ID! name: String }`,
    b: H + `type Query { z: Int } interface I { id: ID! } type B implements I { id: ID! }`,
  },
};
