// One user's way through kimo in headless Chromium at a laptop size (1366×768): log in with the
// keyboard, set a warning to „in Bearbeitung“ with an assignee and a comment that contain markup
// (shown as text, never run), replay the change without and with a wrong CSRF token (403), submit
// forms with errors (rules, login; axe-core WCAG 2.1 A/AA: no violations), log out and replay the
// change with the old token and the old session cookie (403).
// Usage: KIMO_USER=name KIMO_PASSWORD=pw KIMO_WARNING=id node flow.js BASE_URL
// Prints one line per step (`ok: …`, `axe …: 0 violations`) and `flow ok` at the end; exits 1 with
// `FAIL: …` on anything unexpected, including any JavaScript dialog (alert) that opens.
const { chromium } = require('playwright-core');
const fs = require('fs');

const ASSIGNEE = '<script>alert("x")</script> Jobcenter';
const COMMENT = 'Rückfrage beim Jobcenter <img src=x onerror=alert(1)>';
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

class Failure extends Error {}
const expect = (ok, message) => {
  if (!ok) throw new Failure(message);
};

// Runs axe-core on the page; prints `axe LABEL: N violations` (and each violation), fails on any.
async function axeClean(page, axe, label) {
  await page.addScriptTag({ content: axe });
  const result = await page.evaluate(async (tags) => await axe.run(document, { runOnly: tags }), AXE_TAGS);
  console.log(`axe ${label}: ${result.violations.length} violations`);
  for (const v of result.violations) {
    console.log(`  ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
  }
  expect(result.violations.length === 0, `axe-core found violations on ${label}`);
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

(async () => {
  const base = process.argv[2];
  const [user, password, id] = ['KIMO_USER', 'KIMO_PASSWORD', 'KIMO_WARNING'].map((k) => process.env[k]);
  expect(base && user && password && id, 'usage: KIMO_USER=… KIMO_PASSWORD=… KIMO_WARNING=… node flow.js BASE_URL');
  const warning = `/warnungen/${id}`;
  const axe = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const dialogs = [];
  const newContext = async () => {
    const context = await browser.newContext({
      viewport: { width: 1366, height: 768 },
      // A German browser: pages without /en are German (Accept-Language: de-DE).
      locale: 'de-DE',
      // axe is injected as a script: allowed past the pages' Content-Security-Policy here only.
      // (So markup that reached the page as HTML would run too: the escaping is what is tested.)
      bypassCSP: true,
    });
    context.on('dialog', async (d) => {
      dialogs.push(`${d.type()} „${d.message()}“ on ${d.page() ? d.page().url() : '?'}`);
      await d.dismiss().catch(() => {});
    });
    return context;
  };
  const noDialog = () => expect(dialogs.length === 0, `a JavaScript dialog opened: ${dialogs.join('; ')}`);
  try {
    const context = await newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(20000);

    // 1. Log in: the labelled fields, submitted with Enter; the account page names the user.
    await page.goto(base + '/anmelden');
    await page.getByLabel('Anmeldename', { exact: true }).fill(user);
    await page.getByLabel('Passwort', { exact: true }).fill(password);
    let { post, shown } = await submit(page, () => page.getByLabel('Passwort', { exact: true }).press('Enter'));
    expect(post.status() === 303, `login answered ${post.status()}, not 303`);
    expect(new URL(page.url()).pathname === '/konto', `after the login the browser is on ${page.url()}, not /konto`);
    expect(shown.status() === 200, `/konto answered ${shown.status()}`);
    const account = await page.locator('main').textContent();
    expect(account.includes(`Angemeldet als ${user}`), `/konto does not say „Angemeldet als ${user}“: ${account.slice(0, 300)}`);
    console.log(`ok: logged in as ${user}`);

    // 2. Work on the warning: status, assignee and comment through their labels.
    let res = await page.goto(base + warning);
    expect(res.status() === 200, `${warning} answered ${res.status()}`);
    const form = page.locator(`form[action="${warning}"]`);
    const csrf = await form.locator('input[name="csrf"]').inputValue();
    expect(csrf.length > 0, `the form on ${warning} has no CSRF token`);
    await page.getByLabel('Stand der Bearbeitung', { exact: true }).selectOption({ label: 'in Bearbeitung' });
    await page.getByLabel('Zuständig (Person oder Amt)', { exact: true }).fill(ASSIGNEE);
    await page.getByLabel('Kommentar', { exact: true }).pressSequentially(COMMENT);
    ({ post, shown } = await submit(page, () => page.getByRole('button', { name: 'Speichern', exact: true }).click()));
    expect(post.status() === 303, `saving the warning answered ${post.status()}, not 303`);
    expect(new URL(page.url()).pathname === warning, `after saving the browser is on ${page.url()}, not ${warning}`);
    expect(shown.status() === 200, `${warning} answered ${shown.status()} after saving`);
    noDialog();
    const seen = await page.evaluate(() => {
      const facts = {};
      for (const dt of document.querySelectorAll('main dl.facts dt')) {
        facts[dt.textContent.trim()] = dt.nextElementSibling ? dt.nextElementSibling.textContent : null;
      }
      const history = [...document.querySelectorAll('main table tbody tr')]
        .map((tr) => [...tr.cells].map((td) => td.textContent));
      const main = document.querySelector('main');
      return {
        facts, history,
        text: main.textContent,
        scripts: document.querySelectorAll('main script').length,
        images: document.querySelectorAll('main img').length,
        handlers: document.querySelectorAll('[onerror]').length,
      };
    });
    const status = seen.facts['Stand der Bearbeitung'];
    expect(status === 'in Bearbeitung', `the facts list shows „Stand der Bearbeitung: ${status}“, not „in Bearbeitung“`);
    console.log('ok: warning set to in Bearbeitung with a comment');
    expect(seen.facts['Zuständig'] === ASSIGNEE, `the facts list shows „Zuständig: ${seen.facts['Zuständig']}“, not the text ${ASSIGNEE}`);
    expect(seen.text.includes('<script>alert("x")</script>'), 'the assignee\'s <script> is not shown as text');
    expect(seen.scripts === 0, `${seen.scripts} script element(s) inside main`);
    const commented = seen.history.find((r) => r[1] === user && r[2] === 'kommentar');
    expect(commented && commented[5] === COMMENT, `no history row by ${user} with the comment as text: ${JSON.stringify(seen.history)}`);
    expect(seen.history.some((r) => r[1] === user && r[2] === 'status' && r[3] === 'neu' && r[4] === 'in-bearbeitung'),
      `no history row by ${user} for the status neu → in-bearbeitung: ${JSON.stringify(seen.history)}`);
    expect(seen.images === 0 && seen.handlers === 0, `the comment became markup: ${seen.images} img, ${seen.handlers} onerror`);
    const field = await page.getByLabel('Zuständig (Person oder Amt)', { exact: true }).inputValue();
    expect(field === ASSIGNEE, `the assignee field holds ${JSON.stringify(field)}, not the text typed`);
    console.log('ok: markup shown as text');

    // 3. The page as it is after the change: axe-core.
    await axeClean(page, axe, warning);

    // 4. The same change replayed by the logged-in browser without, and with a wrong, CSRF token.
    const replay = async (fields) => {
      const r = await page.request.post(base + warning, { form: fields, maxRedirects: 0 });
      return [r.status(), await r.text()];
    };
    let [code, body] = await replay({ status: 'erledigt', kommentar: 'ohne Token' });
    expect(code === 403, `the replay without a CSRF token answered ${code}, not 403`);
    expect(body.includes('CSRF'), `the 403 without a token does not name the CSRF protection: ${body.slice(0, 300)}`);
    console.log('ok: replay without CSRF token refused (403)');
    [code] = await replay({ csrf: 'a'.repeat(csrf.length), status: 'erledigt', kommentar: 'falsches Token' });
    expect(code === 403, `the replay with a wrong CSRF token answered ${code}, not 403`);
    console.log('ok: replay with a wrong CSRF token refused (403)');
    await page.reload();
    const after = await page.evaluate(() => [...document.querySelectorAll('main dl.facts dt')]
      .find((dt) => dt.textContent.trim() === 'Stand der Bearbeitung').nextElementSibling.textContent);
    expect(after === 'in Bearbeitung', `after the refused replays the status is „${after}“`);

    // 5a. The rules form with an error: the message next to the field, tied to it; axe-core.
    res = await page.goto(base + '/indikatoren/ARB-03/regeln');
    expect(res.status() === 200, `/indikatoren/ARB-03/regeln answered ${res.status()}`);
    await page.locator('#r2-grenze').fill('acht');
    ({ post } = await submit(page, () => page.getByRole('button', { name: 'Speichern und auswerten' }).click()));
    expect(post.status() === 400, `the rules form with „acht“ answered ${post.status()}, not 400`);
    const error = await page.evaluate(() => {
      const input = document.getElementById('r2-grenze');
      if (!input) return { missing: true };
      const ref = input.getAttribute('aria-describedby');
      const target = ref && document.getElementById(ref);
      return {
        value: input.value,
        invalid: input.getAttribute('aria-invalid'),
        ref,
        text: target ? target.textContent : null,
        beside: !!target && target.parentElement === input.parentElement,
      };
    });
    expect(!error.missing, 'the rules form with errors has no field #r2-grenze');
    expect(error.value === 'acht', `the field #r2-grenze does not keep the typed value: ${JSON.stringify(error.value)}`);
    expect(error.invalid === 'true', `#r2-grenze has aria-invalid=${JSON.stringify(error.invalid)}, not "true"`);
    expect(error.text !== null && error.text.startsWith('Fehler: keine Zahl'),
      `#r2-grenze's aria-describedby=${JSON.stringify(error.ref)} does not point to „Fehler: keine Zahl“: ${JSON.stringify(error.text)}`);
    expect(error.beside, 'the error message of #r2-grenze is not next to the field');
    console.log(`ok: rules form refused „acht“ (400): ${error.text}`);
    await axeClean(page, axe, 'rules form with errors');

    // 5b. The login form with a wrong password, in a browser of its own: 401, the message; axe-core.
    const other = await newContext();
    const login = await other.newPage();
    login.setDefaultTimeout(20000);
    await login.goto(base + '/anmelden');
    await login.getByLabel('Anmeldename', { exact: true }).fill(user);
    await login.getByLabel('Passwort', { exact: true }).fill('ganz-falsches-Passwort');
    ({ post } = await submit(login, () => login.getByLabel('Passwort', { exact: true }).press('Enter')));
    expect(post.status() === 401, `the login with a wrong password answered ${post.status()}, not 401`);
    const alert = await login.getByRole('alert').textContent();
    expect(alert.includes('Anmeldung fehlgeschlagen'), `the failed login shows no „Anmeldung fehlgeschlagen“: ${alert}`);
    console.log('ok: login with a wrong password refused (401)');
    await axeClean(login, axe, 'login with error');
    await other.close();

    // 6. Log out with the button on /konto; the change replayed with the token from before: 403;
    // and with the old session cookie put back (the session must have ended on the server): 403.
    const session = (await context.cookies()).find((c) => c.name === 'kimo_sitzung');
    expect(session, 'the browser holds no session cookie kimo_sitzung');
    await page.goto(base + '/konto');
    ({ post } = await submit(page, () => page.getByRole('button', { name: 'Abmelden', exact: true }).click()));
    expect(post.status() === 303, `logging out answered ${post.status()}, not 303`);
    const left = (await context.cookies()).find((c) => c.name === 'kimo_sitzung');
    expect(!left, 'the session cookie is still there after logging out');
    const valid = { csrf, status: 'erledigt', zustaendig: 'nach dem Abmelden', kommentar: 'nach dem Abmelden' };
    [code] = await replay(valid);
    expect(code === 403, `the replay after logging out answered ${code}, not 403`);
    console.log('ok: replay after logout refused (403)');
    res = await page.goto(base + warning);
    expect(res.status() === 403, `${warning} after logging out answered ${res.status()}, not 403`);
    console.log(`ok: ${warning} after logout refused (403)`);
    await context.addCookies([{ name: session.name, value: session.value, url: base }]);
    [code] = await replay(valid);
    expect(code === 403, `the replay with the ended session's cookie answered ${code}, not 403`);
    res = await page.goto(base + warning);
    expect(res.status() === 403, `${warning} with the ended session's cookie answered ${res.status()}, not 403`);
    console.log('ok: the ended session\'s cookie is refused (403)');
    noDialog();
    await context.close();
    console.log('flow ok');
    await browser.close();
    process.exit(0);
  } catch (e) {
    console.log(`FAIL: ${e instanceof Failure ? e.message : e.stack || e}`);
    const told = e instanceof Failure && e.message.startsWith('a JavaScript dialog');
    if (dialogs.length && !told) console.log(`FAIL: JavaScript dialog(s): ${dialogs.join('; ')}`);
    await browser.close().catch(() => {});
    process.exit(1);
  }
})().catch((e) => {
  console.log(`FAIL: ${e.stack || e}`);
  process.exit(1);
});
