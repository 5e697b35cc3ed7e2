// Drives the page "Check a file before you send it" in headless Chromium (Debian's, through the pinned
// playwright-core; nothing downloaded): for each case, choose the dataset, agency and file with the
// keyboard-reachable controls, press the button, and read the verdict and the problems found.
// Records every request the page makes, and runs axe-core on the page. Input and output: JSON.
//   node preflight_browser.mjs JOB.json  (prints the results as JSON on stdout)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(new URL("../../package.json", import.meta.url));
const { chromium } = require("playwright-core");
const job = JSON.parse(readFileSync(process.argv[2], "utf8"));
const browser = await chromium.launch({ executablePath: job.chromium, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
const out = { requests: [], cases: [], console: [] };
try {
  const page = await browser.newPage();
  page.on("request", (r) => out.requests.push(r.url().slice(0, 200)));
  page.on("console", (m) => { if (m.type() === "error") out.console.push(m.text()); });
  page.on("pageerror", (e) => out.console.push(String(e)));
  const loadStart = Date.now();
  await page.goto(job.url);
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 120000 });
  out.ready = await page.evaluate(() => document.body.dataset.ready);
  out.load_ms = Date.now() - loadStart;
  if (job.keyboard) {
    // Tab from the top: the dataset, agency, file and button are reached in that order.
    const order = [];
    for (let i = 0; i < 6; i++) { await page.keyboard.press("Tab"); order.push(await page.evaluate(() => document.activeElement && document.activeElement.id)); }
    out.tab_order = order;
  }
  for (const c of job.cases) {
    await page.selectOption("#dataset", c.dataset);
    await page.setInputFiles("#file", c.file);
    await page.selectOption("#agency", c.agency);
    const started = Date.now();
    await page.click("#check-button");
    await page.waitForFunction(() => document.getElementById("result").dataset.verdict, null, { timeout: 300000 });
    const ms = Date.now() - started;
    const found = await page.evaluate(() => ({
      verdict: document.getElementById("result").dataset.verdict,
      heading: document.getElementById("verdict").textContent,
      focused: document.activeElement && document.activeElement.id,
      text: document.getElementById("result").innerText,
      result: self.preflightLastResult,
    }));
    out.cases.push({ name: c.name, ms, ...found });
  }
  out.page_text = await page.evaluate(() => document.body.innerText);
  if (job.axe) {
    await page.addScriptTag({ content: readFileSync(job.axe, "utf8") });
    out.axe = await page.evaluate(async () => {
      const r = await axe.run(document, { rules: { "td-has-header": { enabled: true } }, resultTypes: ["violations"] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
    });
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out));
