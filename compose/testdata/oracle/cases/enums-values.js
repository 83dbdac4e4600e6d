'use strict';
// Enums in input, output and both positions; value types.
const { H } = require('./common');

module.exports = {
  'enum-output-union-of-values': {
    a: H + `enum Status { OPEN CLOSED } type Query { a: Status }`,
    b: H + `enum Status { OPEN ARCHIVED } type Query { b: Status }`,
  },
  'enum-input-intersection-three': {
    a: H + `enum Sort { ASC DESC NAME } type Query { a(s: Sort): Int }`,
    b: H + `enum Sort { ASC DESC PRICE } type Query { b(s: Sort): Int }`,
    c: H + `enum Sort { ASC DESC } type Query { c(s: Sort): Int }`,
  },
  'err-enum-both-positions-differ': {
    a: H + `enum Color { RED GREEN } type Query { a(c: Color): Color }`,
    b: H + `enum Color { RED BLUE } type Query { b: Color }`,
  },
  'enum-in-input-object-field': {
    a: H + `enum Unit { KG LB } input Weight { v: Float u: Unit } type Query { a(w: Weight): Int }`,
    b: H + `enum Unit { KG LB G } type Query { b: Int }`,
  },
  'enum-deprecated-value': {
    a: H + `enum Level { LOW HIGH MID @deprecated(reason: "use LOW or HIGH") } type Query { a: Level @shareable }`,
    b: H + `enum Level { LOW HIGH MID @deprecated(reason: "use LOW or HIGH") } type Query { a: Level @shareable }`,
  },
  'enum-value-descriptions': {
    a: H + `enum Level { "Low level" LOW HIGH } type Query { a: Level @shareable }`,
    b: H + `enum Level { "Lowest" LOW HIGH } type Query { a: Level @shareable }`,
  },
  'enum-inaccessible-output-value': {
    a: H + `enum Level { LOW HIGH SECRET @inaccessible } type Query { a: Level @shareable }`,
    b: H + `enum Level { LOW HIGH } type Query { a: Level @shareable }`,
  },
  'enum-tagged-value': {
    a: H + `enum Level { LOW @tag(name: "public") HIGH } type Query { a: Level }`,
  },
  'value-type-nested-shareable': {
    a: H + `type Query { a: Outer @shareable } type Outer @shareable { inner: Inner } type Inner @shareable { v: Int }`,
    b: H + `type Query { a: Outer @shareable } type Outer @shareable { inner: Inner } type Inner @shareable { v: Int }`,
  },
  'value-type-interface-shared': {
    a: H + `interface Shape { area: Float } type Sq implements Shape @shareable { area: Float side: Float } type Query { s: Shape @shareable }`,
    b: H + `interface Shape { area: Float } type Sq implements Shape @shareable { area: Float side: Float } type Query { s: Shape @shareable }`,
  },
  'err-value-type-kind-mismatch': {
    a: H + `type Query { a: Money @shareable } type Money @shareable { amount: Int }`,
    b: H + `type Query { a: Money @shareable } input Money { amount: Int }`,
  },
  'input-type-field-descriptions': {
    a: H + `input F { "name filter" name: String } type Query { a(f: F): Int @shareable }`,
    b: H + `input F { "filter by name" name: String } type Query { a(f: F): Int @shareable }`,
  },
  'err-input-required-field-missing': {
    a: H + `input F { name: String! tag: String } type Query { a(f: F): Int @shareable }`,
    b: H + `input F { tag: String } type Query { a(f: F): Int @shareable }`,
  },
  'input-nullable-vs-required-field': {
    a: H + `input F { name: String! } type Query { a(f: F): Int @shareable }`,
    b: H + `input F { name: String } type Query { a(f: F): Int @shareable }`,
  },
  'scalar-descriptions-and-specified-by': {
    a: H + `"A date" scalar Date @specifiedBy(url: "https://tools.ietf.org/html/rfc3339") type Query { a: Date }`,
    b: H + `"An ISO date" scalar Date type Query { b: Date }`,
  },
};
