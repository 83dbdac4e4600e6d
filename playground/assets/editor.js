// editor.js: the GraphQL editor. A transparent textarea takes the input;
// a <pre> under it, kept in sync on every change and scroll, shows the
// same text highlighted, with the diagnostics underlined. A list under
// the caret offers completions.

import { lex } from "./lexer.js";

const KEYWORDS = new Set(["query", "mutation", "subscription", "fragment"]);

function escapeHTML(s) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// classify returns the highlighting class of every token of src.
export function classify(tokens) {
  const sig = tokens.filter((t) => t.kind !== "comment" && t.kind !== "comma");
  const classes = new Map();
  let braces = 0;
  let parens = 0;
  sig.forEach((t, k) => {
    const prev = sig[k - 1];
    const next = sig[k + 1];
    let c = "punct";
    switch (t.kind) {
      case "name":
        if (braces === 0 && parens === 0 && KEYWORDS.has(t.value) && (!prev || prev.value === "}")) { c = "kw"; }
        else if (t.value === "on" && prev && (prev.kind === "spread" || (braces === 0 && prev.kind === "name"))) { c = "kw"; }
        else if (prev && prev.value === "@" && prev.kind === "punct") { c = "directive"; }
        else if (prev && prev.kind === "name" && prev.value === "on") { c = "type"; }
        else if (parens > 0 && braces === 0) { c = "type"; }
        else if (next && next.kind === "punct" && next.value === ":") { c = parens > 0 ? "arg" : "alias"; }
        else if (parens > 0) { c = t.value === "true" || t.value === "false" || t.value === "null" ? "lit" : "enum"; }
        else if (braces === 0) { c = "def"; }
        else if (prev && prev.kind === "spread") { c = "def"; }
        else { c = "field"; }
        break;
      case "variable": c = "var"; break;
      case "string": case "block": c = "str"; break;
      case "int": case "float": c = "num"; break;
      case "error": c = "bad"; break;
      default:
        if (t.value === "{") { braces++; }
        if (t.value === "}") { braces = Math.max(0, braces - 1); }
        if (t.value === "(") { parens++; }
        if (t.value === ")") { parens = Math.max(0, parens - 1); }
    }
    classes.set(t, c);
  });
  tokens.forEach((t) => { if (t.kind === "comment") { classes.set(t, "comment"); } else if (t.kind === "comma") { classes.set(t, "punct"); } });
  return classes;
}

// highlight returns the HTML of src with its tokens in classed spans and
// the ranges of diags underlined.
export function highlight(src, diags) {
  const tokens = lex(src);
  const classes = classify(tokens);
  const bad = (s, e) => diags.some((d) => d.start < e && d.end > s);
  let html = "";
  let pos = 0;
  for (const t of tokens) {
    html += escapeHTML(src.slice(pos, t.start));
    const cls = "t-" + classes.get(t) + (bad(t.start, t.end) ? " squiggle" : "");
    html += "<span class=\"" + cls + "\">" + escapeHTML(src.slice(t.start, t.end)) + "</span>";
    pos = t.end;
  }
  html += escapeHTML(src.slice(pos));
  if (diags.some((d) => d.start >= src.length)) { html += "<span class=\"squiggle\"> </span>"; }
  return html + "\n";
}

// Editor wires a textarea, its highlight layer and a completion list.
export class Editor {
  constructor({ textarea, layer, list, complete, diagnose, onChange }) {
    this.ta = textarea;
    this.layer = layer;
    this.list = list;
    this.completeAt = complete;
    this.diagnose = diagnose;
    this.onChange = onChange;
    this.items = [];
    this.active = 0;
    this.range = null;
    this.diags = [];
    this.ta.addEventListener("input", (e) => this.changed(e));
    this.ta.addEventListener("scroll", () => this.syncScroll());
    this.ta.addEventListener("keydown", (e) => this.keydown(e));
    this.ta.addEventListener("keyup", () => { this.swallowBreak = false; });
    this.ta.addEventListener("beforeinput", (e) => this.beforeinput(e));
    this.ta.addEventListener("blur", () => setTimeout(() => { if (document.activeElement !== this.ta) { this.close(); } }, 150));
    this.ta.addEventListener("click", () => this.close());
    this.ta.addEventListener("mousemove", (e) => this.hover(e));
    this.list.addEventListener("mousedown", (e) => {
      const li = e.target.closest("li[data-index]");
      if (!li) { return; }
      e.preventDefault();
      this.accept(Number(li.dataset.index));
    });
    this.refresh();
  }

  get value() { return this.ta.value; }

  // setValue replaces the whole text as one edit the user can undo.
  setValue(text) {
    this.ta.focus();
    this.ta.setSelectionRange(0, this.ta.value.length);
    this.insert(text);
    this.ta.setSelectionRange(0, 0);
    this.ta.scrollTop = 0;
    this.syncScroll();
  }

  insert(text) {
    // execCommand keeps the browser's undo history; setRangeText is the
    // fallback where it is gone.
    this.inserting = true;
    try {
      if (!document.execCommand || !document.execCommand("insertText", false, text)) {
        this.ta.setRangeText(text, this.ta.selectionStart, this.ta.selectionEnd, "end");
        this.ta.dispatchEvent(new Event("input"));
      }
    } finally {
      this.inserting = false;
    }
  }

  // refresh re-renders the highlighting and the diagnostics.
  refresh() {
    this.diags = this.diagnose ? this.diagnose(this.ta.value) : [];
    this.layer.innerHTML = highlight(this.ta.value, this.diags);
    this.syncScroll();
    if (this.onChange) { this.onChange(this.ta.value, this.diags); }
  }

  changed(e) {
    this.refresh();
    const typed = e && e.inputType === "insertText" && /^[_A-Za-z0-9$@]$/.test(e.data || "");
    const typedSpace = e && e.inputType === "insertText" && e.data === " " && /\bon $/.test(this.ta.value.slice(0, this.ta.selectionStart));
    if (typed || typedSpace || (!this.list.hidden && e && e.inputType && e.inputType.startsWith("delete"))) { this.suggest(); }
    else { this.close(); }
  }

  syncScroll() {
    this.layer.scrollTop = this.ta.scrollTop;
    this.layer.scrollLeft = this.ta.scrollLeft;
    if (!this.list.hidden) { this.place(); }
  }

  keydown(e) {
    const open = !this.list.hidden;
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); this.swallowBreak = true; this.close(); return; }
    if (open) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const n = this.items.length;
        this.active = (this.active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
        this.renderList();
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") { e.preventDefault(); this.swallowBreak = e.key === "Enter"; this.accept(this.active); return; }
      if (e.key === "Escape") { e.preventDefault(); this.close(); return; }
    }
    if (e.ctrlKey && (e.key === " " || e.code === "Space")) { e.preventDefault(); this.suggest(); return; }
    if (e.key === "Tab" && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey) { e.preventDefault(); this.insert("  "); return; }
  }

  // beforeinput indents new lines like the one above (one level more after
  // an opening bracket). Line breaks are handled here rather than on
  // keydown so that every way of typing Enter gets the same result; a
  // break whose Enter already accepted a completion or ran the operation
  // is dropped.
  beforeinput(e) {
    if (this.inserting) { return; }
    const v = this.ta.value;
    const at = this.ta.selectionStart;
    const line = v.slice(v.lastIndexOf("\n", at - 1) + 1, at);
    if (e.inputType === "insertText" && (e.data === "}" || e.data === ")" || e.data === "]") && /^ {2,}$/.test(line) && at === this.ta.selectionEnd) {
      // A closing bracket on an empty line goes one level back.
      e.preventDefault();
      this.ta.setSelectionRange(at - 2, at);
      this.insert(e.data);
      return;
    }
    if (e.inputType !== "insertLineBreak" && e.inputType !== "insertParagraph") { return; }
    e.preventDefault();
    if (this.swallowBreak) { this.swallowBreak = false; return; }
    let indent = /^[ \t]*/.exec(line)[0];
    if (/[{(\[]\s*$/.test(line)) { indent += "  "; }
    this.insert("\n" + indent);
  }

  suggest() {
    const r = this.completeAt ? this.completeAt(this.ta.value, this.ta.selectionStart) : null;
    if (!r || this.ta.selectionStart !== this.ta.selectionEnd) { this.close(); return; }
    this.range = r;
    this.items = r.items.slice(0, 50);
    this.active = 0;
    this.renderList();
    this.list.hidden = false;
    this.place();
  }

  renderList() {
    this.list.textContent = "";
    this.items.forEach((it, i) => {
      const li = document.createElement("li");
      li.dataset.index = String(i);
      li.setAttribute("role", "option");
      li.className = "c-" + (it.kind || "item") + (i === this.active ? " active" : "") + (it.deprecated ? " deprecated" : "");
      const label = document.createElement("span");
      label.className = "label";
      label.textContent = it.label;
      li.appendChild(label);
      if (it.detail) {
        const d = document.createElement("span");
        d.className = "detail";
        d.textContent = it.detail;
        li.appendChild(d);
      }
      if (it.doc && i === this.active) { li.title = it.doc; }
      this.list.appendChild(li);
    });
    const act = this.list.children[this.active];
    if (act && act.scrollIntoView) { act.scrollIntoView({ block: "nearest" }); }
  }

  accept(i) {
    const it = this.items[i];
    if (!it || !this.range) { return; }
    this.ta.focus();
    this.ta.setSelectionRange(this.range.from, this.range.to);
    this.close();
    this.insert(it.label);
  }

  close() {
    this.list.hidden = true;
    this.items = [];
    this.range = null;
  }

  // hover shows the message of the diagnostic under the mouse as the
  // textarea's tooltip.
  hover(e) {
    const m = this.metrics();
    const r = this.ta.getBoundingClientRect();
    const line = Math.floor((e.clientY - r.top - m.padTop + this.ta.scrollTop) / m.lineHeight);
    const col = Math.floor((e.clientX - r.left - m.padLeft + this.ta.scrollLeft) / m.charWidth);
    const lines = this.ta.value.split("\n");
    let title = "";
    if (line >= 0 && line < lines.length && col >= 0 && col <= lines[line].length) {
      let offset = col;
      for (let k = 0; k < line; k++) { offset += lines[k].length + 1; }
      const d = this.diags.find((x) => x.start <= offset && offset < x.end);
      if (d) { title = d.message; }
    }
    if (this.ta.title !== title) { this.ta.title = title; }
  }

  // metrics returns the padding, line height and character width of the
  // editor's monospace text.
  metrics() {
    const style = getComputedStyle(this.ta);
    if (!this.charWidth) {
      const probe = document.createElement("span");
      probe.textContent = "0000000000";
      probe.style.visibility = "hidden";
      this.layer.appendChild(probe);
      this.charWidth = probe.getBoundingClientRect().width / 10 || 8;
      probe.remove();
    }
    return {
      padTop: parseFloat(style.paddingTop) || 0,
      padLeft: parseFloat(style.paddingLeft) || 0,
      lineHeight: parseFloat(style.lineHeight) || 18,
      charWidth: this.charWidth,
    };
  }

  // place puts the list under the caret: monospace text makes the caret
  // position a matter of line and column.
  place() {
    const lines = this.ta.value.slice(0, this.ta.selectionStart).split("\n");
    const m = this.metrics();
    const top = m.padTop + lines.length * m.lineHeight - this.ta.scrollTop + 2;
    const left = m.padLeft + lines[lines.length - 1].length * m.charWidth - this.ta.scrollLeft;
    this.list.style.top = top + "px";
    this.list.style.left = Math.max(0, Math.min(left, this.ta.clientWidth - 260)) + "px";
  }
}
