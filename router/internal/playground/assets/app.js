// A small GraphQL playground for the router: it keeps the operation,
// variables and credentials in localStorage and POSTs JSON to the endpoint.
// The JSON content type passes the router's CSRF rule on its own;
// apollo-require-preflight goes along so that the page keeps passing it if
// the content type is ever changed.
(function () {
  "use strict";
  var endpoint = document.body.getAttribute("data-endpoint") || "/graphql";
  var $ = function (id) { return document.getElementById(id); };
  var fields = { query: $("query"), variables: $("variables"), auth: $("auth"), apikey: $("apikey") };
  var store = window.localStorage;

  Object.keys(fields).forEach(function (k) {
    var saved = store && store.getItem("playground." + k);
    if (saved !== null && saved !== undefined) { fields[k].value = saved; }
    fields[k].addEventListener("input", function () {
      if (store) { store.setItem("playground." + k, fields[k].value); }
    });
  });

  function setStatus(text, isError) {
    var s = $("status");
    s.textContent = text;
    s.className = isError ? "error" : "";
  }

  function headers() {
    var h = {
      "Content-Type": "application/json",
      "Accept": "application/graphql-response+json, application/json",
      "Apollo-Require-Preflight": "true"
    };
    if (fields.auth.value.trim()) { h["Authorization"] = fields.auth.value.trim(); }
    if (fields.apikey.value.trim()) { h["x-api-key"] = fields.apikey.value.trim(); }
    return h;
  }

  function operationName(query) {
    var m = /^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/m.exec(query);
    return m ? m[1] : undefined;
  }

  function post(body) {
    return fetch(endpoint, { method: "POST", headers: headers(), body: JSON.stringify(body) })
      .then(function (res) {
        return res.text().then(function (text) { return { status: res.status, text: text }; });
      });
  }

  function run() {
    var vars;
    var rawVars = fields.variables.value.trim();
    if (rawVars) {
      try { vars = JSON.parse(rawVars); } catch (e) { setStatus("Variables are not valid JSON: " + e.message, true); return; }
    }
    var query = fields.query.value;
    var started = performance.now();
    $("run").disabled = true;
    setStatus("Running…");
    post({ query: query, operationName: operationName(query), variables: vars })
      .then(function (r) {
        var ms = Math.round(performance.now() - started);
        var out = r.text;
        try { out = JSON.stringify(JSON.parse(r.text), null, 2); } catch (e) { /* show the raw body */ }
        $("result").textContent = out;
        setStatus("HTTP " + r.status + " in " + ms + " ms", r.status >= 400 || /"errors"\s*:/.test(r.text));
      })
      .catch(function (e) { setStatus("Request failed: " + e.message, true); })
      .then(function () { $("run").disabled = false; });
  }

  function loadSchema() {
    var q = "query PlaygroundSchema { __schema { queryType { fields { name } } mutationType { fields { name } } subscriptionType { fields { name } } } }";
    post({ query: q, operationName: "PlaygroundSchema" }).then(function (r) {
      var data;
      try { data = JSON.parse(r.text).data.__schema; } catch (e) { return; }
      var list = $("schema");
      list.textContent = "";
      [["query", data.queryType], ["mutation", data.mutationType], ["subscription", data.subscriptionType]].forEach(function (p) {
        if (!p[1]) { return; }
        p[1].fields.forEach(function (f) {
          var li = document.createElement("li");
          li.textContent = p[0] + " " + f.name;
          li.addEventListener("click", function () {
            fields.query.value = p[0] + " {\n  " + f.name + "\n}\n";
          });
          list.appendChild(li);
        });
      });
    }).catch(function () { /* introspection may be disabled */ });
  }

  $("run").addEventListener("click", run);
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); run(); }
  });
  loadSchema();
})();
