// The page: chooses the dataset, agency and file, hands them to the worker, and shows what it found
// in the refusal report's words. No rule is written here: the plan (rules.js) and the worker run them.
(function () {
  "use strict";
  var plans = self.PREFLIGHT_PLANS;
  var form = document.getElementById("check-form");
  var datasetSelect = document.getElementById("dataset");
  var agencySelect = document.getElementById("agency");
  var fileInput = document.getElementById("file");
  var button = document.getElementById("check-button");
  var status = document.getElementById("status");
  var progress = document.getElementById("progress");
  var result = document.getElementById("result");
  var worker = null;
  var ready = null;
  var pending = null;
  // Each bidirectional control, as the refusal report writes it out and names it (rules.js, from assets/bidi_controls.py).
  var controls = self.PREFLIGHT_BIDI_CONTROLS;
  var controlPattern = new RegExp("[" + Object.keys(controls).join("") + "]", "g");
  var controlsFound = {};

  // Text from the file or its name with each bidirectional control written out, never obeyed.
  function visible(text) {
    return String(text).replace(controlPattern, function (c) { controlsFound[c] = true; return controls[c].shown; });
  }

  function el(tag, text, attributes) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = visible(text);
    Object.keys(attributes || {}).forEach(function (k) { node.setAttribute(k, attributes[k]); });
    return node;
  }
  function thousands(n) { return Number(n).toLocaleString("en-GB"); }
  function say(text) { status.textContent = visible(text); }

  function fillAgencies() {
    var plan = plans[datasetSelect.value];
    var typed = !plan.agencies.length;  // agencies named by a pattern: the code is typed
    agencySelect.hidden = typed;
    document.getElementById("agency-code").hidden = !typed;
    document.querySelector("label[for=agency]").htmlFor = typed ? "agency-code" : "agency";
    agencySelect.textContent = "";
    plan.agencies.forEach(function (a) {
      agencySelect.appendChild(el("option", a.name === a.code ? a.code : a.name + " (" + a.code + ")", { value: a.code }));
    });
    document.getElementById("agency-hint").textContent = "The agency must be " + plan.agency_rule + ". Files are named " + plan.file_name + ", the period written like " + plan.period_example + ".";
    guessAgency();
  }

  function guessAgency() {
    var file = fileInput.files && fileInput.files[0];
    if (!file) return;
    var plan = plans[datasetSelect.value];
    plan.agencies.forEach(function (a) {
      if (file.name.indexOf(plan.dataset + "_" + a.code + "_") === 0) agencySelect.value = a.code;
    });
  }

  function startEngine() {
    if (ready) return ready;
    ready = new Promise(function (resolve, reject) {
      worker = new Worker(URL.createObjectURL(new Blob([self.PREFLIGHT_WORKER_SOURCE], { type: "text/javascript" })));
      var encoded = atob(self.PREFLIGHT_ENGINE_GZIP_BASE64);
      var bytes = new Uint8Array(encoded.length);
      for (var i = 0; i < encoded.length; i++) bytes[i] = encoded.charCodeAt(i);
      worker.onmessage = function (event) {
        var m = event.data;
        if (m.type === "ready") resolve();
        else if (m.type === "progress") { progress.max = m.total; progress.value = m.done; }
        else if (m.type === "result" && pending) { pending.resolve(m); pending = null; }
        else if (m.type === "error") { if (pending) { pending.reject(new Error(m.message)); pending = null; } else reject(new Error(m.message)); }
      };
      worker.onerror = function (event) { reject(new Error(event.message)); };
      worker.postMessage({ type: "start", wasm: bytes }, [bytes.buffer]);
    });
    return ready;
  }

  function check(file, dataset, agency) {
    return startEngine().then(function () {
      return new Promise(function (resolve, reject) {
        pending = { resolve: resolve, reject: reject };
        worker.postMessage({ type: "check", plan: plans[dataset], file: file, name: file.name, agency: agency });
      });
    });
  }

  function rowsText(p) {
    if (p.rows_affected > p.rows.length) return "Rows affected: " + thousands(p.rows_affected) + "; the first " + p.rows.length + " are " + p.rows.join(", ") + ".";
    return (p.rows.length > 1 ? "Rows: " : "Row: ") + p.rows.join(", ") + ".";
  }

  function showProblem(parent, p, number, headingLevel) {
    var section = el("section", null, { "class": p.blocking ? "problem" : "problem warning" });
    section.appendChild(el("h" + headingLevel, number + ". " + p.message));
    if (p.columns.length) section.appendChild(el("p", (p.columns.length > 1 ? "Columns: " : "Column: ") + p.columns.join(", ")));
    if (p.rows.length) section.appendChild(el("p", rowsText(p)));
    if (p.examples.length) {
      var table = el("table");
      table.appendChild(el("caption", "Values found" + (p.masked ? " (masked)" : "")));
      var head = el("thead"); var hr = el("tr"); hr.appendChild(el("th", "Example", { scope: "col" })); head.appendChild(hr); table.appendChild(head);
      var body = el("tbody");
      p.examples.forEach(function (x) { var tr = el("tr"); var td = el("td"); td.appendChild(el("code", x)); tr.appendChild(td); body.appendChild(tr); });
      table.appendChild(body);
      section.appendChild(table);
    }
    if (p.fix) { var fix = el("p", null, { "class": "fix" }); fix.appendChild(el("strong", "How to fix it:")); fix.appendChild(document.createTextNode(" " + visible(p.fix))); section.appendChild(fix); }
    parent.appendChild(section);
  }

  function render(found, file, plan, agency) {
    result.textContent = "";
    controlsFound = {};
    var blocking = found.problems.filter(function (p) { return p.blocking; });
    var warnings = found.problems.filter(function (p) { return !p.blocking; });
    var verdict;
    if (blocking.length) {
      verdict = "Your file would be refused";
      result.dataset.verdict = "refused";
    } else {
      verdict = "Accepted: " + file.name + " meets data contract " + plan.dataset + " " + (found.version || "v" + plan.version) + " (" + thousands(found.rows) + " rows).";
      result.dataset.verdict = "accepted";
    }
    var heading = el("h2", verdict, { id: "verdict", tabindex: "-1" });
    result.appendChild(heading);
    if (blocking.length) {
      result.appendChild(el("p", null)).appendChild(el("code", file.name));
      result.appendChild(el("p", plan.partial_loads));
      result.appendChild(el("h3", "What must be fixed (" + blocking.length + ")"));
      blocking.forEach(function (p, i) { showProblem(result, p, i + 1, 4); });
    }
    if (warnings.length) {
      result.appendChild(el("h3", "Warnings (" + warnings.length + ")"));
      result.appendChild(el("p", "These would not stop the file on their own; they are recorded with it."));
      warnings.forEach(function (p, i) { showProblem(result, p, i + 1, 4); });
    }
    if (blocking.length) {
      result.appendChild(el("h3", "When you have fixed it"));
      result.appendChild(el("p", plan.resend.split("<agency>").join(agency)));
    }
    var named = Object.keys(controlsFound).sort().map(function (c) { return controls[c].named; });
    if (named.length) result.insertBefore(el("p", plan.hidden_characters.split("{named}").join(named.join("; "))), result.querySelector("h3"));
    result.appendChild(el("p", "Checked in " + (found.ms / 1000).toFixed(1) + " s on this computer. Nothing was sent, loaded or kept.", { "class": "small" }));
    heading.focus();
  }

  datasetSelect.addEventListener("change", fillAgencies);
  fileInput.addEventListener("change", guessAgency);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = fileInput.files && fileInput.files[0];
    if (!file) { say("Choose a file first."); fileInput.focus(); return; }
    var plan = plans[datasetSelect.value];
    var agency = plan.agencies.length ? agencySelect.value : document.getElementById("agency-code").value.trim();
    if (!agency) { say("Give your agency's code first."); document.getElementById("agency-code").focus(); return; }
    button.disabled = true;
    progress.hidden = false;
    progress.removeAttribute("value");
    say("Checking " + file.name + " on this computer…");
    result.textContent = "";
    delete result.dataset.verdict;
    check(file, plan.dataset, agency).then(function (found) {
      self.preflightLastResult = found;
      render(found, file, plan, agency);
      say("Checked " + file.name + ".");
    }, function (error) {
      self.preflightLastResult = { error: String(error.message || error) };
      result.dataset.verdict = "error";
      result.appendChild(el("h2", "The check could not finish", { id: "verdict", tabindex: "-1" }));
      result.appendChild(el("p", String(error.message || error)));
      document.getElementById("verdict").focus();
      say("The check could not finish.");
    }).then(function () { button.disabled = false; progress.hidden = true; });
  });

  Object.keys(plans).sort().forEach(function (id) {
    datasetSelect.appendChild(el("option", plans[id].name + " (" + id + ")", { value: id }));
  });
  fillAgencies();
  document.getElementById("checker").hidden = false;
  say("Loading the checker…");
  startEngine().then(function () { say("Ready. Choose the dataset, your agency and the file, then press Check the file."); document.body.dataset.ready = "yes"; },
    function (error) { say("The checker could not start in this browser: " + error.message); document.body.dataset.ready = "failed"; });
})();
