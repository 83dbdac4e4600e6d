// completion.js: what may be typed at the cursor. It walks the tokens
// before the cursor with a stack of open braces and parentheses, knowing
// at each selection set the type it selects from, and returns the
// candidates for the word being typed: fields of that type, arguments of
// the field, types after "on" or in variable definitions, declared
// variables, enum values, directives and the top-level keywords.

import { lex } from "./lexer.js";
import { isComposite, isInputType, namedType, typeString } from "./schema.js";

// complete returns {from, to, items: [{label, detail, doc, kind}]} for the
// cursor offset of src, or null when nothing fits (inside a comment or a
// string, or no schema).
export function complete(src, cursor, schema) {
  if (!schema) { return null; }
  const all = lex(src);
  let current = null;
  for (const t of all) {
    if (t.start < cursor && cursor <= t.end) {
      if (t.kind === "comment" || t.kind === "string" || t.kind === "block" || (t.kind === "error" && src[t.start] === "\"")) {
        if (cursor < t.end || t.kind === "comment" || t.kind === "error") { return null; }
      }
      if (t.kind === "name" || t.kind === "variable") { current = t; }
    }
  }
  const from = current ? current.start : cursor;
  const to = current ? current.end : cursor;
  const prefix = src.slice(from, cursor);
  const tokens = all.filter((t) => t.end <= from && t.kind !== "comment" && t.kind !== "comma");
  const ctx = walk(tokens, schema);
  let items = candidates(ctx, current, schema);
  const lower = prefix.toLowerCase();
  if (lower) {
    const starts = items.filter((i) => i.label.toLowerCase().startsWith(lower));
    const contains = items.filter((i) => !i.label.toLowerCase().startsWith(lower) && i.label.toLowerCase().includes(lower));
    items = starts.concat(contains);
  }
  if (!items.length || (items.length === 1 && items[0].label === prefix)) { return null; }
  return { from, to, prefix, items };
}

// walk replays the tokens and returns the innermost open frame and the
// tokens just before the cursor.
function walk(tokens, schema) {
  const stack = [];
  let root = null;
  let declared = [];
  let fragmentNames = [];
  const top = () => stack[stack.length - 1];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    const prev = tokens[k - 1];
    const next = tokens[k + 1];
    const f = top();
    const punct = t.kind === "punct" ? t.value : null;
    if (!f) {
      if (t.kind === "name" && (t.value === "query" || t.value === "mutation" || t.value === "subscription") && (!prev || isPunct(prev, "}"))) {
        root = schema.rootType(t.value);
        declared = [];
      } else if (t.kind === "name" && t.value === "fragment" && (!prev || isPunct(prev, "}"))) {
        root = null;
        declared = [];
        if (next && next.kind === "name") { fragmentNames.push(next.value); }
      } else if (t.kind === "name" && prev && prev.kind === "name" && prev.value === "on") {
        root = t.value;
      } else if (punct === "{") {
        if (!prev || isPunct(prev, "}")) { root = schema.queryType; declared = []; }
        stack.push({ kind: "sel", type: root, next: null, field: null });
      } else if (punct === "(") {
        stack.push({ kind: "vars" });
      }
      continue;
    }
    if (f.kind === "vars") {
      if (t.kind === "variable" && next && isPunct(next, ":")) {
        let type = "";
        for (let j = k + 2; j < tokens.length && tokens[j].kind !== "variable" && !isPunct(tokens[j], ")") && !isPunct(tokens[j], "=") && !isPunct(tokens[j], "@"); j++) { type += tokens[j].value; }
        declared.push({ name: t.value, type });
      }
      if (punct === "(" || punct === "[" || punct === "{") { stack.push({ kind: "value" }); }
      if (punct === ")") { stack.pop(); }
      continue;
    }
    if (f.kind === "sel") {
      if (punct === "{") {
        stack.push({ kind: "sel", type: f.next, next: null, field: null });
      } else if (punct === "}") {
        stack.pop();
      } else if (punct === "(") {
        if (prev && prev.kind === "name" && tokens[k - 2] && isPunct(tokens[k - 2], "@")) {
          const d = schema.directives.get(prev.value);
          stack.push({ kind: "args", defs: d ? d.args : [], used: [], arg: null });
        } else {
          stack.push({ kind: "args", defs: f.field ? f.field.args : [], used: [], arg: null });
        }
      } else if (t.kind === "spread") {
        f.next = f.type;
        f.field = null;
      } else if (t.kind === "name") {
        if (prev && isPunct(prev, "@")) { continue; }
        if (prev && prev.kind === "spread") {
          if (t.value !== "on") { f.next = null; f.field = null; }
          continue;
        }
        if (prev && prev.kind === "name" && prev.value === "on" && tokens[k - 2] && tokens[k - 2].kind === "spread") {
          f.next = t.value;
          continue;
        }
        if (next && isPunct(next, ":")) { continue; }
        f.field = f.type ? schema.field(f.type, t.value) : null;
        f.next = f.field ? namedType(f.field.type) : null;
      }
      continue;
    }
    // args, object, list, value: inside parentheses. Objects and lists
    // know the input type they build, for the fields and values offered.
    if (punct === "{" || punct === "[") {
      const expected = f.kind === "list" ? f.type : (f.arg ? namedType(f.arg.type) : null);
      stack.push(punct === "{" ? { kind: "object", type: expected, used: [], arg: null } : { kind: "list", type: expected });
      continue;
    }
    if (punct === "(") { stack.push({ kind: "value" }); continue; }
    if (punct === ")" || punct === "]" || punct === "}") { stack.pop(); continue; }
    if (t.kind === "name" && next && isPunct(next, ":")) {
      if (f.kind === "args") {
        f.used.push(t.value);
        f.arg = (f.defs || []).find((a) => a.name === t.value) || null;
      } else if (f.kind === "object") {
        f.used.push(t.value);
        const it = schema.type(f.type);
        f.arg = it ? it.inputFields.get(t.value) || null : null;
      }
    }
  }
  const prev = tokens[tokens.length - 1];
  return { frame: top(), root, declared, fragmentNames, prev, prev2: tokens[tokens.length - 2], schema };
}

function isPunct(t, v) {
  return t && t.kind === "punct" && t.value === v;
}

function candidates(ctx, current, schema) {
  const { frame, prev, prev2, declared } = ctx;
  const variables = () => declared.map((v) => ({ label: "$" + v.name, detail: v.type, kind: "variable" }));
  const typeItems = (pred) => schema.userTypes().filter(pred).map((t) => ({ label: t.name, detail: t.kind.toLowerCase(), doc: t.description, kind: "type" }));
  if (current && current.kind === "variable") {
    return frame && frame.kind === "vars" ? [] : variables();
  }
  if (!frame) {
    if (!prev || isPunct(prev, "}")) {
      return ["query", "mutation", "subscription", "fragment"]
        .filter((k) => k === "fragment" || schema.rootType(k))
        .map((k) => ({ label: k, detail: k === "fragment" ? "" : schema.rootType(k), kind: "keyword" }));
    }
    if (prev.kind === "name" && prev.value === "on") { return typeItems(isComposite); }
    if (prev2 && prev2.kind === "name" && prev2.value === "fragment") { return [{ label: "on", kind: "keyword" }]; }
    return [];
  }
  if (frame.kind === "vars") {
    if (isPunct(prev, ":") || isPunct(prev, "[")) { return typeItems(isInputType); }
    return [];
  }
  if (frame.kind === "sel") {
    if (isPunct(prev, "@")) { return directiveItems(schema); }
    if (prev && prev.kind === "spread") {
      return [{ label: "on", detail: "inline fragment", kind: "keyword" }]
        .concat(ctx.fragmentNames.map((n) => ({ label: n, detail: "fragment", kind: "fragment" })));
    }
    if (prev && prev.kind === "name" && prev.value === "on" && prev2 && prev2.kind === "spread") {
      return typeItems((t) => isComposite(t) && (!frame.type || schema.canApply(t.name, frame.type)));
    }
    const t = schema.type(frame.type);
    if (!t || !isComposite(t)) { return []; }
    const items = [...t.fields.values()].map((f) => ({
      label: f.name,
      detail: (f.args.length ? "(" + f.args.map((a) => a.name + ": " + typeString(a.type)).join(", ") + ") " : "") + typeString(f.type),
      doc: f.description,
      deprecated: f.isDeprecated,
      kind: "field",
    }));
    items.push({ label: "__typename", detail: "String!", doc: "The name of the object's type.", kind: "field" });
    return items;
  }
  if (frame.kind === "args") {
    if (isPunct(prev, ":")) { return valueItems(frame.arg, schema, variables); }
    return (frame.defs || []).filter((a) => !frame.used.includes(a.name)).map((a) => ({ label: a.name, detail: typeString(a.type), doc: a.description, kind: "argument" }));
  }
  if (frame.kind === "object") {
    if (isPunct(prev, ":")) { return valueItems(frame.arg, schema, variables); }
    const it = schema.type(frame.type);
    if (!it) { return []; }
    return [...it.inputFields.values()].filter((f) => !frame.used.includes(f.name)).map((f) => ({ label: f.name, detail: typeString(f.type), doc: f.description, kind: "argument" }));
  }
  if (frame.kind === "list") {
    return valueItems(frame.type ? { type: { name: frame.type } } : null, schema, variables);
  }
  if (frame.kind === "value") {
    return variables();
  }
  return [];
}

function valueItems(arg, schema, variables) {
  let items = variables();
  if (arg) {
    const t = schema.type(namedType(arg.type));
    if (t && t.kind === "ENUM") { items = t.enumValues.map((v) => ({ label: v.name, detail: t.name, doc: v.description, kind: "enum" })).concat(items); }
    if (t && t.name === "Boolean") { items = [{ label: "true", kind: "keyword" }, { label: "false", kind: "keyword" }].concat(items); }
  }
  return items;
}

function directiveItems(schema) {
  const exec = ["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"];
  return [...schema.directives.values()]
    .filter((d) => (d.locations || []).some((l) => exec.includes(l)))
    .map((d) => ({ label: d.name, detail: "directive", doc: d.description, kind: "directive" }));
}
