// axe-core's WCAG 2.2 A and AA rules over pages of the evidence pack, in the system Chromium.
// Usage: node check.js <chromium> <page.html>...
// Prints one line per violation ("page: rule (impact): help; targets") and a summary; exits 1
// if any page has a violation, 2 if a page could not be checked.
const fs = require("fs");
const path = require("path");
const puppeteer = require("puppeteer-core");

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

async function main() {
  const [browserPath, ...pages] = process.argv.slice(2);
  if (!browserPath || pages.length === 0) {
    console.error("usage: node check.js <chromium> <page.html>...");
    process.exit(2);
  }
  // A browser named without a path ("chromium") is looked up on PATH, as a shell would.
  const executablePath = path.isAbsolute(browserPath)
    ? browserPath
    : require("child_process").execFileSync("sh", ["-c", 'command -v "$0"', browserPath]).toString().trim();
  const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  let violations = 0;
  try {
    for (const file of pages) {
      const page = await browser.newPage();
      await page.goto("file://" + path.resolve(file), { waitUntil: "load" });
      await page.evaluate(axeSource);
      const result = await page.evaluate(
        (tags) => axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
        TAGS,
      );
      for (const v of result.violations) {
        violations += 1;
        const targets = v.nodes.slice(0, 5).map((n) => n.target.join(" ")).join(", ");
        console.log(`${path.basename(file)}: ${v.id} (${v.impact}): ${v.help}; ${v.nodes.length} element(s): ${targets}`);
      }
      console.log(`${path.basename(file)}: ${result.violations.length} violation(s), ${result.passes ? result.passes.length : 0} rule(s) passed`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  process.exit(violations > 0 ? 1 : 0);
}

main().catch((e) => {
  console.error(String(e && e.stack ? e.stack : e));
  process.exit(2);
});
