// Reads a return the intake reads but that is not UTF-8, comma-separated text, into such text, as
// assets/ingest/reading.py and workbooks.py do: a workbook with SheetJS (bundled), a file separated by
// semicolons or tabs with the delimiter the plan's SQL chose, a file in Windows-1252 when each byte's
// reading fits (the plan holds each byte's character and fit, from reading._misfit). Its refusals are the intake's own sentences,
// templates in the plan (plan.reading) with their slots in braces; what the cells become is workbooks._text.
(function () {
  "use strict";

  function fill(template, slots) {
    var problem = Object.assign({}, template);
    Object.keys(slots).forEach(function (slot) {
      problem.message = problem.message.split("{" + slot + "}").join(slots[slot]);
      problem.fix = problem.fix.split("{" + slot + "}").join(slots[slot]);
    });
    return problem;
  }
  function thousands(n) { return Number(n).toLocaleString("en-GB"); }

  // Python's repr() of a string, as the intake's sentences show a sheet's name.
  function pyRepr(s) {
    var quote = s.indexOf("'") >= 0 && s.indexOf('"') < 0 ? '"' : "'";
    var out = "";
    Array.from(s).forEach(function (ch) {
      var code = ch.codePointAt(0);
      var hex = function (width) { return code.toString(16).padStart(width, "0"); };
      if (ch === "\\" || ch === quote) out += "\\" + ch;
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (ch === "\t") out += "\\t";
      else if (ch !== " " && /[\p{C}\p{Z}]/u.test(ch)) out += code < 0x100 ? "\\x" + hex(2) : code < 0x10000 ? "\\u" + hex(4) : "\\U" + hex(8);
      else out += ch;
    });
    return quote + out + quote;
  }

  // Python's csv.writer (QUOTE_MINIMAL) of one row.
  function csvRow(fields) {
    if (fields.length === 1 && fields[0] === "") return '""';
    return fields.map(function (f) { return /[",\r\n]/.test(f) ? '"' + f.replace(/"/g, '""') + '"' : f; }).join(",");
  }

  // --- a workbook -------------------------------------------------------------------------------
  function plainNumber(n) {
    var s = String(n);
    var m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
    if (!m) return s;
    var digits = m[2] + (m[3] || ""), point = 1 + Number(m[4]);
    if (point <= 0) return m[1] + "0." + "0".repeat(-point) + digits;
    if (point >= digits.length) return m[1] + digits + "0".repeat(point - digits.length);
    return m[1] + digits.slice(0, point) + "." + digits.slice(point);
  }
  function isoDay(epoch, days) {
    var d = new Date(Date.parse(epoch + "T00:00:00Z") + days * 86400000);
    return d.toISOString().slice(0, 10);
  }
  function serialText(serial, epoch) {
    var day = Math.floor(serial), fraction = serial - day;
    if (fraction === 0) return isoDay(epoch, day);
    var at = new Date(Date.parse(epoch + "T00:00:00Z") + day * 86400000 + Math.round(fraction * 86400) * 1000);
    return at.toISOString().slice(0, 19).replace("T", " ");
  }
  // workbooks._text: a cell as the contract's text.
  function cellText(cell, kind, epoch, reading) {
    if (!cell || cell.v === undefined || cell.v === null || cell.t === "z") return "";
    if (cell.t === "s" || cell.t === "str") return String(cell.v);
    if (cell.t === "b") return cell.v ? "TRUE" : "FALSE";
    if (cell.t !== "n") return String(cell.v);
    var number = cell.v;
    var dateCell = cell.z && self.XLSX.SSF.is_date(cell.z);
    if (dateCell && number < 1 && number >= 0) return serialText(number + 1, epoch).slice(11);  // a time of day
    if ((dateCell || kind === "date") && number >= 1 && number <= reading.last_serial) return serialText(number, epoch);
    if (Number.isInteger(number) && Math.abs(number) < Math.pow(2, 53)) return String(number);
    return plainNumber(number);
  }

  function filled(cell) { return cell && cell.v !== undefined && cell.v !== null && cell.v !== "" && cell.t !== "z"; }

  // workbooks.read_workbook: the sheet as CSV text, or the problem that refuses it.
  function workbook(bytes, suffix, reading) {
    var book;
    // .xlsx and .ods are ZIP archives, and calamine opens nothing else; SheetJS would read any other bytes as text.
    if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) return { problem: fill(reading.workbooks[suffix].unopenable, { error: "SheetJS: not opened, as the file is not a ZIP archive" }) };
    try {
      book = self.XLSX.read(bytes, { type: "array", cellFormula: true, cellNF: true, cellDates: false, cellText: false });
    } catch (error) {
      return { problem: fill(reading.workbooks[suffix].unopenable, { error: "SheetJS: " + String((error && error.message) || error).slice(0, 200) }) };
    }
    var names = book.SheetNames;
    if (reading.sheet !== null && names.indexOf(reading.sheet) < 0) return { problem: fill(reading.no_such_sheet, { names: names.map(pyRepr).join(", ") }) };
    var meta = (book.Workbook && book.Workbook.Sheets) || [];
    var name = reading.sheet !== null ? reading.sheet : (names.filter(function (n, i) { return !(meta[i] && meta[i].Hidden); })[0] || names[0]);
    if (name === undefined) return { problem: Object.assign({}, reading.no_worksheet) };
    var sheet = book.Sheets[name];
    var range = sheet["!ref"] ? self.XLSX.utils.decode_range(sheet["!ref"]) : { e: { r: -1, c: -1 } };
    var rows = [];
    var formulas = [], errors = [], count = 0;
    for (var r = 0; r <= range.e.r; r++) {
      var row = [];
      for (var c = 0; c <= range.e.c; c++) {
        var ref = self.XLSX.utils.encode_cell({ r: r, c: c });
        var cell = sheet[ref];
        if (cell && (cell.f || cell.t === "e")) {
          count += 1;
          var listed = cell.f ? formulas : errors;
          if (listed.length < reading.formulas.listed) listed.push(ref);
        }
        row.push(cell);
      }
      rows.push(row);
    }
    if (count) {
      var cells = formulas.concat(errors);
      var kind = formulas.length && errors.length ? "both" : formulas.length ? "formulas" : "errors";
      var problem = fill(reading.formulas[kind], {
        sheet: pyRepr(name), count: thousands(count), formulas: formulas.join(", "), errors: errors.join(", "),
        more: count > cells.length ? reading.formulas.more.replace("{n}", thousands(count - cells.length)) : "",
      });
      var numbers = {};
      cells.forEach(function (c) { var n = Number(c.replace(/[A-Z]+/, "")) - 1; if (n > 0) numbers[n] = true; });
      problem.rows = Object.keys(numbers).map(Number).sort(function (a, b) { return a - b; });
      problem.rows_affected = count;
      problem.examples = cells;
      return { problem: problem };
    }
    var last = rows.length;
    while (last && !rows[last - 1].some(filled)) last -= 1;
    if (!last) return { problem: fill(reading.empty_sheet, { sheet: pyRepr(name) }) };
    var epoch = suffix === ".xlsx" && book.Workbook && book.Workbook.WBProps && book.Workbook.WBProps.date1904 ? reading.epochs["1904"] : reading.epochs.excel;
    var header = rows[0].map(function (cell) { return cellText(cell, "string", epoch, reading); });
    var width = header.length;
    while (width && !header[width - 1].trim()) width -= 1;
    var kinds = header.slice(0, width).map(function (h) { return reading.kinds[h.trim().toLowerCase()] || "string"; });
    var lines = [csvRow(header.slice(0, width))];
    for (var i = 1; i < last; i++) {
      var end = width;
      rows[i].forEach(function (cell, k) { if (filled(cell)) end = Math.max(end, k + 1); });
      var fields = [];
      for (var k = 0; k < end; k++) fields.push(cellText(rows[i][k], k < width ? kinds[k] : "string", epoch, reading));
      lines.push(csvRow(fields));
    }
    return { text: lines.join("\n") + "\n" };
  }

  // --- a file separated by semicolons or tabs (reading._write_utf8_commas) ----------------------
  function separated(text, delimiter, reading) {
    var ending = (/\r\n|\r|\n/.exec(text) || ["\n"])[0];
    var out = [], row = [], field = "", i = 0, quoted = false, afterQuote = false, atStart = true;
    function endField() { row.push(field); field = ""; atStart = true; afterQuote = false; }
    function error(words) { return { problem: fill(reading.separated[delimiter], { error: words }) }; }
    while (i < text.length) {
      var ch = text[i];
      if (quoted) {
        if (ch === '"') {
          if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
          quoted = false; afterQuote = true; i += 1; continue;
        }
        field += ch; i += 1; continue;
      }
      if (ch === delimiter) { endField(); i += 1; continue; }
      if (ch === "\r" || ch === "\n") {
        if (!(row.length === 0 && atStart && field === "" && !afterQuote)) endField();
        out.push(csvRow(row)); row = [];
        i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
        continue;
      }
      if (afterQuote) return error("'" + delimiter + "' expected after '\"'");  // Python's csv module's words
      if (ch === '"' && atStart) { quoted = true; atStart = false; i += 1; continue; }
      field += ch; atStart = false; i += 1;
    }
    if (quoted) return error("unexpected end of data");
    if (row.length || field !== "" || afterQuote) { endField(); out.push(csvRow(row)); }
    var ends = /[\r\n]$/.test(text);
    return { text: out.join(ending) + (ends ? ending : "") };
  }

  // --- a file that is not UTF-8 (reading.text_encoding): Windows-1252 when that reading is unambiguous --------
  function encoding(bytes, reading) {
    var enc = reading.encoding;
    var utf8 = new TextDecoder("utf-8", { fatal: true });
    try { utf8.decode(bytes, { stream: true }); } catch (notUtf8) { return singleByte(bytes, enc); }
    try { utf8.decode(); } catch (cutShort) { return { problem: Object.assign({}, enc.ends_part_way) }; }
    return { text: new TextDecoder("utf-8").decode(bytes) };
  }

  function hexOf(data) { return Array.from(data, function (b) { return b.toString(16).toUpperCase().padStart(2, "0"); }).join(" "); }

  function singleByte(bytes, enc) {
    var kept = { undefined: [], utf8: [], single_byte: [], misfits: [] };
    var counts = { undefined: 0, utf8: 0, single_byte: 0, misfits: 0 };
    function add(kind, offset, line, data, reads) {
      counts[kind] += 1;
      if (kept[kind].length >= enc.listed.kept) return;
      var form = enc.bytes[data.length === 1 ? 0 : 1];
      kept[kind].push(fill({ message: form, fix: "" }, {
        offset: thousands(offset), end: thousands(offset + data.length - 1), line: thousands(line), hex: hexOf(data), reads: reads,
      }).message);
    }
    function cp1252(run) { return "'" + Array.from(run, function (b) { return enc.reprs[b]; }).join("") + "'"; }
    var line = 1;
    for (var i = 0; i < bytes.length;) {
      if (bytes[i] < 0x80) { if (bytes[i] === 0x0a) line += 1; i += 1; continue; }
      var start = i;
      while (i < bytes.length && bytes[i] >= 0x80) i += 1;
      var run = bytes.subarray(start, i);
      var undefinedAt = [];
      run.forEach(function (b, k) { if (enc.undefined.indexOf(b) >= 0) undefinedAt.push(k); });
      if (undefinedAt.length) {
        undefinedAt.forEach(function (k) { add("undefined", start + k, line, run.subarray(k, k + 1), enc.neither); });
        continue;
      }
      var asUtf8 = null;
      try { asUtf8 = new TextDecoder("utf-8", { fatal: true }).decode(run); } catch (notUtf8) { asUtf8 = null; }
      if (asUtf8 !== null) { add("utf8", start, line, run, fill({ message: enc.utf8_reads, fix: "" }, { utf8: pyRepr(asUtf8), cp1252: cp1252(run) }).message); continue; }
      add("single_byte", start, line, run, fill({ message: enc.single_byte_reads, fix: "" }, { cp1252: cp1252(run) }).message);
      var before = start > 0 ? enc.kinds[bytes[start - 1]] : "O", after = i < bytes.length ? enc.kinds[bytes[i]] : "O";
      for (var k = 0; k < run.length; k++) {
        var b = run[k], fit = enc.misfits[b];
        var why = fit.why[(k === 0 ? before : enc.kinds[run[k - 1]]) + (k === run.length - 1 ? after : enc.kinds[run[k + 1]])];
        if (why) add("misfits", start + k, line, run.subarray(k, k + 1), fit.named + ", " + why);
      }
    }
    function listed(kind) {
      var more = counts[kind] > kept[kind].length ? enc.listed.more.replace("{n}", thousands(counts[kind] - kept[kind].length)) : "";
      return kept[kind].slice(0, enc.listed.shown).join(enc.listed.joined) + more;
    }
    function slots(kinds) {
      var out = { guess: enc.guess };
      kinds.forEach(function (kind) { out[kind + "_listed"] = listed(kind); out[kind + "_count"] = thousands(counts[kind]); });
      return out;
    }
    var problem = null;
    if (counts.undefined) problem = Object.assign(fill(enc.undefined_problem, slots(["undefined"])), { examples: kept.undefined });
    else if (counts.utf8 && counts.single_byte) problem = Object.assign(fill(enc.mixed_problem, slots(["utf8", "single_byte"])), { examples: kept.utf8.slice(0, 5).concat(kept.single_byte.slice(0, 5)) });
    else if (counts.misfits) problem = Object.assign(fill(enc.misfits_problem, slots(["misfits"])), { examples: kept.misfits });
    return problem ? { problem: problem } : { text: new TextDecoder("windows-1252").decode(bytes) };
  }

  self.preflightReader = { workbook: workbook, separated: separated, encoding: encoding };
})();
