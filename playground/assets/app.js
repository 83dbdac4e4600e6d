// app.js: the playground page. It wires the editor, the docs explorer,
// the variables and headers editors, the history and the result and plan
// panes, and sends operations to the endpoint: queries and mutations as a
// JSON POST, subscriptions as GraphQL over server-sent events (distinct
// connections) that the Stop button ends.
//
// Every request is application/json and carries Apollo-Require-Preflight,
// so it passes the router's CSRF rule however that is configured.

import { tryParse, print } from "./parser.js";
import { validate } from "./validate.js";
import { complete } from "./completion.js";
import { Schema, INTROSPECTION } from "./schema.js";
import { Editor } from "./editor.js";
import { Explorer } from "./explorer.js";
import { renderPlan } from "./plan.js";

const $ = (id) => document.getElementById(id);
const body = document.body;
const endpoint = body.dataset.endpoint || "/graphql";
const planHeader = body.dataset.planHeader || "";
const planEnabled = body.dataset.planEnabled === "true";
const sseAvailable = body.dataset.subscriptions === "true";
const store = (() => { try { return window.localStorage; } catch (e) { return null; } })();
const key = (k) => "playground:" + endpoint + ":" + k;
const load = (k) => (store ? store.getItem(key(k)) : null);
const save = (k, v) => { if (store) { try { store.setItem(key(k), v); } catch (e) { /* storage full or off */ } } };
const HISTORY_MAX = 30;

let schema = null;
let running = null;

const explorer = new Explorer({ body: $("docs-body"), search: $("docs-search"), back: $("docs-back") });

const editor = new Editor({
  textarea: $("query"),
  layer: $("highlight"),
  list: $("completion"),
  complete: (src, at) => complete(src, at, schema),
  diagnose: diagnose,
  onChange: (src, diags) => { save("query", src); showDiagnostics(src, diags); },
});

function diagnose(src) {
  if (!src.trim()) { return []; }
  const r = tryParse(src);
  if (r.error) { return [{ message: r.error.message, start: r.error.start, end: r.error.end }]; }
  return schema ? validate(r.doc, schema) : [];
}

function position(src, offset) {
  const before = src.slice(0, offset).split("\n");
  return before.length + ":" + (before[before.length - 1].length + 1);
}

function showDiagnostics(src, diags) {
  const ul = $("diagnostics");
  ul.textContent = "";
  for (const d of diags) {
    const li = document.createElement("li");
    li.textContent = position(src, d.start) + "  " + d.message;
    li.addEventListener("click", () => { $("query").focus(); $("query").setSelectionRange(d.start, d.end); });
    ul.appendChild(li);
  }
}

// Variables and headers: JSON editors persisted per endpoint.
for (const id of ["variables", "headers"]) {
  const saved = load(id);
  if (saved !== null) { $(id).value = saved; }
  $(id).addEventListener("input", () => save(id, $(id).value));
}
const savedQuery = load("query");
if (savedQuery !== null && savedQuery.trim()) { editor.setValue(savedQuery); $("query").blur(); }
editor.refresh();

document.querySelectorAll(".tab").forEach((tab) => {
  tab.addEventListener("click", () => {
    document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t === tab));
    document.querySelectorAll(".pane").forEach((p) => { p.hidden = p.dataset.pane !== tab.dataset.tab; });
  });
});
$("auth-hint").addEventListener("click", () => {
  let h = {};
  try { h = JSON.parse($("headers").value || "{}"); } catch (e) { h = {}; }
  if (!("Authorization" in h)) { h.Authorization = "Bearer "; }
  if (!("x-api-key" in h)) { h["x-api-key"] = ""; }
  $("headers").value = JSON.stringify(h, null, 2);
  save("headers", $("headers").value);
  document.querySelector(".tab[data-tab=headers]").click();
  $("headers").focus();
});

function setStatus(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

function parseJSON(id, what) {
  const raw = $(id).value.trim();
  if (!raw) { return {}; }
  const v = JSON.parse(raw);
  if (v === null || typeof v !== "object" || Array.isArray(v)) { throw new Error(what + " must be a JSON object"); }
  return v;
}

function requestHeaders(accept) {
  const h = {
    "Content-Type": "application/json",
    "Accept": accept,
    "Apollo-Require-Preflight": "true",
  };
  if (planHeader) { h[planHeader] = "true"; }
  const user = parseJSON("headers", "Headers");
  for (const [k, v] of Object.entries(user)) {
    if (v !== null && v !== undefined && String(v).trim() !== "" && String(v).trim() !== "Bearer") { h[k] = String(v); }
  }
  return h;
}

// pickOperation returns the operation to run: the one under the cursor
// when the document holds several, else the first.
function pickOperation(doc, cursor) {
  const ops = doc.definitions.filter((d) => d.kind === "operation");
  if (!ops.length) { return null; }
  return ops.find((o) => o.start <= cursor && cursor <= o.end) || ops[0];
}

function run() {
  if (running) { stop(); }
  const src = editor.value;
  const parsed = tryParse(src);
  if (parsed.error) { setStatus(parsed.error.message + " (" + position(src, parsed.error.start) + ")", true); return; }
  const op = pickOperation(parsed.doc, $("query").selectionStart);
  if (!op) { setStatus("The document has no operation to run.", true); return; }
  if (parsed.doc.definitions.filter((d) => d.kind === "operation").length > 1 && !op.name) {
    setStatus("Name the operations to run one of several.", true);
    return;
  }
  let variables, headers;
  try {
    variables = parseJSON("variables", "Variables");
    headers = requestHeaders(op.operation === "subscription" ? "text/event-stream" : "application/graphql-response+json, application/json");
  } catch (e) {
    setStatus(e.message, true);
    return;
  }
  const payload = { query: src, variables, operationName: op.name ? op.name.value : undefined };
  remember(src, $("variables").value, payload.operationName);
  if (op.operation === "subscription") { subscribe(payload, headers); } else { post(payload, headers); }
}

function post(payload, headers) {
  const started = performance.now();
  const ctl = new AbortController();
  running = ctl;
  setBusy(true);
  setStatus("Running…");
  fetch(endpoint, { method: "POST", headers, body: JSON.stringify(payload), signal: ctl.signal })
    .then((res) => res.text().then((text) => ({ status: res.status, text })))
    .then((r) => {
      const ms = Math.round(performance.now() - started);
      let json = null;
      try { json = JSON.parse(r.text); } catch (e) { json = null; }
      let plan = null;
      if (json && json.extensions && json.extensions.queryPlan) {
        plan = json.extensions.queryPlan;
        delete json.extensions.queryPlan;
        if (!Object.keys(json.extensions).length) { delete json.extensions; }
      }
      $("result").textContent = json ? JSON.stringify(json, null, 2) : r.text;
      showPlan(plan);
      setStatus("HTTP " + r.status + " in " + ms + " ms", r.status >= 400 || !!(json && json.errors));
    })
    .catch((e) => { if (e.name !== "AbortError") { setStatus("Request failed: " + e.message, true); } })
    .finally(() => { if (running === ctl) { running = null; setBusy(false); } });
}

// subscribe reads a GraphQL-over-SSE stream: "next" events carry results,
// "complete" ends it.
function subscribe(payload, headers) {
  const ctl = new AbortController();
  running = ctl;
  setBusy(true, true);
  const events = [];
  $("result").textContent = "";
  showPlan(null, "Subscriptions run without a query plan here.");
  setStatus("Subscribing…");
  const show = () => { $("result").textContent = events.slice().reverse().join("\n\n"); };
  fetch(endpoint, { method: "POST", headers, body: JSON.stringify(payload), signal: ctl.signal })
    .then(async (res) => {
      const type = res.headers.get("Content-Type") || "";
      if (!type.startsWith("text/event-stream")) {
        const text = await res.text();
        try { $("result").textContent = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { $("result").textContent = text; }
        setStatus("HTTP " + res.status + ": the endpoint did not open an event stream" + (sseAvailable ? "" : " (this endpoint serves no subscriptions over SSE)"), true);
        return;
      }
      setStatus("Subscribed (HTTP " + res.status + "); waiting for events…");
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buf = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) { break; }
        buf += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
        let cut;
        while ((cut = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let event = "message";
          const data = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("event:")) { event = line.slice(6).trim(); }
            else if (line.startsWith("data:")) { data.push(line.slice(5).replace(/^ /, "")); }
          }
          if (event === "complete") { setStatus("Subscription complete after " + events.length + " event(s)."); return; }
          if (!data.length) { continue; }
          let text = data.join("\n");
          try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* keep the raw data */ }
          events.push("#" + (events.length + 1) + " " + new Date().toLocaleTimeString() + "\n" + text);
          show();
          setStatus("Subscribed: " + events.length + " event(s); Stop ends it.");
        }
      }
      setStatus("The stream closed after " + events.length + " event(s).");
    })
    .catch((e) => {
      if (e.name === "AbortError") { setStatus("Stopped after " + events.length + " event(s)."); return; }
      setStatus("Subscription failed: " + e.message, true);
    })
    .finally(() => { if (running === ctl) { running = null; setBusy(false); } });
}

function stop() {
  if (running) { running.abort(); running = null; }
  setBusy(false);
}

function setBusy(busy, streaming) {
  $("run").disabled = busy && !streaming;
  $("stop").hidden = !(busy && streaming);
}

function showPlan(plan, note) {
  if (!planHeader) { return; }
  const box = $("plan-box");
  box.hidden = false;
  const out = $("plan");
  out.textContent = "";
  if (plan) {
    $("plan-note").textContent = "";
    renderPlan(out, plan);
    return;
  }
  $("plan-note").textContent = note || (planEnabled
    ? "The router returned no query plan for this run (operations that fail validation have none)."
    : "Query plans are off on this router. Start it with query_plan.enabled: true (or ROUTER_QUERY_PLAN=true) and each run shows its plan here; the playground asks with the " + planHeader + " header.");
}

// History of run operations, newest first.
function history() {
  try { return JSON.parse(load("history") || "[]"); } catch (e) { return []; }
}

function remember(query, variables, operationName) {
  const list = history().filter((h) => h.query !== query || h.variables !== variables);
  list.unshift({ query, variables, operationName: operationName || "", at: Date.now() });
  save("history", JSON.stringify(list.slice(0, HISTORY_MAX)));
  renderHistory();
}

function renderHistory() {
  const ul = $("history-list");
  ul.textContent = "";
  const list = history();
  if (!list.length) {
    const li = document.createElement("li");
    li.className = "note";
    li.textContent = "Operations you run appear here.";
    ul.appendChild(li);
    return;
  }
  for (const h of list) {
    const li = document.createElement("li");
    li.className = "history-item";
    const title = document.createElement("span");
    title.className = "history-title";
    title.textContent = h.operationName || h.query.replace(/\s+/g, " ").trim().slice(0, 60);
    const when = document.createElement("span");
    when.className = "doc-kind";
    when.textContent = new Date(h.at).toLocaleString();
    li.appendChild(title);
    li.appendChild(when);
    li.title = h.query;
    li.addEventListener("click", () => {
      editor.setValue(h.query);
      $("variables").value = h.variables || "";
      save("variables", $("variables").value);
    });
    ul.appendChild(li);
  }
}

function prettify() {
  const src = editor.value;
  const r = tryParse(src);
  if (r.error) { setStatus("Cannot prettify: " + r.error.message, true); return; }
  const out = print(r.doc);
  if (out !== src) { editor.setValue(out); }
  try {
    const v = $("variables").value.trim();
    if (v) { $("variables").value = JSON.stringify(JSON.parse(v), null, 2); save("variables", $("variables").value); }
  } catch (e) { /* leave invalid JSON as typed */ }
}

function toggle(id) {
  for (const side of ["docs", "history"]) { $(side).hidden = side === id ? !$(side).hidden : true; }
  $("docs-toggle").classList.toggle("active", !$("docs").hidden);
  $("history-toggle").classList.toggle("active", !$("history").hidden);
  if (id === "history") { renderHistory(); }
}

function loadSchema() {
  let headers;
  try { headers = requestHeaders("application/graphql-response+json, application/json"); } catch (e) { headers = { "Content-Type": "application/json", "Apollo-Require-Preflight": "true" }; }
  delete headers[planHeader];
  fetch(endpoint, { method: "POST", headers, body: JSON.stringify({ query: INTROSPECTION, operationName: "PlaygroundIntrospection" }) })
    .then((res) => res.json())
    .then((json) => {
      if (!json.data || !json.data.__schema) { throw new Error(json.errors && json.errors[0] ? json.errors[0].message : "no schema in the answer"); }
      schema = new Schema(json.data.__schema);
      explorer.setSchema(schema);
      editor.refresh();
      $("schema-state").textContent = "schema loaded";
      $("schema-state").className = "ok";
    })
    .catch((e) => {
      schema = null;
      explorer.setError("The schema could not be loaded (" + e.message + "); completion and validation against it are off. Is introspection enabled?");
      $("schema-state").textContent = "no schema";
      $("schema-state").className = "error";
    });
}

$("run").addEventListener("click", run);
$("stop").addEventListener("click", stop);
$("prettify").addEventListener("click", prettify);
$("docs-toggle").addEventListener("click", () => toggle("docs"));
$("history-toggle").addEventListener("click", () => toggle("history"));
$("history-clear").addEventListener("click", () => { save("history", "[]"); renderHistory(); });
$("schema-state").addEventListener("click", loadSchema);
document.addEventListener("keydown", (e) => {
  const mod = e.ctrlKey || e.metaKey;
  if (mod && e.key === "Enter") { e.preventDefault(); run(); }
  else if (mod && e.shiftKey && (e.key === "P" || e.key === "p")) { e.preventDefault(); prettify(); }
  else if (e.key === "Escape" && running && !e.defaultPrevented) { stop(); }
});
if (planHeader) { showPlan(null, planEnabled ? "Run an operation to see its query plan." : undefined); }
loadSchema();
