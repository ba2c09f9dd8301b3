// Draws the PNG icons (favicon, app icons, a maskable icon) and favicon.ico from wwwroot/icons/icon.svg in Debian's
// chromium, so the SVG is the only drawing kept by hand. Run from the repository root with the node and
// playwright-core inside the Microsoft.Playwright package (no download), as bench/web-fcp.js is:
//   PW=$(ls -d ~/.nuget/packages/microsoft.playwright/*/.playwright | tail -n1)
//   PLAYWRIGHT_PACKAGE=$PW/package $PW/node/linux-x64/node scripts/make-icons.js
const { chromium } = require(process.env.PLAYWRIGHT_PACKAGE);
const fs = require("fs");
const dir = "src/StoryEngine.Server/wwwroot/icons";
const svg = fs.readFileSync(`${dir}/icon.svg`, "utf8");
// A maskable icon keeps its drawing inside the middle 80% and fills the rest (the launcher crops it to a shape).
const maskable = svg.replace('rx="14"', 'rx="0"').replace(/<path/, '<g transform="translate(6.4 6.4) scale(.8)"><path').replace("</svg>", "</g></svg>");
const sizes = [["favicon-16.png", 16, svg], ["favicon-32.png", 32, svg], ["apple-touch-icon.png", 180, svg.replace('rx="14"', 'rx="0"')],
  ["icon-192.png", 192, svg], ["icon-512.png", 512, svg], ["icon-maskable-512.png", 512, maskable]];
(async () => {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  for (const [name, size, source] of sizes) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    await page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${source}`);
    fs.writeFileSync(`${dir}/${name}`, await page.screenshot({ omitBackground: true }));
    await page.close();
  }
  await browser.close();
  // favicon.ico: an ICO directory holding the 16 and 32 px PNGs as they are (every browser since 2010 reads PNG in ICO).
  const pngs = [16, 32].map(s => [s, fs.readFileSync(`${dir}/favicon-${s}.png`)]);
  const header = Buffer.alloc(6 + 16 * pngs.length);
  header.writeUInt16LE(1, 2); header.writeUInt16LE(pngs.length, 4);
  let offset = header.length;
  pngs.forEach(([s, png], i) => {
    const e = 6 + 16 * i;
    header.writeUInt8(s, e); header.writeUInt8(s, e + 1); header.writeUInt16LE(1, e + 4); header.writeUInt16LE(32, e + 6);
    header.writeUInt32LE(png.length, e + 8); header.writeUInt32LE(offset, e + 12); offset += png.length;
  });
  fs.writeFileSync("src/StoryEngine.Server/wwwroot/root/favicon.ico", Buffer.concat([header, ...pngs.map(([, png]) => png)]));
  console.log("icons written to", dir);
})();
