'use strict';
// What @inaccessible may not hide.
const { H } = require('./common');

module.exports = {
  'err-query-root-inaccessible': {
    a: H + `type Query @inaccessible { ping: Int }`,
  },
  'err-required-argument-inaccessible': {
    a: H + `type Query { list(first: Int! @inaccessible): [Int] }`,
  },
  'required-argument-with-default-inaccessible': {
    a: H + `type Query { list(first: Int! = 10 @inaccessible): [Int] }`,
  },
  'err-required-input-field-inaccessible': {
    a: H + `input F { name: String! @inaccessible } type Query { a(f: F): Int }`,
  },
  'err-default-value-hidden-enum-value': {
    a: H + `enum Sort { ASC DESC @inaccessible } type Query { list(sort: Sort = DESC): [Int] }`,
  },
  'err-input-default-hidden-enum-value': {
    a: H + `enum Sort { ASC DESC @inaccessible } input Opts { sort: Sort = DESC } type Query { list(o: Opts): [Int] }`,
  },
  'default-value-visible-enum-value': {
    a: H + `enum Sort { ASC DESC @inaccessible } type Query { list(sort: Sort = ASC): [Int] }`,
  },
  'err-implementation-field-inaccessible': {
    a: H + `interface I { x: Int } type T implements I { x: Int @inaccessible } type Query { i: I }`,
  },
  'implementation-and-interface-field-inaccessible': {
    a: H + `interface I { x: Int @inaccessible y: Int } type T implements I { x: Int @inaccessible y: Int } type Query { i: I }`,
  },
};
