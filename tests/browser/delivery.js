// A delivery in headless Chromium: the Amt's user logs in with the keyboard, opens the owed
// delivery from „Meine Lieferungen“, uploads a file with an error (400: nothing kept, the error with
// file, line and column; axe-core on that page), then a file with one implausible value (the check
// page: values per indicator, the flag; axe-core), gives the reason through its labelled field and
// submits. The Redaktion's user opens the submission from the list (axe-core on the review page) and
// accepts it. Usage: KIMO_AMT_USER, KIMO_AMT_PASSWORD, KIMO_BFI_USER, KIMO_BFI_PASSWORD,
// KIMO_DELIVERY (the delivery's id), KIMO_DIR (a directory for the files) node delivery.js BASE_URL.
// Prints `ok: …` and `axe …` lines and `delivery flow ok`; exits 1 with `FAIL: …`.
const fs = require('fs');
const path = require('path');
const { Failure, expect, axeSource, axeClean, submit, launch, logIn } = require('./lib');

const BAD = 'Indikator;Zeitraum;Gebiet;Wert\nARB-03;2026;KA;viel\n';
const GOOD = 'Indikator;Zeitraum;Gebiet;Wert\nARB-03;2026;KA;12,5\nARB-03;2026;19;4,3\n';
const REASON = 'Neue Zählweise ab 2026';

(async () => {
  const base = process.argv[2];
  const env = (k) => process.env[k];
  const [amtUser, amtPassword, bfiUser, bfiPassword, delivery, dir] =
    ['KIMO_AMT_USER', 'KIMO_AMT_PASSWORD', 'KIMO_BFI_USER', 'KIMO_BFI_PASSWORD', 'KIMO_DELIVERY', 'KIMO_DIR'].map(env);
  expect(base && amtUser && amtPassword && bfiUser && bfiPassword && delivery && dir, 'usage: see the head of delivery.js');
  const bad = path.join(dir, 'fehler.csv');
  const good = path.join(dir, 'arbeitslose-2026.csv');
  fs.writeFileSync(bad, BAD);
  fs.writeFileSync(good, GOOD);
  const axe = axeSource();
  const { browser, newContext, noTrouble } = await launch();
  try {
    // 1. The Amt: its list, the owed delivery, a file with an error.
    const amt = await (await newContext()).newPage();
    await logIn(amt, base, amtUser, amtPassword);
    await amt.goto(base + '/lieferungen');
    const link = amt.locator(`a[href="/lieferungen/${delivery}"]`).first();
    expect(await link.count() === 1, `„Meine Lieferungen“ has no link to delivery ${delivery}`);
    await Promise.all([amt.waitForNavigation(), link.click()]);
    const upload = async (file) => {
      await amt.getByLabel(/^Datei für ARB-03/).setInputFiles(file);
      return submit(amt, () => amt.getByRole('button', { name: 'Prüfen', exact: true }).click());
    };
    let { post } = await upload(bad);
    expect(post.status() === 400, `the file with an error answered ${post.status()}, not 400`);
    const refused = await amt.locator('[role="alert"]').textContent();
    expect(refused.includes('Nichts wurde gespeichert') && refused.includes('fehler.csv: Zeile 2, Spalte 4'),
      `the refusal does not name the place: ${JSON.stringify(refused)}`);
    console.log('ok: file with an error refused (400): fehler.csv: Zeile 2, Spalte 4');
    await axeClean(amt, axe, 'upload check with errors');
    noTrouble();

    // 2. Back to the delivery; the good file with one implausible value: the check page.
    await Promise.all([amt.waitForNavigation(), amt.getByRole('link', { name: /Zurück zur Lieferung/ }).click()]);
    ({ post } = await upload(good));
    expect(post.status() === 303, `the good file answered ${post.status()}, not 303`);
    const checked = await amt.locator('main').textContent();
    expect(checked.includes('Der Anteil springt von 4,6 % (2025) auf 12,5 %'), 'the check page does not show the flag');
    const cells = await amt.locator('table tbody tr').first().locator('td').allTextContents();
    expect(cells[0].trim() === '2', `the check counts ${JSON.stringify(cells)} for ARB-03, not 2 new values`);
    console.log('ok: check page: 2 new values, 1 flag');
    await axeClean(amt, axe, 'upload check');
    // Submitting without the reason is refused; with it, the submission is „eingereicht“.
    ({ post } = await submit(amt, () => amt.getByRole('button', { name: 'Einreichen', exact: true }).click()));
    expect(post.status() === 400, `submitting without a reason answered ${post.status()}, not 400`);
    await axeClean(amt, axe, 'upload check without reason');
    await amt.getByLabel('Begründung zu Hinweis 1: warum der Wert stimmt').fill(REASON);
    ({ post } = await submit(amt, () => amt.getByLabel('Begründung zu Hinweis 1: warum der Wert stimmt').press('Enter')));
    expect(post.status() === 303, `submitting answered ${post.status()}, not 303`);
    const state = await amt.locator('dl.facts').textContent();
    expect(state.includes('eingereicht'), `after submitting the page says ${JSON.stringify(state)}`);
    const submission = new URL(amt.url()).pathname;
    console.log(`ok: submitted with the reason „${REASON}“`);
    noTrouble();

    // 3. The Redaktion: the submission in the list, reviewed and accepted.
    const bfi = await (await newContext()).newPage();
    await logIn(bfi, base, bfiUser, bfiPassword);
    await bfi.goto(base + '/lieferungen');
    await Promise.all([bfi.waitForNavigation(), bfi.locator(`a[href="${submission}"]`).first().click()]);
    const review = await bfi.locator('main').textContent();
    expect(review.includes(`Begründung: ${REASON}`), 'the review page does not show the reason');
    await axeClean(bfi, axe, 'review');
    ({ post } = await submit(bfi, () => bfi.getByRole('button', { name: 'Annehmen: Werte übernehmen', exact: true }).click()));
    expect(post.status() === 303, `accepting answered ${post.status()}, not 303`);
    const done = await bfi.locator('dl.facts').textContent();
    expect(done.includes('angenommen'), `after accepting the page says ${JSON.stringify(done)}`);
    console.log('ok: accepted by the Redaktion');
    noTrouble();
    console.log('delivery flow ok');
  } catch (e) {
    console.log(`FAIL: ${e instanceof Failure ? e.message : e.stack}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
})();
