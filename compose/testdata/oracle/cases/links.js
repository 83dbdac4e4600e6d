'use strict';
// @link imports: renames, namespaces, custom directives with @composeDirective.
module.exports = {
  'link-rename-key-and-shareable': {
    a: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: [{name: "@key", as: "@id"}, {name: "@shareable", as: "@shared"}])
type Query { p(id: ID!): P } type P @id(fields: "id") { id: ID! name: String @shared }`,
    b: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])
type P @key(fields: "id") { id: ID! name: String @shareable }`,
  },
  'link-namespace-prefix': {
    a: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3")
type Query { p(id: ID!): P } type P @federation__key(fields: "id") { id: ID! name: String @federation__shareable }`,
    b: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])
type P @key(fields: "id") { id: ID! name: String @shareable }`,
  },
  'link-as-custom-namespace': {
    a: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", as: "fed")
type Query { p(id: ID!): P } type P @fed__key(fields: "id") { id: ID! name: String }`,
    b: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type P @key(fields: "id") { id: ID! price: Int }`,
  },
  'link-rename-requires-external': {
    a: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { p(id: ID!): P } type P @key(fields: "id") { id: ID! w: Int }`,
    b: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", {name: "@external", as: "@ext"}, {name: "@requires", as: "@needs"}])
type P @key(fields: "id") { id: ID! w: Int @ext s: Int @needs(fields: "w") }`,
  },
  'compose-directive-two-subgraphs': {
    a: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"])
  @link(url: "https://myspecs.dev/cache/v1.0", import: ["@cacheControl"]) @composeDirective(name: "@cacheControl")
directive @cacheControl(maxAge: Int) on FIELD_DEFINITION | OBJECT
type Query { p(id: ID!): P @cacheControl(maxAge: 30) } type P @key(fields: "id") { id: ID! }`,
    b: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"])
  @link(url: "https://myspecs.dev/cache/v1.0", import: ["@cacheControl"]) @composeDirective(name: "@cacheControl")
directive @cacheControl(maxAge: Int) on FIELD_DEFINITION | OBJECT
type P @key(fields: "id") @cacheControl(maxAge: 60) { id: ID! name: String }`,
  },
  'compose-directive-repeatable': {
    a: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"])
  @link(url: "https://myspecs.dev/label/v1.0", import: ["@label"]) @composeDirective(name: "@label")
directive @label(v: String!) repeatable on FIELD_DEFINITION
type Query { a: Int @label(v: "x") @label(v: "y") }`,
  },
  'compose-directive-renamed-import': {
    a: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"])
  @link(url: "https://myspecs.dev/audit/v1.0", import: [{name: "@audit", as: "@logged"}]) @composeDirective(name: "@logged")
directive @logged on FIELD_DEFINITION
type Query { a: Int @logged }`,
  },
  'err-compose-directive-not-linked': {
    a: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"])
  @composeDirective(name: "@audit")
directive @audit on FIELD_DEFINITION
type Query { a: Int @audit }`,
  },
  'custom-directive-not-composed-dropped': {
    a: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
directive @internal on FIELD_DEFINITION
type Query { a: Int @internal }`,
  },
  'executable-directive-kept': {
    a: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
directive @trace on QUERY | FIELD
type Query { a: Int }`,
    b: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
directive @trace on QUERY
type Query { b: Int }`,
  },
  'executable-directive-repeatable-mismatch': {
    a: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
directive @log(level: Int = 1) repeatable on FIELD | QUERY
type Query { a: Int }`,
    b: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
directive @log(level: Int = 1) on FIELD | QUERY
type Query { b: Int }`,
  },
  'executable-directive-missing-in-one': {
    a: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
directive @trace on QUERY
type Query { a: Int }`,
    b: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { b: Int }`,
  },
  'executable-directive-no-common-location': {
    a: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
directive @trace on QUERY
type Query { a: Int }`,
    b: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
directive @trace on MUTATION
type Query { b: Int }`,
  },
  'executable-directive-same-everywhere': {
    a: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
"Trace this operation" directive @trace(sample: Float) on QUERY | MUTATION
type Query { a: Int }`,
    b: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
"Trace this operation" directive @trace(sample: Float) on QUERY | MUTATION
type Query { b: Int }`,
  },
  'executable-directive-mixed-locations': {
    a: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
directive @hint(v: String) on FIELD | FIELD_DEFINITION
type Query { a: Int @hint(v: "x") }`,
  },
};
