'use strict';
// Root types, subscriptions, descriptions, deprecation and arguments.
const { H, fed } = require('./common');

module.exports = {
  'custom-mutation-root-name': {
    a: H + `schema { query: Query mutation: Writes } type Query { a: Int } type Writes { save: Int }`,
  },
  'custom-root-names-both-subgraphs': {
    a: H + `schema { query: RootQ } type RootQ { a: Int }`,
    b: H + `schema { query: Q2 } type Q2 { b: Int }`,
  },
  'subscription-in-one-subgraph': {
    a: H + `type Query { a: Int } type Subscription { ticks: Int }`,
    b: H + `type Query { b: Int }`,
  },
  'err-subscription-field-shared': {
    a: H + `type Query { a: Int } type Subscription { ticks: Int @shareable }`,
    b: H + `type Query { b: Int } type Subscription { ticks: Int @shareable }`,
  },
  'query-root-extension-only': {
    a: H + `extend type Query { a: Int }`,
  },
  'deprecated-field-reason-merged': {
    a: H + `type Query { old: Int @shareable @deprecated(reason: "use new") new: Int }`,
    b: H + `type Query { old: Int @shareable @deprecated(reason: "use new") }`,
  },
  'deprecated-argument': {
    a: H + `type Query { list(first: Int, limit: Int @deprecated(reason: "use first")): [Int] }`,
  },
  'block-string-descriptions': {
    a: H + `"""
Multi-line
description
"""
type Query { "field" a: Int }`,
  },
  'argument-default-object-value': {
    a: H + `input Page { size: Int offset: Int } type Query { list(page: Page = {size: 10, offset: 0}): [Int] @shareable }`,
    b: H + `input Page { size: Int offset: Int } type Query { list(page: Page = {size: 10, offset: 0}): [Int] @shareable }`,
  },
  'argument-list-default': {
    a: H + `type Query { list(ids: [ID!] = ["a", "b"]): [Int] }`,
  },
  'err-no-query-root-anywhere': {
    a: H + `type Mutation { a: Int }`,
  },
  'tag-on-every-kind': {
    a: H + `type Query @tag(name: "q") { a(x: Int @tag(name: "arg")): Int @tag(name: "f") u: U e: E i: In2Out }
union U @tag(name: "u") = T
type T @tag(name: "t") { x: Int }
enum E @tag(name: "e") { A @tag(name: "ev") }
interface In2Out @tag(name: "i") { y: Int }
input In @tag(name: "in") { z: Int @tag(name: "if") }
scalar S @tag(name: "s")`,
  },
  'tag-merged-from-two-subgraphs': {
    a: H + `type Query { a: Int @shareable @tag(name: "x") }`,
    b: H + `type Query { a: Int @shareable @tag(name: "y") }`,
  },
  'fed2-subgraph-versions-2-1-and-2-5': {
    a: fed('2.1', ['@key', '@shareable']) + `type Query { p: P } type P @key(fields: "id") { id: ID! a: Int }`,
    b: fed('2.5', ['@key', '@shareable']) + `type P @key(fields: "id") { id: ID! b: Int }`,
  },
};
