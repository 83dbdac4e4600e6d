// lexer.js: a GraphQL lexer that never throws. It keeps every token,
// comments and commas included, with its start and end offsets, so that
// the editor can highlight the whole document and the parser and the
// completion can work on the same tokens. Malformed input becomes an
// "error" token carrying a message.

const PUNCT = "!$&()[]{}:=@|";

function isNameStart(c) {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
}

function isNameChar(c) {
  return isNameStart(c) || isDigit(c);
}

function isDigit(c) {
  return c >= "0" && c <= "9";
}

export { isNameChar };

// lex returns the tokens of src: {kind, value, start, end[, message]} with
// kind one of name, variable, int, float, string, block, comment, comma,
// punct, spread, error.
export function lex(src) {
  const tokens = [];
  let i = 0;
  const n = src.length;
  const push = (kind, start, end, value, message) => {
    const t = { kind, start, end, value: value === undefined ? src.slice(start, end) : value };
    if (message) { t.message = message; }
    tokens.push(t);
  };
  while (i < n) {
    const c = src[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\uFEFF") { i++; continue; }
    const start = i;
    if (c === "#") {
      while (i < n && src[i] !== "\n" && src[i] !== "\r") { i++; }
      push("comment", start, i);
    } else if (c === ",") {
      push("comma", start, ++i);
    } else if (c === "." ) {
      if (src.startsWith("...", i)) { i += 3; push("spread", start, i); }
      else { i++; while (src[i] === ".") { i++; } push("error", start, i, undefined, "Expected \"...\"."); }
    } else if (c === "$") {
      i++;
      while (i < n && isNameChar(src[i])) { i++; }
      push("variable", start, i, src.slice(start + 1, i));
    } else if (PUNCT.includes(c)) {
      push("punct", start, ++i);
    } else if (isNameStart(c)) {
      while (i < n && isNameChar(src[i])) { i++; }
      push("name", start, i);
    } else if (isDigit(c) || c === "-") {
      i = number(src, i, push);
    } else if (c === "\"") {
      i = string(src, i, push);
    } else {
      push("error", start, ++i, undefined, "Unexpected character " + JSON.stringify(c) + ".");
    }
  }
  return tokens;
}

function number(src, i, push) {
  const start = i;
  let float = false;
  if (src[i] === "-") { i++; }
  const digits = () => { const s = i; while (isDigit(src[i] || "")) { i++; } return i > s; };
  if (!digits()) { push("error", start, i, undefined, "Invalid number."); return i; }
  if (src[i] === ".") { float = true; i++; if (!digits()) { push("error", start, i, undefined, "Invalid number: expected a digit after \".\"."); return i; } }
  if (src[i] === "e" || src[i] === "E") {
    float = true; i++;
    if (src[i] === "+" || src[i] === "-") { i++; }
    if (!digits()) { push("error", start, i, undefined, "Invalid number: expected a digit in the exponent."); return i; }
  }
  if (isNameStart(src[i] || "") || src[i] === ".") {
    push("error", start, i + 1, undefined, "Invalid number: unexpected " + JSON.stringify(src[i]) + ".");
    return i + 1;
  }
  push(float ? "float" : "int", start, i);
  return i;
}

function string(src, i, push) {
  const start = i;
  if (src.startsWith("\"\"\"", i)) {
    i += 3;
    while (i < src.length) {
      if (src.startsWith("\\\"\"\"", i)) { i += 4; continue; }
      if (src.startsWith("\"\"\"", i)) { i += 3; push("block", start, i); return i; }
      i++;
    }
    push("error", start, i, undefined, "Unterminated block string.");
    return i;
  }
  i++;
  let value = "";
  while (i < src.length && src[i] !== "\n" && src[i] !== "\r") {
    const c = src[i];
    if (c === "\"") { push("string", start, i + 1, value); return i + 1; }
    if (c === "\\") {
      const e = src[i + 1];
      const simple = { "\"": "\"", "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      if (e in simple) { value += simple[e]; i += 2; continue; }
      if (e === "u" && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
        value += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16)); i += 6; continue;
      }
      push("error", start, i + 2, undefined, "Invalid escape sequence in string.");
      return i + 2;
    }
    value += c; i++;
  }
  push("error", start, i, undefined, "Unterminated string.");
  return i;
}

// blockValue returns the value of a block string token's source, with the
// common indentation removed as the specification describes.
export function blockValue(raw) {
  const lines = raw.slice(3, -3).replace(/\\"""/g, "\"\"\"").split(/\r\n|\n|\r/);
  let common = null;
  for (let k = 1; k < lines.length; k++) {
    const indent = lines[k].length - lines[k].replace(/^[ \t]*/, "").length;
    if (indent < lines[k].length && (common === null || indent < common)) { common = indent; }
  }
  const out = lines.map((l, k) => (k > 0 && common ? l.slice(common) : l));
  while (out.length && out[0].trim() === "") { out.shift(); }
  while (out.length && out[out.length - 1].trim() === "") { out.pop(); }
  return out.join("\n");
}
