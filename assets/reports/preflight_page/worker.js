// The page's worker: DuckDB-WASM (blocking API, in this worker) runs the plan's steps on the chosen file.
// It knows no rule: every query, sentence and fix comes from the plan (assets/ingest/preflight_plan.py),
// and run_plan there is this loop in Python.
(function () {
  "use strict";
  var duck = self.duckdbBlocking;
  var db = null;
  var checks = 0;

  async function start(gzipped) {
    var stream = new Blob([gzipped]).stream().pipeThrough(new DecompressionStream("gzip"));
    var wasm = await new Response(stream).arrayBuffer();
    var url = URL.createObjectURL(new Blob([wasm], { type: "application/wasm" }));
    var bundle = { mainModule: url, pthreadWorker: null };
    db = await duck.createDuckDB({ mvp: bundle, eh: bundle }, new duck.VoidLogger(), duck.BROWSER_RUNTIME);
    await db.instantiate(function () {});
    db.open({});
  }

  function plain(value) {
    if (typeof value === "bigint") return Number(value);
    if (value && typeof value.toArray === "function") return Array.from(value.toArray(), plain);
    if (Array.isArray(value)) return value.map(plain);
    return value;
  }

  function rowsOf(table) {
    var names = table.schema.fields.map(function (f) { return f.name; });
    return table.toArray().map(function (row) {
      var out = {};
      names.forEach(function (name) { out[name] = plain(row[name]); });
      return out;
    });
  }

  function run(con, sql, params) {
    if (!params || !params.length) return con.query(sql);
    var statement = con.prepare(sql);
    try { return statement.query.apply(statement, params); } finally { statement.close(); }
  }

  // A workbook (by its name), a file not UTF-8, or one the plan's SQL found separated by semicolons or tabs: read by reader.js.
  function readStep(con, step, bytes, name, reading) {
    if (step["do"] === "read_workbook") {
      var suffix = ((/\.[^.]+$/.exec(name) || [""])[0]).toLowerCase();
      return reading.workbooks[suffix] ? self.preflightReader.workbook(bytes, suffix, reading) : null;
    }
    var found = rowsOf(con.query(step.sql));
    if (!found.length) return null;
    if (step["do"] === "read_encoding") return self.preflightReader.encoding(bytes, reading);
    return self.preflightReader.separated(new TextDecoder().decode(bytes), found[0].delimiter, reading);
  }

  async function check(message) {
    var plan = message.plan;
    var bytes = new Uint8Array(await message.file.arrayBuffer());
    checks += 1;
    var schema = "check_" + checks;
    var converted = plan.upload + ".read.csv";  // what the reader made of a workbook or another separator
    db.registerFileBuffer(plan.upload, bytes);
    var con = db.connect();
    var values = { name: message.name, agency: message.agency, path: plan.upload };
    var flags = {};
    var found = {};
    var problems = [];
    var rows = 0;
    var started = performance.now();
    try {
      con.query("ATTACH ':memory:' AS " + schema + "; USE " + schema);
      for (var i = 0; i < plan.steps.length; i++) {
        var step = plan.steps[i];
        if (i % 5 === 0) self.postMessage({ type: "progress", done: i, total: plan.steps.length });
        if (step["if"] && !flags[step["if"]]) continue;
        if (step.group && (step.first || step.if_group_empty) && found[step.group]) continue;
        if (step["do"] === "stop_if_refused") { if (problems.some(function (p) { return p.blocking; })) break; continue; }
        if (step["do"] === "stop_if_no_rows") { if (!rows) break; continue; }
        if (step["do"] === "read_workbook" || step["do"] === "read_encoding" || step["do"] === "convert") {
          var read = readStep(con, step, bytes, message.name, plan.reading);
          if (!read) continue;
          if (read.problem) { problems.push(read.problem); found[step.group] = (found[step.group] || 0) + 1; continue; }
          bytes = new TextEncoder().encode(read.text);
          db.registerFileBuffer(converted, bytes);
          values.path = converted;
          step.then.forEach(function (again) { run(con, again.sql, (again.params || []).map(function (token) { return values[token]; })); });
          continue;
        }
        var params = (step.params || []).map(function (token) { return values[token]; });
        var result;
        try {
          result = run(con, step.sql, params);
        } catch (error) {
          if (step["do"] !== "load") throw error;
          flags.unreadable = true;
          continue;
        }
        if (step["do"] === "values") Object.assign(values, rowsOf(result)[0]);
        else if (step["do"] === "flags") step.names.forEach(function (n, k) { flags[n] = Boolean(result.getChildAt(k).get(0)); });
        else if (step["do"] === "rows") rows = plain(result.getChildAt(0).get(0));
        else if (step["do"] === "problems") {
          rowsOf(result).forEach(function (p) {
            problems.push(p);
            if (step.group) found[step.group] = (found[step.group] || 0) + 1;
          });
        }
      }
    } finally {
      try { con.query("USE memory; DETACH " + schema); } catch (ignored) { /* the next check uses its own schema */ }
      con.close();
      db.dropFile(plan.upload);
      if (values.path === converted) db.dropFile(converted);
    }
    self.postMessage({ type: "result", problems: problems, rows: rows, version: values.contract_version, ms: performance.now() - started });
  }

  self.onmessage = function (event) {
    var message = event.data;
    var job = message.type === "start" ? start(message.wasm).then(function () { self.postMessage({ type: "ready", version: db.getVersion() }); }) : check(message);
    job.catch(function (error) { self.postMessage({ type: "error", message: String((error && error.message) || error) }); });
  };
})();
