// Big-log benchmark (not a test): a playground whose link carries 100,000
// actions. How long do opening the link, Undo and changing a lane's
// configuration take in the page? Budgets: open ≤ 2 s; Undo and a config
// change ≤ 100 ms. Each load gets a browser of its own (three 100,000-action
// pages in one renderer would measure its memory, not the page). Run by
// `cargo xtask bench` against dist/.
import { PORT_BASE, launch, serve } from './browser.mjs';

const PORT = PORT_BASE + 2;
const ACTIONS = 100_000;
// Node's default 16 KB header limit would refuse the 900 KB request line.
const server = await serve('dist', PORT, { nodeArgs: ['--max-http-header-size=4194304'] });
const link = (n) => `http://127.0.0.1:${PORT}/?log=${['login.alice', ...Array(n - 1).fill('me.alice')].join('~')}`;
const url = link(ACTIONS);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Opens the link in a fresh browser; returns the page and navigation-to-first-render ms. */
async function open(address = url) {
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addInitScript(() => {
    new MutationObserver((records, observer) => {
      // The app has taken the page over (src/takeover.rs): the page's
      // prerendered state is hidden until then for a link like this one.
      if (document.documentElement.dataset.app === 'ready') { window.__rendered = performance.now(); observer.disconnect(); }
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-app'] });
  });
  await page.goto(address, { timeout: 120_000 });
  await page.waitForFunction(() => window.__rendered !== undefined, null, { timeout: 120_000 });
  return { browser, page, ms: await page.evaluate(() => window.__rendered) };
}

/** From just before Playwright dispatches `act` to the page showing its
 *  result (the history's newest action number changed, or lane B's balancer
 *  select), read on the page's clock: an upper bound, as it includes the
 *  dispatch (finding the control, Playwright's checks that it is ready, its
 *  round trips). Also, as the page lives it: from the `type` event to the
 *  next animation frame, which comes after the app has rendered (it renders
 *  before the event's task ends). On a busy 2-core machine the dispatch alone
 *  took ~100 ms for an Undo on a 10-action link. */
async function timed(page, act, done, arg, type) {
  await page.evaluate((type) => {
    window.__frame = new Promise((resolve) => addEventListener(type, (e) => {
      requestAnimationFrame(() => resolve(performance.now() - e.timeStamp));
    }, { capture: true, once: true }));
  }, type);
  const t0 = await page.evaluate(() => performance.now());
  await act();
  await page.waitForFunction(done, arg, { timeout: 60_000, polling: 'raf' });
  const outer = (await page.evaluate(() => performance.now())) - t0;
  return { outer, frame: await page.evaluate(() => window.__frame) };
}

const newest = () => document.querySelector('.h-actions .seq')?.textContent;

/** Five Undos and five config changes on `page`, reported for `n` actions. */
async function changes(page, n) {
    const undo = [];
    const config = [];
    for (let k = 0; k < 5; k++) {
      const before = await page.evaluate(newest);
      undo.push(await timed(page, () => page.getByRole('button', { name: 'Undo', exact: true }).click(),
        (was) => document.querySelector('.h-actions .seq')?.textContent !== was, before, 'click'));
      const pick = k % 2 ? 'rr' : 'sticky';
      config.push(await timed(page, () => page.locator('select#lane-b-balancer').selectOption(pick),
        (pick) => document.querySelector('select#lane-b-balancer').value === pick && document.querySelector('.lanes'), pick, 'change'));
    }
    const figures = (xs) => `${median(xs).toFixed(0)} ms (median of 5; ${xs.map((x) => x.toFixed(0)).join(', ')})`;
    const report = (what, ts) => console.log(`${what} with ${n} actions: ${figures(ts.map((t) => t.outer))} from dispatch to the page showing it; ${figures(ts.map((t) => t.frame))} from the ${what === 'undo' ? 'click' : 'change'} event to the next frame`);
    report('undo', undo);
    report('config change', config);
}

try {
  console.log(`link: ${ACTIONS} actions, ${(url.length / 1024).toFixed(0)} KB of URL`);
  const opens = [];
  for (let i = 0; i < 3; i++) {
    const { browser, page, ms } = await open();
    opens.push(ms);
    if (i === 2) await changes(page, ACTIONS);
    await browser.close();
  }
  // The same on a 10-action link: what the dispatch costs when the page's work is small.
  const small = await open(link(10));
  await changes(small.page, 10);
  await small.browser.close();
  console.log(`open the ${ACTIONS}-action link: navigation to the takeover (the app showing it) ${opens.map((t) => t.toFixed(0)).join(', ')} ms (3 loads), median ${median(opens).toFixed(0)} ms`);
} finally {
  server.kill();
}
