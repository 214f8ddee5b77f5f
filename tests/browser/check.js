// Checks kimo pages in headless Chromium at a phone (390×844) and a laptop (1366×768) size, the
// laptop at 200 % zoom (683×384) and at the reflow width of WCAG 1.4.10 (320×640, 400 % zoom):
// axe-core WCAG 2.1 A/AA rules, keyboard use (the first Tab reaches the skip link, which moves focus
// to the main content), and the layout: the page does not scroll sideways (wide tables scroll inside
// a declared container: role="region", an aria-label and tabindex="0"), no SVG text renders under
// 12 screen px or outside its SVG, and no HTML element with hidden overflow cuts its content.
// Usage: [KIMO_COOKIE=name=value] node check.js BASE_URL PATH...   Prints one line per page and
// size; exits 1 on any problem. With KIMO_COOKIE the pages are checked with that session cookie.
const { chromium } = require('playwright-core');
const fs = require('fs');

// Width, height and zoom: a phone and a laptop at 100 %; the laptop at 200 % zoom (683×384 CSS
// px); reflow as WCAG 1.4.10 asks it, 1280 px at 400 % (320 CSS px wide). At a zoom each CSS px is
// that many screen pixels: chart text must reach 12 screen pixels, i.e. 12 / zoom CSS px.
const SIZES = [[320, 640, 4], [390, 844, 1], [683, 384, 2], [1366, 768, 1]];
const MIN_SVG_TEXT_PX = 12;

// Runs in the page: the layout problems, as sentences.
function layoutProblems(minPx) {
  const problems = [];
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.classList.length ? '.' + [...e.classList].join('.') : '');
  const scrolls = (e) => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
  const declared = (e) => e.getAttribute('role') === 'region' && e.hasAttribute('aria-label') &&
    e.getAttribute('tabindex') === '0';
  const inScroller = (e) => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) if (scrolls(p)) return true;
    return false;
  };
  // 1. The page itself does not scroll sideways; name what sticks out.
  const iw = window.innerWidth, sw = document.documentElement.scrollWidth;
  if (sw > iw) {
    const out = [...document.body.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > iw + 0.5);
    const outside = out.filter((e) => !inScroller(e));
    // Nothing sticks out: then text is wider than its box (a long word); name the boxes.
    const spill = outside.length ? outside : [...document.body.querySelectorAll('*')].filter((e) =>
      !(e instanceof SVGElement) && !scrolls(e) && !inScroller(e) && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1);
    const what = outside.length ? '' : ' (text wider than its box)';
    const chain = [];
    for (let p = spill.slice(-1)[0]; p && p !== document.body; p = p.parentElement) chain.unshift(name(p));
    problems.push(`page scrolls sideways (${sw} px > ${iw} px)${what}: ${spill.slice(-3).map(name).join(', ')} (in ${chain.join(' > ')})`);
  }
  // 2. A container that scrolls sideways says so and can be scrolled with the keyboard.
  for (const e of document.body.querySelectorAll('*')) {
    if (scrolls(e) && e.scrollWidth > e.clientWidth + 1 && !declared(e)) {
      problems.push(`${name(e)} scrolls sideways but is not a declared region (role, aria-label, tabindex)`);
    }
  }
  // 3. SVG text: rendered at least minPx high and inside its SVG.
  for (const svg of document.querySelectorAll('svg')) {
    if (svg.getClientRects().length === 0 || getComputedStyle(svg).visibility === 'hidden') continue;
    const box = svg.getBoundingClientRect();
    let small = [], outside = [];
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent.trim() || t.getClientRects().length === 0) continue;
      const m = t.getScreenCTM();
      const scale = m ? Math.sqrt(Math.abs(m.a * m.d - m.b * m.c)) : 1;
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (px < minPx - 0.05) small.push(`„${t.textContent.trim().slice(0, 20)}“ ${px.toFixed(1)} px`);
      const r = t.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
        outside.push(`„${t.textContent.trim().slice(0, 20)}“`);
      }
    }
    const id = name(svg);
    if (small.length) problems.push(`${id}: ${small.length} text(s) under ${minPx} px, e.g. ${small.slice(0, 2).join(', ')}`);
    if (outside.length) problems.push(`${id}: ${outside.length} text(s) cut at the SVG's edge, e.g. ${outside.slice(0, 2).join(', ')}`);
  }
  // 4. HTML elements that hide their overflow do not cut their content (1-px screen-reader text aside).
  for (const e of document.body.querySelectorAll('*')) {
    if (e instanceof SVGElement || e.clientWidth <= 1 || e.getClientRects().length === 0) continue;
    const o = getComputedStyle(e).overflowX;
    if ((o === 'hidden' || o === 'clip') && e.scrollWidth > e.clientWidth + 1) {
      problems.push(`${name(e)} cuts its content (${e.scrollWidth} px in ${e.clientWidth} px)`);
    }
  }
  return problems;
}

(async () => {
  const [base, ...paths] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const axe = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  let failures = 0;
  for (const [width, height, zoom] of SIZES) {
    const context = await browser.newContext({
      viewport: { width, height },
      // A German browser (Accept-Language: de-DE): pages without /en are German, as the office
      // sees them; the /en pages are English whatever the browser says.
      locale: 'de-DE',
      // axe is injected as a script: allowed past the pages' Content-Security-Policy here only.
      bypassCSP: true,
    });
    // KIMO_COOKIE=name=value: the pages as a logged-in user sees them.
    if (process.env.KIMO_COOKIE) {
      const [name, value] = process.env.KIMO_COOKIE.split('=');
      await context.addCookies([{ name, value, url: base }]);
    }
    for (const path of paths) {
      const page = await context.newPage();
      await page.goto(base + path);
      const layout = await page.evaluate(layoutProblems, MIN_SVG_TEXT_PX / zoom);
      await page.addScriptTag({ content: axe });
      const result = await page.evaluate(async () =>
        await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }));
      await page.keyboard.press('Tab');
      const first = await page.evaluate(() => document.activeElement && document.activeElement.textContent.trim());
      await page.keyboard.press('Enter');
      const hash = await page.evaluate(() => location.hash);
      const keyboard = ['Zum Inhalt springen', 'Skip to content'].includes(first) && hash === '#inhalt';
      console.log(`${width}×${height} ${path}: ${result.violations.length} violations, ${result.passes.length} rules passed, ` +
        `skip link ${keyboard ? 'ok' : 'MISSING'}, layout ${layout.length ? layout.length + ' problem(s)' : 'ok'}`);
      for (const v of result.violations) {
        console.log(`  ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
      }
      for (const p of layout) console.log(`  layout: ${p}`);
      if (result.violations.length > 0 || !keyboard || layout.length > 0) failures++;
      await page.close();
    }
    await context.close();
  }
  await browser.close();
  process.exit(failures ? 1 : 0);
})().catch(e => { console.error(e); process.exit(2); });
