// plan.js: shows the router's extensions.queryPlan as an indented tree:
// each node's kind, subgraph and path on one line, its subgraph query
// below it, its children nested. Members it does not know are shown as
// compact JSON, so that no part of the plan is hidden.

const KNOWN = new Set(["kind", "subgraphName", "subgraphId", "fetchId", "dependsOnFetchIds", "path", "query", "children", "fetch", "trigger", "version"]);

export function renderPlan(root, plan) {
  root.textContent = "";
  root.appendChild(node(plan, 0));
}

function line(cls, text) {
  const s = document.createElement("span");
  s.className = cls;
  s.textContent = text;
  return s;
}

function node(v, depth) {
  const box = document.createElement("div");
  box.className = "plan-node";
  if (Array.isArray(v)) {
    v.forEach((c) => box.appendChild(node(c, depth + 1)));
    return box;
  }
  if (v === null || typeof v !== "object") {
    box.appendChild(line("plan-extra", JSON.stringify(v)));
    return box;
  }
  const head = document.createElement("div");
  head.className = "plan-head";
  if (v.kind) { head.appendChild(line("plan-kind", String(v.kind))); }
  if (v.subgraphName) { head.appendChild(line("plan-subgraph", " → " + v.subgraphName)); }
  if (v.fetchId !== undefined) { head.appendChild(line("plan-extra", " #" + v.fetchId)); }
  if (v.dependsOnFetchIds && v.dependsOnFetchIds.length) { head.appendChild(line("plan-extra", " after #" + v.dependsOnFetchIds.join(", #"))); }
  if (v.path) { head.appendChild(line("plan-path", " at " + (Array.isArray(v.path) ? v.path.join(".") : String(v.path)))); }
  const extra = Object.keys(v).filter((k) => !KNOWN.has(k));
  if (extra.length) {
    const o = {};
    extra.forEach((k) => { o[k] = v[k]; });
    head.appendChild(line("plan-extra", " " + JSON.stringify(o)));
  }
  if (head.childNodes.length) { box.appendChild(head); }
  if (typeof v.query === "string") {
    const q = document.createElement("pre");
    q.className = "plan-query";
    q.textContent = v.query;
    box.appendChild(q);
  }
  if (v.trigger) { box.appendChild(node(v.trigger, depth + 1)); }
  if (v.fetch) { box.appendChild(node(v.fetch, depth + 1)); }
  if (v.children) { box.appendChild(node(v.children, depth + 1)); }
  return box;
}
