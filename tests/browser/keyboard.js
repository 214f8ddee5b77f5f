// The public's main task in English with the keyboard only, in headless Chromium (1366×768, an
// English browser): skip to the content, open the indicators from the main navigation, open an
// indicator, choose an area in the form and show it, switch the page to German — nothing but Tab,
// typing and Enter, every focused element with a visible focus indicator.
// Usage: node keyboard.js BASE_URL INDICATOR AREA_CODE AREA_NAME
// Prints one line per step (`ok: …`) and `keyboard ok` at the end; exits 1 with `FAIL: …`.
const { chromium } = require('playwright-core');

class Failure extends Error {}
const expect = (ok, message) => {
  if (!ok) throw new Failure(message);
};

// What has the focus: its tag, text or label, and whether its focus indicator shows.
function focused() {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const label = e.labels && e.labels.length ? e.labels[0].textContent.trim() : '';
  return {
    tag: e.tagName.toLowerCase(),
    text: (e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 80),
    label,
    href: e.getAttribute('href') || '',
    visible: outline || s.boxShadow !== 'none',
  };
}

// Presses Tab until `wanted` holds for the focused element (at most `max` times); every element
// passed on the way must show its focus.
async function tabTo(page, what, wanted, max = 80) {
  for (let n = 1; n <= max; n++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(focused);
    if (!f) continue;
    expect(f.visible, `no visible focus on ${f.tag} „${f.text || f.label}“ on ${page.url()}`);
    if (wanted(f)) return n;
  }
  throw new Failure(`${what} not reached with ${max} Tabs on ${page.url()}`);
}

// Presses Enter on the focused element and waits for the page it opens.
async function enter(page) {
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}

(async () => {
  const [base, indicator, areaCode, areaName] = process.argv.slice(2);
  expect(base && indicator && areaCode && areaName, 'usage: node keyboard.js BASE_URL INDICATOR AREA_CODE AREA_NAME');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'en-GB' });
    const page = await context.newPage();
    page.setDefaultTimeout(20000);

    // 1. The start page: an English browser gets English; the first Tab is the skip link.
    await page.goto(base + '/');
    expect(await page.evaluate(() => document.documentElement.lang) === 'en', 'an English browser does not get English at /');
    let n = await tabTo(page, 'the skip link', (f) => f.text === 'Skip to content', 1);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => location.hash) === '#inhalt', 'the skip link does not lead to #inhalt');
    console.log(`ok: skip link with ${n} Tab, then #inhalt`);

    // 2. The main navigation (before the content: the page afresh): „All indicators“.
    await page.goto(base + '/');
    n = await tabTo(page, 'the link „All indicators“', (f) => f.tag === 'a' && f.text === 'All indicators');
    await enter(page);
    expect(new URL(page.url()).pathname.endsWith('/indikatoren'), `„All indicators“ led to ${page.url()}`);
    console.log(`ok: „All indicators“ after ${n} Tab(s): ${new URL(page.url()).pathname}`);

    // 3. An indicator from the list.
    n = await tabTo(page, `the link to ${indicator}`, (f) => f.tag === 'a' && f.href.endsWith(`/indikatoren/${indicator}`), 200);
    await enter(page);
    const h1 = await page.locator('h1').textContent();
    expect(new URL(page.url()).pathname.endsWith(`/indikatoren/${indicator}`), `the link led to ${page.url()}`);
    console.log(`ok: ${indicator} after ${n} Tab(s): „${h1.trim()}“`);

    // 4. The form: the field „Area“, an area typed, the button „Show“.
    n = await tabTo(page, 'the field „Area“', (f) => f.tag === 'select' && f.label === 'Area', 200);
    await page.keyboard.type(areaName);
    const chosen = await page.evaluate(() => document.activeElement.value);
    expect(chosen === areaCode, `typing „${areaName}“ chose ${chosen}, not ${areaCode}`);
    await tabTo(page, 'the button „Show“', (f) => f.tag === 'button' && f.text === 'Show', 10);
    await enter(page);
    const url = new URL(page.url());
    expect(url.searchParams.get('gebiet') === areaCode, `the form led to ${page.url()}`);
    const main = await page.locator('main').textContent();
    expect(main.includes(areaName), `the page for ${areaCode} does not name „${areaName}“`);
    expect(await page.evaluate(() => document.documentElement.lang) === 'en', 'the chosen view is not English');
    console.log(`ok: „Area“ after ${n} Tab(s), „${areaName}“ typed, „Show“: ${url.pathname}${url.search}`);

    // 5. The language switch: the same view in German.
    n = await tabTo(page, 'the link „Deutsch“', (f) => f.tag === 'a' && f.text === 'Deutsch', 200);
    await enter(page);
    const german = new URL(page.url());
    expect(await page.evaluate(() => document.documentElement.lang) === 'de', `„Deutsch“ led to a page that is not German: ${page.url()}`);
    expect(german.pathname.endsWith(`/indikatoren/${indicator}`) && german.searchParams.get('gebiet') === areaCode,
      `„Deutsch“ did not keep the view: ${page.url()}`);
    console.log(`ok: „Deutsch“ after ${n} Tab(s): ${german.pathname}${german.search}, lang="de"`);
    console.log('keyboard ok');
  } catch (e) {
    console.log(`FAIL: ${e instanceof Failure ? e.message : e.stack}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
})();
