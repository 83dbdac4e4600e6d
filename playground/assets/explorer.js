// explorer.js: the docs explorer. It lists the root types and every type
// of the schema; a type shows its description, fields (with arguments),
// input fields, enum values, interfaces and possible types; a field shows
// its arguments and type. Every type name is a link; Back walks the
// trail; the search box finds types and fields by name.

import { namedType, typeString } from "./schema.js";

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) { e.className = cls; }
  if (text !== undefined && text !== null) { e.textContent = text; }
  return e;
};

export class Explorer {
  constructor({ body, search, back }) {
    this.body = body;
    this.search = search;
    this.back = back;
    this.schema = null;
    this.trail = [];
    this.back.addEventListener("click", () => { this.trail.pop(); this.render(); });
    this.search.addEventListener("input", () => this.render());
  }

  setSchema(schema) {
    this.schema = schema;
    this.trail = [];
    this.render();
  }

  setError(message) {
    this.schema = null;
    this.body.textContent = "";
    this.body.appendChild(el("p", "note", message));
  }

  // open shows a type (and, with field, one of its fields).
  open(type, field) {
    this.search.value = "";
    this.trail.push({ type, field: field || null });
    this.render();
  }

  render() {
    this.body.textContent = "";
    this.back.disabled = this.trail.length === 0;
    if (!this.schema) { this.body.appendChild(el("p", "note", "Loading the schema…")); return; }
    const q = this.search.value.trim().toLowerCase();
    if (q) { this.renderSearch(q); return; }
    const at = this.trail[this.trail.length - 1];
    if (!at) { this.renderRoot(); return; }
    if (at.field) { this.renderField(at.type, at.field); } else { this.renderType(at.type); }
  }

  typeLink(ref) {
    const name = typeof ref === "string" ? ref : namedType(ref);
    const a = el("a", "type-link", typeof ref === "string" ? ref : typeString(ref));
    a.href = "#";
    a.dataset.type = name;
    a.addEventListener("click", (e) => { e.preventDefault(); this.open(name); });
    return a;
  }

  renderRoot() {
    const s = this.schema;
    this.body.appendChild(el("h2", null, "Root types"));
    const roots = el("ul", "doc-list");
    [["query", s.queryType], ["mutation", s.mutationType], ["subscription", s.subscriptionType]].forEach(([k, name]) => {
      if (!name) { return; }
      const li = el("li");
      li.appendChild(el("span", "doc-key", k + ": "));
      li.appendChild(this.typeLink(name));
      roots.appendChild(li);
    });
    this.body.appendChild(roots);
    this.body.appendChild(el("h2", null, "All types"));
    const all = el("ul", "doc-list");
    for (const t of s.userTypes()) {
      const li = el("li");
      li.appendChild(this.typeLink(t.name));
      li.appendChild(el("span", "doc-kind", " " + t.kind.toLowerCase().replace("_", " ")));
      all.appendChild(li);
    }
    this.body.appendChild(all);
  }

  renderType(name) {
    const t = this.schema.type(name);
    if (!t) { this.body.appendChild(el("p", "note", "Unknown type " + name)); return; }
    const h = el("h2", "doc-title", t.name);
    h.appendChild(el("span", "doc-kind", " " + t.kind.toLowerCase().replace("_", " ")));
    this.body.appendChild(h);
    if (t.description) { this.body.appendChild(el("p", "doc-desc", t.description)); }
    if (t.interfaces.length) { this.section("Implements", t.interfaces.map((i) => this.typeLink(i))); }
    if (t.fields.size) {
      this.section("Fields", [...t.fields.values()].map((f) => this.fieldItem(t.name, f)));
    }
    if (t.inputFields.size) {
      this.section("Input fields", [...t.inputFields.values()].map((f) => this.valueItem(f)));
    }
    if (t.enumValues.length) {
      this.section("Values", t.enumValues.map((v) => {
        const d = el("div", v.isDeprecated ? "deprecated" : null);
        d.appendChild(el("span", "doc-field", v.name));
        if (v.description) { d.appendChild(el("p", "doc-desc", v.description)); }
        if (v.isDeprecated) { d.appendChild(el("p", "doc-desc", "Deprecated: " + (v.deprecationReason || ""))); }
        return d;
      }));
    }
    if (t.possibleTypes.length) { this.section(t.kind === "UNION" ? "Members" : "Implementations", t.possibleTypes.map((n) => this.typeLink(n))); }
  }

  renderField(typeName, fieldName) {
    const f = this.schema.field(typeName, fieldName);
    if (!f) { this.body.appendChild(el("p", "note", "Unknown field " + typeName + "." + fieldName)); return; }
    const h = el("h2", "doc-title", f.name);
    this.body.appendChild(h);
    const of = el("p");
    of.appendChild(el("span", "doc-kind", "on "));
    of.appendChild(this.typeLink(typeName));
    of.appendChild(el("span", "doc-kind", " returns "));
    of.appendChild(this.typeLink(f.type));
    this.body.appendChild(of);
    if (f.description) { this.body.appendChild(el("p", "doc-desc", f.description)); }
    if (f.isDeprecated) { this.body.appendChild(el("p", "doc-desc deprecated", "Deprecated: " + (f.deprecationReason || ""))); }
    if (f.args.length) { this.section("Arguments", f.args.map((a) => this.valueItem(a))); }
  }

  fieldItem(typeName, f) {
    const d = el("div", "doc-item" + (f.isDeprecated ? " deprecated" : ""));
    const name = el("a", "doc-field", f.name);
    name.href = "#";
    name.dataset.field = f.name;
    name.addEventListener("click", (e) => { e.preventDefault(); this.open(typeName, f.name); });
    d.appendChild(name);
    if (f.args.length) {
      d.appendChild(document.createTextNode("("));
      f.args.forEach((a, i) => {
        if (i) { d.appendChild(document.createTextNode(", ")); }
        d.appendChild(el("span", "doc-arg", a.name));
        d.appendChild(document.createTextNode(": "));
        d.appendChild(this.typeLink(a.type));
      });
      d.appendChild(document.createTextNode(")"));
    }
    d.appendChild(document.createTextNode(": "));
    d.appendChild(this.typeLink(f.type));
    if (f.description) { d.appendChild(el("p", "doc-desc", f.description)); }
    return d;
  }

  valueItem(v) {
    const d = el("div", "doc-item");
    d.appendChild(el("span", "doc-arg", v.name));
    d.appendChild(document.createTextNode(": "));
    d.appendChild(this.typeLink(v.type));
    if (v.defaultValue != null) { d.appendChild(document.createTextNode(" = " + v.defaultValue)); }
    if (v.description) { d.appendChild(el("p", "doc-desc", v.description)); }
    return d;
  }

  section(title, nodes) {
    this.body.appendChild(el("h3", null, title));
    const box = el("div", "doc-section");
    nodes.forEach((n) => box.appendChild(n));
    this.body.appendChild(box);
  }

  renderSearch(q) {
    const hits = el("ul", "doc-list");
    let n = 0;
    for (const t of this.schema.userTypes()) {
      if (n >= 100) { break; }
      if (t.name.toLowerCase().includes(q)) {
        const li = el("li");
        li.appendChild(this.typeLink(t.name));
        hits.appendChild(li);
        n++;
      }
      for (const f of t.fields.values()) {
        if (f.name.toLowerCase().includes(q)) {
          const li = el("li");
          li.appendChild(this.typeLink(t.name));
          li.appendChild(document.createTextNode("."));
          const a = el("a", "doc-field", f.name);
          a.href = "#";
          a.addEventListener("click", (e) => { e.preventDefault(); this.open(t.name, f.name); });
          li.appendChild(a);
          hits.appendChild(li);
          n++;
        }
      }
    }
    if (!n) { this.body.appendChild(el("p", "note", "Nothing matches.")); return; }
    this.body.appendChild(hits);
  }
}
