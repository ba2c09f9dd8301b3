// The WCAG 2.1 AA checks a browser can make on a rendered page (docs/accessibility.md), run by PageAudit.cs.
// Returns one sentence per failure, naming the element, so a failing test says what to fix.
() => {
  const failures = [];
  const describe = e => `<${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className && typeof e.className === "string" ? "." + e.className.trim().replace(/\s+/g, ".") : ""}> "${(e.innerText || e.value || "").trim().slice(0, 40)}"`;
  // checkVisibility also sees the inside of a closed <details>, which still has boxes in Chromium.
  const rendered = e => e.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true });
  const visuallyHidden = e => { const r = e.getBoundingClientRect(); return r.width <= 1 && r.height <= 1; };

  // 1.3.1, 3.1.1: the page says its language and has one main heading.
  if (!document.documentElement.lang) failures.push("<html> has no lang attribute");
  const h1s = document.querySelectorAll("h1").length;
  if (h1s !== 1) failures.push(`the page has ${h1s} h1 headings, not one`);

  // 1.1.1: images have a text alternative (alt="" marks a decorative one).
  for (const img of document.querySelectorAll("img:not([alt]), input[type=image]:not([alt])")) failures.push(`${describe(img)} has no alt`);

  // 4.1.2, 2.4.4: every control and link has an accessible name.
  const byIds = ids => ids.split(/\s+/).map(id => document.getElementById(id)?.textContent ?? "").join(" ");
  const nameOf = e => {
    const parts = [e.getAttribute("aria-label"), e.getAttribute("aria-labelledby") && byIds(e.getAttribute("aria-labelledby"))];
    if (e.labels) parts.push(...[...e.labels].map(l => l.textContent));
    if (["BUTTON", "A", "SUMMARY"].includes(e.tagName)) parts.push(e.textContent, ...[...e.querySelectorAll("img[alt]")].map(i => i.alt));
    if (e.tagName === "INPUT" && ["submit", "button", "reset"].includes(e.type)) parts.push(e.value);
    parts.push(e.getAttribute("title"));
    return parts.filter(p => p && p.trim()).join(" ").trim();
  };
  for (const e of document.querySelectorAll("input:not([type=hidden]), select, textarea, button, a[href], summary")) {
    if (!nameOf(e)) failures.push(`${describe(e)} has no accessible name`);
  }

  // 4.1.1: ids are unique, or a label may name the wrong control.
  const seen = new Set();
  for (const e of document.querySelectorAll("[id]")) {
    if (seen.has(e.id)) failures.push(`the id ${e.id} is used twice`);
    seen.add(e.id);
  }

  // 1.4.3, 1.4.11: contrast of text against what is really behind it, and of form controls' borders.
  const parse = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null; const [r, g, b, a] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number); return { r, g, b, a: a ?? 1 }; };
  const over = (top, bottom) => ({ r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a), b: top.b * top.a + bottom.b * (1 - top.a), a: 1 });
  const background = e => {
    const layers = [];
    for (let n = e; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    return layers.reverse().reduce((under, layer) => over(layer, under), { r: 255, g: 255, b: 255, a: 1 });
  };
  const luminance = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const ratio = (a, b) => { const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x); return (l1 + 0.05) / (l2 + 0.05); };
  const hex = c => "#" + [c.r, c.g, c.b].map(v => Math.round(v).toString(16).padStart(2, "0")).join("");
  let checked = 0;
  for (const e of document.body.querySelectorAll("*")) {
    const ownText = [...e.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim()) || ["INPUT", "SELECT", "TEXTAREA"].includes(e.tagName);
    // Disabled controls are exempt (1.4.3: "part of an inactive user interface component").
    if (!ownText || !rendered(e) || visuallyHidden(e) || e.closest(":disabled") || ["SCRIPT", "STYLE"].includes(e.tagName)) continue;
    if (e.tagName === "INPUT" && ["checkbox", "radio", "hidden", "file"].includes(e.type)) continue;
    const style = getComputedStyle(e);
    const back = background(e);
    const fore = over(parse(style.color), back);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const large = size >= 24 || (size >= 18.66 && bold);
    const got = ratio(fore, back), need = large ? 3 : 4.5;
    checked++;
    if (got < need) failures.push(`${describe(e)}: text ${hex(fore)} on ${hex(back)} is ${got.toFixed(2)}:1, needs ${need}:1`);
    if (["INPUT", "SELECT", "TEXTAREA"].includes(e.tagName)) {
      const border = parse(style.borderTopColor), outside = background(e.parentElement);
      if (border && parseFloat(style.borderTopWidth) > 0 && ratio(over(border, outside), outside) < 3) {
        failures.push(`${describe(e)}: border ${hex(border)} on ${hex(outside)} is ${ratio(over(border, outside), outside).toFixed(2)}:1, needs 3:1`);
      }
    }
  }
  if (checked === 0) failures.push("no text was found to check the contrast of");

  // 1.4.1: whatever is painted in a status colour (errors, stopped or failed turns, a backend's state, confirmations,
  // a job still reading the turn) also says it in words, so the colour is never the only sign.
  const root = getComputedStyle(document.documentElement);
  const statusColours = ["--bad", "--good", "--focus"].map(v => root.getPropertyValue(v).trim()).map(h => `rgb(${parseInt(h.slice(1, 3), 16)}, ${parseInt(h.slice(3, 5), 16)}, ${parseInt(h.slice(5, 7), 16)})`);
  for (const e of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(e);
    const painted = statusColours.includes(style.color) || statusColours.includes(style.backgroundColor)
      || (parseFloat(style.borderLeftWidth) > 0 && statusColours.includes(style.borderLeftColor));
    if (painted && rendered(e) && !(e.innerText || e.getAttribute("aria-label") || "").trim()) failures.push(`${describe(e)} is marked by colour with no words`);
  }
  return failures;
}
