// What the browser flows share: the failure type, axe-core at two sizes, submitting a form and
// waiting for its page, a browser context that records anything a user would notice, and logging in
// with the keyboard.
const { chromium } = require('playwright-core');
const fs = require('fs');

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const SIZES = [[1366, 768], [390, 844]];

class Failure extends Error {}
const expect = (ok, message) => {
  if (!ok) throw new Failure(message);
};

// axe-core's source, evaluated through the DevTools protocol (not subject to the page's CSP).
const axeSource = () => fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// Runs axe-core on the page as it is at each size; prints `axe LABEL (W×H): N violations` (and each
// violation) and, when all are clean, `axe LABEL: 0 violations`; fails on any violation.
async function axeClean(page, axe, label) {
  const before = page.viewportSize();
  let found = 0;
  for (const [width, height] of SIZES) {
    await page.setViewportSize({ width, height });
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
      await page.evaluate(axe);
    }
    const result = await page.evaluate(async (tags) => await window.axe.run(document, { runOnly: tags }), AXE_TAGS);
    console.log(`axe ${label} (${width}×${height}): ${result.violations.length} violations`);
    for (const v of result.violations) {
      console.log(`  ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    }
    found += result.violations.length;
  }
  await page.setViewportSize(before);
  expect(found === 0, `axe-core found violations on ${label} (${page.url()})`);
  console.log(`axe ${label}: 0 violations`);
}

// Does `action` (a click or key press that submits a form) and waits for the page it leads to.
// Returns the form's own answer (the POST: 303 when it redirects) and the page finally shown.
async function submit(page, action) {
  const [shown] = await Promise.all([page.waitForNavigation(), action()]);
  const redirected = shown.request().redirectedFrom();
  const post = redirected ? await redirected.response() : shown;
  expect(post.request().method() === 'POST', `expected a form POST, got ${post.request().method()} ${post.url()}`);
  return { post, shown };
}

// Headless Chromium (Debian's) with a list of everything a user would notice: JavaScript dialogs,
// script errors, console errors, failed resources (a page's own status is checked where expected).
async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const trouble = [];
  const newContext = async () => {
    const context = await browser.newContext({
      viewport: { width: SIZES[0][0], height: SIZES[0][1] },
      // A German browser: pages without /en are German (Accept-Language: de-DE).
      locale: 'de-DE',
    });
    context.on('dialog', async (d) => {
      trouble.push(`a JavaScript dialog opened: ${d.type()} „${d.message()}“`);
      await d.dismiss().catch(() => {});
    });
    context.on('response', (r) => {
      const path = new URL(r.url()).pathname;
      if (r.status() >= 400 && !r.request().isNavigationRequest() && path !== '/favicon.ico') {
        trouble.push(`${r.request().method()} ${r.url()} answered ${r.status()}`);
      }
    });
    context.on('page', (p) => {
      p.setDefaultTimeout(20000);
      p.on('pageerror', (e) => trouble.push(`script error on ${p.url()}: ${e.message}`));
      p.on('console', (m) => {
        if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
          trouble.push(`console error on ${p.url()}: ${m.text()}`);
        }
      });
    });
    return context;
  };
  const noTrouble = () => expect(trouble.length === 0, trouble.join('; '));
  return { browser, newContext, noTrouble };
}

// Logs in through the form with the keyboard (Enter in the password field); fails unless the
// account page greets the user.
async function logIn(page, base, user, password) {
  await page.goto(base + '/anmelden');
  await page.getByLabel('Anmeldename', { exact: true }).fill(user);
  await page.getByLabel('Passwort', { exact: true }).fill(password);
  const { post } = await submit(page, () => page.getByLabel('Passwort', { exact: true }).press('Enter'));
  expect(post.status() === 303, `login of ${user} answered ${post.status()}, not 303`);
  const main = await page.locator('main').textContent();
  expect(main.includes(`Angemeldet als ${user}`), `after the login ${page.url()} does not say „Angemeldet als ${user}“`);
  console.log(`ok: logged in as ${user}`);
}

module.exports = { Failure, expect, axeSource, axeClean, submit, launch, logIn };
