// Checks kimo pages in headless Chromium: axe-core WCAG 2.1 A/AA rules, and keyboard use
// (the first Tab reaches the skip link, which moves focus to the main content).
// Usage: node check.js BASE_URL PATH...   Prints one line per page; exits 1 on any violation.
const { chromium } = require('playwright-core');
const fs = require('fs');

(async () => {
  const [base, ...paths] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const axe = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  let failures = 0;
  for (const path of paths) {
    const page = await browser.newPage();
    await page.goto(base + path);
    await page.addScriptTag({ content: axe });
    const result = await page.evaluate(async () =>
      await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }));
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement && document.activeElement.textContent.trim());
    await page.keyboard.press('Enter');
    const hash = await page.evaluate(() => location.hash);
    const keyboard = first === 'Zum Inhalt springen' && hash === '#inhalt';
    console.log(`${path}: ${result.violations.length} violations, ${result.passes.length} rules passed, skip link ${keyboard ? 'ok' : 'MISSING'}`);
    for (const v of result.violations) {
      console.log(`  ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
    }
    if (result.violations.length > 0 || !keyboard) failures++;
    await page.close();
  }
  await browser.close();
  process.exit(failures ? 1 : 0);
})().catch(e => { console.error(e); process.exit(2); });
