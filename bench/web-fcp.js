// First contentful paint of web pages in Debian's chromium, signed in with the cookies of a curl cookie jar.
// Run with the node and playwright-core that ship inside the Microsoft.Playwright package (no download):
//   $PW/node/linux-x64/node bench/web-fcp.js BASE JAR PATH... (bench/web-pages.sh does, when the package is there)
// Each page is opened 10 times after one warm-up (the stylesheet then comes from the cache, as for a returning reader).
// The warm-up is a first visit with an empty cache: its transferred bytes (the page and everything it loaded, headers
// included, compressed as sent) are reported too.
const { chromium } = require(process.env.PLAYWRIGHT_PACKAGE);
const fs = require("fs");
const [base, jar, ...paths] = process.argv.slice(2);
// curl writes HttpOnly cookies with a "#HttpOnly_" prefix on the domain column.
const cookies = fs.readFileSync(jar, "utf8").split("\n").filter(l => l.trim() && (!l.startsWith("#") || l.startsWith("#HttpOnly_")))
  .map(l => l.split("\t")).map(([domain, , path, secure, , name, value]) => ({
    name, value, domain: domain.replace("#HttpOnly_", ""), path, secure: secure === "TRUE", httpOnly: domain.startsWith("#HttpOnly_") }));
(async () => {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await context.addCookies(cookies);
  for (const path of paths) {
    const times = [];
    let bytes = 0;
    for (let i = 0; i < 11; i++) {
      const page = await context.newPage();
      await page.goto(base + path, { waitUntil: "load" });
      const fcp = await page.evaluate(() => new Promise(done => {
        const seen = performance.getEntriesByName("first-contentful-paint")[0];
        if (seen) return done(seen.startTime);
        new PerformanceObserver(list => done(list.getEntriesByName("first-contentful-paint")[0].startTime)).observe({ type: "paint", buffered: true });
      }));
      if (i > 0) times.push(fcp);
      else bytes = await page.evaluate(() => [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")]
        .reduce((sum, e) => sum + e.transferSize, 0));
      await page.close();
    }
    times.sort((a, b) => a - b);
    console.log(`${path} first-contentful-paint median ${times[4].toFixed(0)} ms max ${times[9].toFixed(0)} ms; first visit transferred ${(bytes / 1024).toFixed(1)} KB`);
  }
  await browser.close();
})();
