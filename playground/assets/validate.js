// validate.js: checks a parsed document against the schema and returns
// diagnostics {message, start, end}: unknown fields, arguments, types and
// fragments, selections on leaves or missing on objects, and variables
// used without being declared.

import { isComposite, isInputType, namedType, typeString as typeLabel } from "./schema.js";

export function validate(doc, schema) {
  const out = [];
  const report = (message, node) => out.push({ message, start: node.start, end: node.end });
  const fragments = new Map();
  for (const d of doc.definitions) {
    if (d.kind === "fragment") { fragments.set(d.name.value, d); }
  }

  // checkValue reports the fields of input objects their type lacks.
  const checkValue = (v, ref) => {
    const t = ref ? schema.type(namedType(ref)) : null;
    if (!t) { return; }
    if (v.kind === "list") { v.values.forEach((x) => checkValue(x, ref)); return; }
    if (v.kind === "enum" && t.kind === "ENUM" && !t.enumValues.some((e) => e.name === v.value)) {
      report("Value \"" + v.value + "\" does not exist in \"" + t.name + "\" enum.", v);
    }
    if (v.kind !== "object" || t.kind !== "INPUT_OBJECT") { return; }
    for (const f of v.fields) {
      const def = t.inputFields.get(f.name.value);
      if (!def) { report("Field \"" + f.name.value + "\" is not defined by type \"" + t.name + "\".", f.name); continue; }
      checkValue(f.value, def.type);
    }
  };

  const checkArgs = (args, defs, owner, used) => {
    for (const a of args) {
      const def = defs.find((d) => d.name === a.name.value);
      if (!def) {
        report("Unknown argument \"" + a.name.value + "\" on " + owner + ".", a.name);
      } else {
        checkValue(a.value, def.type);
      }
      collectVariables(a.value, used);
    }
  };

  const checkDirectives = (list, used) => {
    for (const d of list) {
      const def = schema.directives.get(d.name.value);
      if (!def) { report("Unknown directive \"@" + d.name.value + "\".", d.name); continue; }
      checkArgs(d.arguments, def.args || [], "directive \"@" + d.name.value + "\"", used);
    }
  };

  const checkSet = (set, typeName, used) => {
    for (const s of set.selections) {
      checkDirectives(s.directives, used);
      if (s.kind === "spread") {
        const f = fragments.get(s.name.value);
        if (!f) { report("Unknown fragment \"" + s.name.value + "\".", s.name); }
        continue;
      }
      if (s.kind === "inline") {
        let inner = typeName;
        if (s.typeCondition) {
          inner = s.typeCondition.value;
          const t = schema.type(inner);
          if (!t) { report("Unknown type \"" + inner + "\".", s.typeCondition); inner = null; }
          else if (!isComposite(t)) { report("Fragment cannot condition on non composite type \"" + inner + "\".", s.typeCondition); inner = null; }
          else if (typeName && !schema.canApply(inner, typeName)) { report("Fragment cannot be spread here as objects of type \"" + typeName + "\" can never be of type \"" + inner + "\".", s.typeCondition); }
        }
        if (inner) { checkSet(s.selectionSet, inner, used); }
        continue;
      }
      const field = schema.field(typeName, s.name.value);
      if (!field) {
        report("Cannot query field \"" + s.name.value + "\" on type \"" + typeName + "\".", s.name);
        continue;
      }
      checkArgs(s.arguments, field.args, "field \"" + typeName + "." + s.name.value + "\"", used);
      for (const def of field.args) {
        if (def.type.kind === "NON_NULL" && def.defaultValue == null && !s.arguments.some((a) => a.name.value === def.name)) {
          report("Field \"" + s.name.value + "\" argument \"" + def.name + "\" of type \"" + typeLabel(def.type) + "\" is required, but it was not provided.", s.name);
        }
      }
      const inner = namedType(field.type);
      const t = schema.type(inner);
      if (s.selectionSet) {
        if (!isComposite(t)) { report("Field \"" + s.name.value + "\" must not have a selection since type \"" + typeLabel(field.type) + "\" has no subfields.", s.selectionSet); }
        else { checkSet(s.selectionSet, inner, used); }
      } else if (isComposite(t)) {
        report("Field \"" + s.name.value + "\" of type \"" + typeLabel(field.type) + "\" must have a selection of subfields.", s.name);
      }
    }
  };

  for (const d of doc.definitions) {
    const used = [];
    checkDirectives(d.directives, used);
    if (d.kind === "fragment") {
      const t = schema.type(d.typeCondition.value);
      if (!t) { report("Unknown type \"" + d.typeCondition.value + "\".", d.typeCondition); continue; }
      if (!isComposite(t)) { report("Fragment cannot condition on non composite type \"" + t.name + "\".", d.typeCondition); continue; }
      checkSet(d.selectionSet, t.name, used);
      continue;
    }
    const root = schema.rootType(d.operation);
    if (!root) { report("The schema has no " + d.operation + " type.", { start: d.start, end: d.start + d.operation.length }); continue; }
    for (const v of d.variables) {
      let t = v.type;
      while (t.type) { t = t.type; }
      const vt = schema.type(t.name);
      if (!vt) { report("Unknown type \"" + t.name + "\".", t); }
      else if (!isInputType(vt)) { report("Variable \"$" + v.name + "\" cannot be non-input type \"" + t.name + "\".", t); }
    }
    checkSet(d.selectionSet, root, used);
    const declared = new Set(d.variables.map((v) => v.name));
    for (const u of used) {
      if (!declared.has(u.value)) {
        report("Variable \"$" + u.value + "\" is not defined" + (d.name ? " by operation \"" + d.name.value + "\"" : "") + ".", u);
      }
    }
  }
  return out;
}

function collectVariables(v, used) {
  if (v.kind === "variable") { used.push(v); }
  if (v.kind === "list") { v.values.forEach((x) => collectVariables(x, used)); }
  if (v.kind === "object") { v.fields.forEach((f) => collectVariables(f.value, used)); }
}
