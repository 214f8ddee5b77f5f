// The Redaktion works on the Integrationskonzept in headless Chromium: log in with the keyboard,
// open the draft Fortschreibung, edit the Ausgangslage „Arbeit und Beschäftigung“ watching the live
// word count (#zaehler, aria-live) while typing and over the soft limit, submit a text with an
// unknown reference (400, the error with line and column next to the field), save the text with a
// live figure, add a Leitprojekt in its form (a bad end date refused first), and compare the draft with the decided version (added words underlined, removed ones
// struck through, each also said in words). axe-core (WCAG 2.1 A/AA) finds no violation on the
// editor, the editor with the error, the Leitprojekte form with its error, the draft, the comparison and the public /konzept, each at
// 1366×768 and 390×844. The pages run under their own Content-Security-Policy (no bypass: axe is
// evaluated through the DevTools protocol), so the live counter is shown to work as served.
// Usage: KIMO_USER=name KIMO_PASSWORD=pw KIMO_DRAFT=id KIMO_DECIDED=id node konzept.js BASE_URL
// Prints one line per step (`ok: …`, `axe …: 0 violations`) and `konzept flow ok` at the end; exits
// 1 with `FAIL: …` on anything unexpected, including any JavaScript dialog, any script error in a
// page and any error on the console (such as a Content-Security-Policy violation).
const { Failure, expect, axeSource, axeClean, submit, launch, logIn } = require('./lib');

const LIMIT = 150;
// The text typed into the Ausgangslage, with a live reference; 13 words as the counter counts them.
const FIRST = 'Die Arbeitslosenquote der Nichtdeutschen liegt bei ';
const TEXT = FIRST + '[[ARB-03 nichtdeutsch]] und sinkt seit Jahren spürbar.';
const WORDS = 13;
// The same with a reference to an indicator that does not exist, on the same line.
const BAD = TEXT + ' Siehe [[XYZ-01]].';
const SECTION = 'Arbeit und Beschäftigung: Ausgangslage';
// The Leitprojekt added in its form.
const PROJECT = 'Mentoring für Geflüchtete';

// Words as zaehler.js counts them: whitespace-separated pieces with a letter or a digit.
const countWords = (s) => s.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
// What the counter says for a text of n words (reading time: 200 words a minute).
const counterText = (n) => {
  const minutes = Math.ceil(n / 200);
  let text = `${n} ${n === 1 ? 'Wort' : 'Wörter'}, etwa ${minutes} ${minutes === 1 ? 'Minute' : 'Minuten'} Lesezeit`;
  if (n > LIMIT) text += ` – über der Richtgröße von ${LIMIT} Wörtern, bitte kürzen`;
  return text + '.';
};

// Waits (up to 5 s) until the live counter says `expected`; fails naming what it says instead.
async function counterSays(page, expected, what) {
  try {
    await page.waitForFunction((t) => {
      const out = document.getElementById('zaehler');
      return out && out.textContent.trim() === t;
    }, expected, { timeout: 5000 });
  } catch (e) {
    const said = await page.evaluate(() => {
      const out = document.getElementById('zaehler');
      return out ? out.textContent.trim() : null;
    });
    throw new Failure(`the live word count #zaehler says ${JSON.stringify(said)} ${what}, not „${expected}“`);
  }
}

(async () => {
  const base = process.argv[2];
  const [user, password, draft, decided] =
    ['KIMO_USER', 'KIMO_PASSWORD', 'KIMO_DRAFT', 'KIMO_DECIDED'].map((k) => process.env[k]);
  expect(base && user && password && draft && decided,
    'usage: KIMO_USER=… KIMO_PASSWORD=… KIMO_DRAFT=… KIMO_DECIDED=… node konzept.js BASE_URL');
  const draftPath = `/konzept/${draft}`;
  const editPath = `${draftPath}/abschnitt/feld:arbeit:ausgangslage`;
  const axe = axeSource();
  const { browser, newContext, noTrouble } = await launch();
  try {
    const context = await newContext();
    const page = await context.newPage();

    // 1. Log in: the labelled fields, submitted with Enter.
    await logIn(page, base, user, password);
    let post;
    let shown;
    noTrouble();

    // 2. The draft, its link to the editor of the Ausgangslage; the editor with the live counter.
    let res = await page.goto(base + draftPath);
    expect(res.status() === 200, `${draftPath} answered ${res.status()}`);
    const editLink = page.getByRole('link', { name: 'Ausgangslage Arbeit und Beschäftigung bearbeiten', exact: true });
    expect(await editLink.count() === 1, `${draftPath} has ${await editLink.count()} link(s) „Ausgangslage Arbeit und Beschäftigung bearbeiten“, not 1`);
    await Promise.all([page.waitForNavigation(), editLink.click()]);
    expect(new URL(page.url()).pathname === editPath, `the link leads to ${page.url()}, not ${editPath}`);
    const field = page.getByLabel(SECTION, { exact: true });
    expect(await field.count() === 1, `the editor has ${await field.count()} field(s) labelled „${SECTION}“, not 1`);
    const counter = await page.evaluate(() => {
      const out = document.getElementById('zaehler');
      const text = document.getElementById('text');
      return out && {
        live: out.getAttribute('aria-live'),
        limit: out.getAttribute('data-limit'),
        said: out.textContent.trim(),
        described: (text && text.getAttribute('aria-describedby') || '').split(/\s+/),
      };
    });
    expect(counter, 'the editor has no word count #zaehler');
    expect(counter.live === 'polite', `#zaehler has aria-live=${JSON.stringify(counter.live)}, not "polite"`);
    expect(counter.limit === String(LIMIT), `#zaehler has data-limit=${JSON.stringify(counter.limit)}, not ${LIMIT}`);
    expect(counter.described.includes('zaehler'), `the text field's aria-describedby (${counter.described.join(' ')}) does not name #zaehler`);
    const start = countWords(await field.inputValue());
    await counterSays(page, counterText(start), 'when the editor opens');
    console.log(`ok: editor opens with ${counter.said}`);
    await axeClean(page, axe, 'editor');

    // 3. Clear the field and type: the counter follows each change without a new page.
    const navigations = [];
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations.push(f.url());
    });
    await page.evaluate(() => { window.kimoSamePage = true; });
    await field.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    expect(await field.inputValue() === '', `the field is not empty after Ctrl+A, Delete: ${JSON.stringify(await field.inputValue())}`);
    await counterSays(page, counterText(0), 'after clearing the field');
    await page.keyboard.type(FIRST);
    await counterSays(page, counterText(countWords(FIRST)), `after typing „${FIRST.trim()}“`);
    await page.keyboard.type(TEXT.slice(FIRST.length));
    expect(await field.inputValue() === TEXT, `the field holds ${JSON.stringify(await field.inputValue())}, not the text typed`);
    expect(countWords(TEXT) === WORDS, `the text has ${countWords(TEXT)} words, not ${WORDS}`);
    await counterSays(page, `${WORDS} Wörter, etwa 1 Minute Lesezeit.`, 'after typing the text');
    expect(await page.evaluate(() => window.kimoSamePage === true) && navigations.length === 0,
      `the page was reloaded while typing: ${navigations.join(', ')}`);
    console.log(`ok: word count shows ${WORDS} Wörter while typing`);

    // Over the soft limit: the counter says so (and stands out); axe on the editor like that.
    const long = Array.from({ length: LIMIT + 10 }, (_, i) => `Wort${i + 1}`).join(' ');
    await field.fill(long);
    await counterSays(page, `${LIMIT + 10} Wörter, etwa 1 Minute Lesezeit – über der Richtgröße von ${LIMIT} Wörtern, bitte kürzen.`,
      `with ${LIMIT + 10} words`);
    const over = await page.evaluate(() => document.getElementById('zaehler').className);
    expect(over.split(/\s+/).includes('over'), `#zaehler over the limit has class ${JSON.stringify(over)}, not "over"`);
    expect(navigations.length === 0, `the page was reloaded while typing: ${navigations.join(', ')}`);
    console.log(`ok: word count says over the limit of ${LIMIT} words`);
    await axeClean(page, axe, 'editor over the limit');
    await field.fill(TEXT);
    await counterSays(page, counterText(WORDS), 'after putting the short text back');
    const under = await page.evaluate(() => document.getElementById('zaehler').className);
    expect(!under.split(/\s+/).includes('over'), `#zaehler under the limit still has class ${JSON.stringify(under)}`);
    noTrouble();

    // 4. A text with an unknown reference: 400, nothing saved, the error named with its place next
    // to the field and tied to it; axe on the editor with the error.
    await field.fill(BAD);
    await counterSays(page, counterText(countWords(BAD)), 'with the unknown reference');
    ({ post } = await submit(page, () => page.getByRole('button', { name: 'Speichern', exact: true }).click()));
    expect(post.status() === 400, `the text with [[XYZ-01]] answered ${post.status()}, not 400`);
    const column = [...BAD.slice(0, BAD.indexOf('[[XYZ-01]]'))].length + 1;
    const message = `Zeile 1, Spalte ${column}: den Indikator 'XYZ-01' gibt es nicht`;
    const error = await page.evaluate((message) => {
      const text = document.getElementById('text');
      if (!text) return { missing: true };
      const items = [...document.querySelectorAll('main li')].filter((li) => li.textContent.includes('XYZ-01'));
      const item = items.find((li) => li.textContent.trim() === message);
      const box = item && item.closest('[id]');
      const described = (text.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
      return {
        value: text.value,
        invalid: text.getAttribute('aria-invalid'),
        described,
        items: items.map((li) => li.textContent.trim()),
        box: box ? box.id : null,
        boxText: box ? box.textContent.replace(/\s+/g, ' ').trim() : null,
        role: box ? box.getAttribute('role') : null,
        counter: document.getElementById('zaehler') ? document.getElementById('zaehler').textContent.trim() : null,
      };
    }, message);
    expect(!error.missing, 'the editor with the error has no field #text');
    expect(error.items.includes(message), `no error „${message}“ in the list: ${JSON.stringify(error.items)}`);
    expect(error.boxText && error.boxText.includes('Nicht gespeichert'), `the error is not in a box saying „Nicht gespeichert“: ${JSON.stringify(error.boxText)}`);
    expect(error.invalid === 'true', `the text field has aria-invalid=${JSON.stringify(error.invalid)}, not "true"`);
    expect(error.described.includes(error.box), `the text field's aria-describedby (${error.described.join(' ')}) does not name the error #${error.box}`);
    expect(error.value === BAD, `the text field does not keep the text submitted: ${JSON.stringify(error.value)}`);
    expect(error.counter === counterText(countWords(BAD)), `#zaehler says ${JSON.stringify(error.counter)} with the error, not „${counterText(countWords(BAD))}“`);
    console.log(`ok: unknown reference refused (400): ${message}`);
    await axeClean(page, axe, 'editor with error');
    noTrouble();

    // 5. The good text saved: back on the draft, the Ausgangslage with the live figure as a link.
    await field.fill(TEXT);
    await counterSays(page, counterText(WORDS), 'before saving');
    ({ post, shown } = await submit(page, () => page.getByRole('button', { name: 'Speichern', exact: true }).click()));
    expect(post.status() === 303, `saving the text answered ${post.status()}, not 303`);
    expect(shown.status() === 200, `${shown.url()} answered ${shown.status()} after saving`);
    const back = new URL(page.url());
    expect(back.pathname === draftPath && back.search.includes('gespeichert='), `after saving the browser is on ${page.url()}, not ${draftPath}?gespeichert=…`);
    const saved = await page.evaluate(() => {
      const h = document.getElementById('arbeit-ausgangslage');
      const md = h && h.nextElementSibling;
      if (!md) return { missing: true };
      const figures = [...md.querySelectorAll('a.figure')].map((a) => ({ text: a.textContent.trim(), href: a.getAttribute('href') }));
      const link = [...document.querySelectorAll('main a')]
        .find((a) => a.textContent.trim() === 'Ausgangslage Arbeit und Beschäftigung bearbeiten');
      return {
        text: md.textContent.replace(/\s+/g, ' ').trim(),
        figures,
        words: link ? link.parentElement.textContent.replace(/\s+/g, ' ').trim() : null,
      };
    });
    expect(!saved.missing, `${draftPath} has no Ausgangslage #arbeit-ausgangslage followed by its text`);
    expect(saved.text.startsWith(FIRST) && saved.text.endsWith('und sinkt seit Jahren spürbar.') && !saved.text.includes('[['),
      `the Ausgangslage shows „${saved.text}“, not the text saved with its figure`);
    expect(saved.figures.length === 1 && /\d+,\d %/.test(saved.figures[0].text),
      `the Ausgangslage has no live figure a.figure „…,… %“: ${JSON.stringify(saved.figures)}`);
    expect(saved.figures[0].href.startsWith('/indikatoren/ARB-03'), `the live figure links ${saved.figures[0].href}, not /indikatoren/ARB-03…`);
    expect(saved.words && saved.words.includes(`(${WORDS} Wörter)`),
      `the draft says „${saved.words}“ beside the edit link, not the ${WORDS} words the live count showed`);
    console.log(`ok: saved, live figure ${saved.figures[0].text}`);
    await axeClean(page, axe, 'draft');
    noTrouble();

    // 5b. A new Leitprojekt in its form, reached from the draft: an end that is no date is refused
    // (400, the error named, the input kept; axe on the form with the error), then saved with a
    // Stadtteil ticked from the keyboard; the draft lists it with its German dates.
    const projectsLink = page.getByRole('link', { name: 'Leitprojekte Arbeit und Beschäftigung bearbeiten', exact: true });
    expect(await projectsLink.count() === 1, `${draftPath} has ${await projectsLink.count()} link(s) „Leitprojekte Arbeit und Beschäftigung bearbeiten“, not 1`);
    await Promise.all([page.waitForNavigation(), projectsLink.click()]);
    const rows = await page.locator('main form fieldset > legend').allTextContents();
    const n = rows.filter((l) => l.startsWith('Leitprojekt ')).length + 1;
    expect(rows.includes('Neues Leitprojekt'), `the Leitprojekte form has no row „Neues Leitprojekt“: ${JSON.stringify(rows)}`);
    await page.locator(`#p${n}-titel`).fill(PROJECT);
    await page.locator(`#p${n}-verantwortlich`).fill('Caritasverband Karlsruhe');
    await page.locator(`#p${n}-beginn`).fill('1.3.2027');
    await page.locator(`#p${n}-ende`).fill('Sommer');
    ({ post } = await submit(page, () => page.getByRole('button', { name: 'Leitprojekte speichern', exact: true }).click()));
    expect(post.status() === 400, `the project with the end „Sommer“ answered ${post.status()}, not 400`);
    const refused = await page.locator('[role="alert"]').textContent();
    expect(refused.includes(`Leitprojekt ${n}: Ende „Sommer“ ist kein Datum`), `the form does not name the bad end: ${JSON.stringify(refused)}`);
    expect(await page.locator(`#p${n}-titel`).inputValue() === PROJECT, 'the form with the error does not keep the title typed');
    console.log(`ok: Leitprojekt with end „Sommer“ refused (400)`);
    await axeClean(page, axe, 'Leitprojekte form with error');
    await page.locator(`#p${n}-ende`).fill('2029');
    const box = page.locator(`input[name="p${n}_gebiet_19"]`);
    await box.focus();
    await page.keyboard.press('Space');
    expect(await box.isChecked(), 'Space does not tick the Stadtteil 19');
    ({ post } = await submit(page, () => page.locator(`#p${n}-ende`).press('Enter')));
    expect(post.status() === 303, `saving the Leitprojekt answered ${post.status()}, not 303`);
    const row = await page.evaluate((title) => {
      const tr = [...document.querySelectorAll('tr')].find((r) => r.querySelector('th') && r.querySelector('th').textContent.startsWith(title));
      return tr ? [...tr.querySelectorAll('td')].map((td) => td.textContent.replace(/\s+/g, ' ').trim()) : null;
    }, PROJECT);
    expect(row && row.includes('01.03.2027 bis 2029'), `the draft lists the project as ${JSON.stringify(row)}, without „01.03.2027 bis 2029“`);
    console.log(`ok: Leitprojekt saved: ${row.join(' | ')}`);
    noTrouble();

    // 6. The comparison, reached from the draft: the decided version chosen as the older one.
    const compareLink = page.getByRole('link', { name: 'Mit einer anderen Fassung vergleichen', exact: true });
    expect(await compareLink.count() === 1, `${draftPath} has ${await compareLink.count()} link(s) „Mit einer anderen Fassung vergleichen“, not 1`);
    [res] = await Promise.all([page.waitForNavigation(), compareLink.click()]);
    expect(res.status() === 200, `${page.url()} answered ${res.status()}`);
    expect(new URL(page.url()).pathname === '/konzept/vergleich', `the link leads to ${page.url()}, not /konzept/vergleich`);
    await page.getByLabel('Ältere Fassung', { exact: true }).selectOption(String(decided));
    const newer = await page.getByLabel('Neuere Fassung', { exact: true }).inputValue();
    expect(newer === String(draft), `„Neuere Fassung“ is ${newer}, not the draft ${draft}`);
    [res] = await Promise.all([page.waitForNavigation(),
      page.getByRole('button', { name: 'Vergleichen', exact: true }).press('Enter')]);
    expect(res.status() === 200, `${page.url()} answered ${res.status()}`);
    const q = new URL(page.url()).searchParams;
    expect(q.get('von') === String(decided) && q.get('bis') === String(draft),
      `„Vergleichen“ leads to ${page.url()}, not von=${decided}&bis=${draft}`);
    const diff = await page.evaluate((title) => {
      const section = [...document.querySelectorAll('main section')]
        .find((s) => s.querySelector('h2') && s.querySelector('h2').textContent.trim() === title);
      if (!section) return { missing: [...document.querySelectorAll('main section h2')].map((h) => h.textContent.trim()) };
      // A mark as it is seen and as it is heard: its line, its words, the hidden prefix.
      const mark = (e) => {
        const hidden = [...e.querySelectorAll('*')].find((c) => {
          const r = c.getBoundingClientRect();
          const s = getComputedStyle(c);
          return r.width <= 1 && r.height <= 1 && s.display !== 'none' && s.visibility !== 'hidden';
        });
        const seen = [...e.childNodes].filter((n) => n !== hidden).map((n) => n.textContent).join('').trim();
        return { line: getComputedStyle(e).textDecorationLine, hidden: hidden ? hidden.textContent.trim() : null, seen };
      };
      return {
        ins: [...section.querySelectorAll('ins')].map(mark),
        del: [...section.querySelectorAll('del')].map(mark),
        all: [...document.querySelectorAll('main ins, main del')].map((e) => [e.tagName.toLowerCase(), mark(e)]),
      };
    }, SECTION);
    expect(!diff.missing, `the comparison lists no section „${SECTION}“, only: ${JSON.stringify(diff.missing)}`);
    expect(diff.ins.length > 0 && diff.del.length > 0, `„${SECTION}“ has ${diff.ins.length} ins and ${diff.del.length} del element(s)`);
    expect(diff.ins.some((m) => m.seen.includes('spürbar')), `no ins in „${SECTION}“ holds the new words: ${JSON.stringify(diff.ins)}`);
    for (const [tag, m] of diff.all) {
      const [line, prefix] = tag === 'ins' ? ['underline', 'neu:'] : ['line-through', 'gestrichen:'];
      expect(m.line.split(/\s+/).includes(line), `a ${tag} („${m.seen}“) has text-decoration-line ${JSON.stringify(m.line)}, not ${line}`);
      expect(m.hidden === prefix, `a ${tag} („${m.seen}“) has the visually hidden text ${JSON.stringify(m.hidden)}, not „${prefix}“`);
    }
    console.log('ok: comparison marks added and removed words');
    await axeClean(page, axe, 'comparison');
    noTrouble();
    await context.close();

    // 7. The version in force as the public sees it, in a browser without a login.
    const pub = await newContext();
    const visitor = await pub.newPage();
    res = await visitor.goto(base + '/konzept');
    expect(res.status() === 200, `/konzept answered ${res.status()} to the public`);
    const edits = await visitor.locator('a[href*="/abschnitt/"]').count();
    expect(edits === 0, `/konzept shows the public ${edits} edit link(s)`);
    await axeClean(visitor, axe, 'public konzept');
    noTrouble();
    await pub.close();

    console.log('konzept flow ok');
    await browser.close();
    process.exit(0);
  } catch (e) {
    console.log(`FAIL: ${e instanceof Failure ? e.message : e.stack || e}`);
    const told = e instanceof Failure && trouble.length && e.message === trouble.join('; ');
    if (trouble.length && !told) console.log(`FAIL: ${trouble.join('; ')}`);
    await browser.close().catch(() => {});
    process.exit(1);
  }
})().catch((e) => {
  console.log(`FAIL: ${e.stack || e}`);
  process.exit(1);
});
