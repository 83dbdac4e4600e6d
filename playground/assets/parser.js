// parser.js: parses executable GraphQL documents (operations and
// fragments) into a small syntax tree with source offsets, prints them
// back prettily, and reports syntax errors with their position.

import { lex, blockValue } from "./lexer.js";

// SyntaxError of the playground: a message and the offsets it covers.
export class GraphQLSyntaxError extends Error {
  constructor(message, start, end) {
    super(message);
    this.start = start;
    this.end = Math.max(end, start + 1);
  }
}

const describe = (t) => {
  if (!t) { return "end of document"; }
  if (t.kind === "name") { return "Name \"" + t.value + "\""; }
  if (t.kind === "variable") { return "variable \"$" + t.value + "\""; }
  if (t.kind === "string" || t.kind === "block") { return "string"; }
  if (t.kind === "int" || t.kind === "float") { return "number " + t.value; }
  return "\"" + t.value + "\"";
};

// parse returns {definitions} or throws GraphQLSyntaxError.
export function parse(src) {
  const tokens = lex(src).filter((t) => t.kind !== "comment" && t.kind !== "comma");
  let p = 0;
  const peek = (k = 0) => tokens[p + k];
  const fail = (msg, t) => {
    t = t || peek();
    if (t && t.kind === "error") { throw new GraphQLSyntaxError("Syntax Error: " + t.message, t.start, t.end); }
    const at = t ? t.start : src.length;
    throw new GraphQLSyntaxError("Syntax Error: " + msg + ", found " + describe(t) + ".", at, t ? t.end : at);
  };
  const isPunct = (v, t = peek()) => t && t.kind === "punct" && t.value === v;
  const isName = (v, t = peek()) => t && t.kind === "name" && (v === undefined || t.value === v);
  const expectPunct = (v) => { if (!isPunct(v)) { fail("Expected \"" + v + "\""); } return tokens[p++]; };
  const expectName = (v) => {
    if (!isName(v)) { fail(v ? "Expected \"" + v + "\"" : "Expected Name"); }
    const t = tokens[p++];
    return { value: t.value, start: t.start, end: t.end };
  };
  const many = (open, item, close) => {
    const out = [];
    expectPunct(open);
    do { out.push(item()); } while (!isPunct(close));
    p++;
    return out;
  };

  function document() {
    const definitions = [];
    if (!peek()) { fail("Unexpected end of document"); }
    while (peek()) { definitions.push(definition()); }
    return { definitions };
  }

  function definition() {
    const t = peek();
    if (isPunct("{")) {
      const sel = selectionSet();
      return { kind: "operation", operation: "query", name: null, variables: [], directives: [], selectionSet: sel, start: t.start, end: sel.end };
    }
    if (isName()) {
      if (t.value === "query" || t.value === "mutation" || t.value === "subscription") { return operation(); }
      if (t.value === "fragment") { return fragment(); }
    }
    fail("Unexpected " + describe(t).replace(/^Name /, "") + ": expected query, mutation, subscription, fragment or \"{\"", t);
    return null;
  }

  function operation() {
    const t = tokens[p++];
    const name = isName() ? expectName() : null;
    const variables = isPunct("(") ? many("(", variableDefinition, ")") : [];
    const directives = directivesList(false);
    const sel = selectionSet();
    return { kind: "operation", operation: t.value, name, variables, directives, selectionSet: sel, start: t.start, end: sel.end };
  }

  function variableDefinition() {
    const t = peek();
    if (!t || t.kind !== "variable" || t.value === "") { fail("Expected a variable (\"$name\")"); }
    p++;
    expectPunct(":");
    const type = typeRef();
    let defaultValue = null;
    if (isPunct("=")) { p++; defaultValue = value(true); }
    const directives = directivesList(true);
    return { name: t.value, type, defaultValue, directives, start: t.start, end: type.end };
  }

  function typeRef() {
    let type;
    const t = peek();
    if (isPunct("[")) {
      p++;
      const of = typeRef();
      const close = expectPunct("]");
      type = { kind: "list", type: of, start: t.start, end: close.end };
    } else {
      const n = expectName();
      type = { kind: "named", name: n.value, start: n.start, end: n.end };
    }
    if (isPunct("!")) {
      const bang = tokens[p++];
      return { kind: "nonnull", type, start: type.start, end: bang.end };
    }
    return type;
  }

  function fragment() {
    const t = tokens[p++];
    const name = expectName();
    if (name.value === "on") { fail("Unexpected Name \"on\": a fragment cannot be named on", tokens[p - 1]); }
    expectName("on");
    const typeCondition = expectName();
    const directives = directivesList(false);
    const sel = selectionSet();
    return { kind: "fragment", name, typeCondition, directives, selectionSet: sel, start: t.start, end: sel.end };
  }

  function selectionSet() {
    const open = peek();
    const selections = many("{", selection, "}");
    return { selections, start: open.start, end: tokens[p - 1].end };
  }

  function selection() {
    const t = peek();
    if (t && t.kind === "spread") {
      p++;
      if (isName() && peek().value !== "on") {
        const name = expectName();
        return { kind: "spread", name, directives: directivesList(false), start: t.start, end: name.end };
      }
      let typeCondition = null;
      if (isName("on")) { p++; typeCondition = expectName(); }
      const directives = directivesList(false);
      const sel = selectionSet();
      return { kind: "inline", typeCondition, directives, selectionSet: sel, start: t.start, end: sel.end };
    }
    return field();
  }

  function field() {
    let name = expectName();
    let alias = null;
    if (isPunct(":")) { p++; alias = name; name = expectName(); }
    const args = isPunct("(") ? many("(", argument, ")") : [];
    const directives = directivesList(false);
    const sel = isPunct("{") ? selectionSet() : null;
    const start = (alias || name).start;
    return { kind: "field", alias, name, arguments: args, directives, selectionSet: sel, start, end: sel ? sel.end : (p > 0 ? tokens[p - 1].end : name.end) };
  }

  function argument() {
    const name = expectName();
    expectPunct(":");
    const v = value(false);
    return { name, value: v, start: name.start, end: v.end };
  }

  function directivesList(isConst) {
    const out = [];
    while (isPunct("@")) {
      const at = tokens[p++];
      const name = expectName();
      const args = isPunct("(") ? many("(", () => { const n = expectName(); expectPunct(":"); const v = value(isConst); return { name: n, value: v, start: n.start, end: v.end }; }, ")") : [];
      out.push({ name, arguments: args, start: at.start, end: tokens[p - 1].end });
    }
    return out;
  }

  function value(isConst) {
    const t = peek();
    if (!t) { return fail("Expected a value"); }
    const leaf = (kind, v) => { p++; return { kind, value: v, start: t.start, end: t.end, raw: t.value }; };
    switch (t.kind) {
      case "variable":
        if (isConst) { fail("Unexpected variable in a constant value", t); }
        if (t.value === "") { fail("Expected a variable name after \"$\"", t); }
        return leaf("variable", t.value);
      case "int": return leaf("int", t.value);
      case "float": return leaf("float", t.value);
      case "string": return leaf("string", t.value);
      case "block": return { ...leaf("string", blockValue(t.value)), block: true };
      case "name":
        if (t.value === "true" || t.value === "false") { return leaf("boolean", t.value === "true"); }
        if (t.value === "null") { return leaf("null", null); }
        return leaf("enum", t.value);
      case "punct":
        if (t.value === "[") {
          p++;
          const values = [];
          while (!isPunct("]")) { if (!peek()) { fail("Expected \"]\""); } values.push(value(isConst)); }
          const close = tokens[p++];
          return { kind: "list", values, start: t.start, end: close.end };
        }
        if (t.value === "{") {
          p++;
          const fields = [];
          while (!isPunct("}")) {
            if (!peek()) { fail("Expected \"}\""); }
            const n = expectName(); expectPunct(":"); const v = value(isConst);
            fields.push({ name: n, value: v, start: n.start, end: v.end });
          }
          const close = tokens[p++];
          return { kind: "object", fields, start: t.start, end: close.end };
        }
    }
    return fail("Expected a value");
  }

  return document();
}

// tryParse returns {doc} or {error} instead of throwing.
export function tryParse(src) {
  try {
    return { doc: parse(src) };
  } catch (e) {
    if (e instanceof GraphQLSyntaxError) { return { error: e }; }
    throw e;
  }
}

// print returns the document in the conventional layout: two spaces of
// indentation, one selection per line. Comments are not kept.
export function print(doc) {
  return doc.definitions.map((d) => printDefinition(d)).join("\n\n") + "\n";
}

function printDefinition(d) {
  if (d.kind === "fragment") {
    return "fragment " + d.name.value + " on " + d.typeCondition.value + printDirectives(d.directives) + " " + printSelectionSet(d.selectionSet, "");
  }
  let head = d.operation;
  if (d.name) { head += " " + d.name.value; }
  if (d.variables.length) {
    head += "(" + d.variables.map((v) => "$" + v.name + ": " + printType(v.type) + (v.defaultValue ? " = " + printValue(v.defaultValue) : "") + printDirectives(v.directives)).join(", ") + ")";
  }
  head += printDirectives(d.directives);
  if (d.operation === "query" && !d.name && !d.variables.length && !d.directives.length) { head = ""; }
  return (head ? head + " " : "") + printSelectionSet(d.selectionSet, "");
}

function printSelectionSet(set, indent) {
  const inner = indent + "  ";
  return "{\n" + set.selections.map((s) => inner + printSelection(s, inner)).join("\n") + "\n" + indent + "}";
}

function printSelection(s, indent) {
  if (s.kind === "spread") { return "..." + s.name.value + printDirectives(s.directives); }
  if (s.kind === "inline") {
    return "..." + (s.typeCondition ? " on " + s.typeCondition.value : "") + printDirectives(s.directives) + " " + printSelectionSet(s.selectionSet, indent);
  }
  let out = (s.alias ? s.alias.value + ": " : "") + s.name.value;
  if (s.arguments.length) { out += "(" + s.arguments.map((a) => a.name.value + ": " + printValue(a.value)).join(", ") + ")"; }
  out += printDirectives(s.directives);
  if (s.selectionSet) { out += " " + printSelectionSet(s.selectionSet, indent); }
  return out;
}

function printDirectives(list) {
  return list.map((d) => " @" + d.name.value + (d.arguments.length ? "(" + d.arguments.map((a) => a.name.value + ": " + printValue(a.value)).join(", ") + ")" : "")).join("");
}

export function printType(t) {
  if (t.kind === "nonnull") { return printType(t.type) + "!"; }
  if (t.kind === "list") { return "[" + printType(t.type) + "]"; }
  return t.name;
}

function printValue(v) {
  switch (v.kind) {
    case "variable": return "$" + v.value;
    case "string": return v.block ? "\"\"\"" + v.value.replace(/"""/g, "\\\"\"\"") + "\"\"\"" : JSON.stringify(v.value);
    case "boolean": return String(v.value);
    case "null": return "null";
    case "list": return "[" + v.values.map(printValue).join(", ") + "]";
    case "object": return "{" + v.fields.map((f) => f.name.value + ": " + printValue(f.value)).join(", ") + "}";
    default: return v.raw;
  }
}
