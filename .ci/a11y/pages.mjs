// axe-core's WCAG 2.1 A/AA and best-practice rules on the dashboard's
// pages, in Debian's chromium, on a desktop and on a phone, every table
// open: any violation fails. Usage: node pages.mjs http://127.0.0.1:PORT ID
import fs from "node:fs";
import puppeteer from "puppeteer-core";

const [base, id] = process.argv.slice(2);
const axe = fs.readFileSync(new URL("./node_modules/axe-core/axe.min.js", import.meta.url), "utf8");
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage();
const pages = ["/?lang=en", "/?lang=fr", "/?lang=km", "/?lang=zh", `/commitments/${id}`, "/commitments/not-one"];
let violations = 0;
for (const [width, height] of [[1366, 900], [390, 844]]) {
  await page.setViewport({ width, height });
  for (const path of pages) {
    await page.goto(base + path, { waitUntil: "networkidle0" });
    await page.waitForFunction(() => document.getElementById("app")?.getAttribute("aria-busy") === "false");
    await page.evaluate(() => document.querySelectorAll("details").forEach((d) => { d.open = true; }));
    await page.evaluate(axe);
    const found = await page.evaluate(async () => (await axe.run(document, {
      runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    })).violations);
    for (const v of found) {
      console.log(`${width}px ${path}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
    }
    violations += found.length;
  }
}
await browser.close();
console.log(violations ? `${violations} accessibility violations` : `no accessibility violation on ${pages.length * 2} pages`);
process.exit(violations ? 1 : 0);
