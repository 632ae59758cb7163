// Big-log benchmark (not a test): a playground whose link carries 100,000
// actions. How long do opening the link, Undo and changing a lane's
// configuration take in the page? Budgets: open ≤ 2 s; Undo and a config
// change ≤ 100 ms. Run by `cargo xtask bench` against dist/.
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';

const PORT = 4193;
const ACTIONS = 100_000;
// Node's default 16 KB header limit would refuse the 900 KB request line.
const server = spawn('node', ['--max-http-header-size=4194304', 'e2e/serve.mjs', '--root', 'dist', '--port', String(PORT)], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

/** Milliseconds from `act()` to the DOM change it causes and the next frame. */
async function timed(page, act) {
  await page.evaluate(() => {
    window.__changed = new Promise((resolve) => {
      const obs = new MutationObserver(() => { obs.disconnect(); resolve(performance.now()); });
      obs.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
  });
  const t0 = await page.evaluate(() => performance.now());
  await act();
  return page.evaluate(async (t0) => {
    const dom = await window.__changed;
    const frame = await new Promise((r) => requestAnimationFrame(() => r(performance.now())));
    return { dom: dom - t0, frame: frame - t0 };
  }, t0);
}

try {
  const log = ['login.alice', ...Array(ACTIONS - 1).fill('me.alice')].join('~');
  const url = `http://127.0.0.1:${PORT}/?log=${log}`;
  console.log(`link: ${ACTIONS} actions, ${(url.length / 1024).toFixed(0)} KB of URL`);
  const opens = [];
  for (let i = 0; i < 3; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.addInitScript(() => {
      new MutationObserver((records, observer) => {
        if (document.body?.querySelector('main, section')) { window.__rendered = performance.now(); observer.disconnect(); }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(url, { timeout: 120_000 });
    await page.waitForFunction(() => window.__rendered !== undefined, null, { timeout: 120_000 });
    opens.push(await page.evaluate(() => window.__rendered));
    if (i < 2) { await page.close(); continue; }
    const undo = [];
    const config = [];
    for (let k = 0; k < 5; k++) {
      undo.push(await timed(page, () => page.getByRole('button', { name: 'Undo', exact: true }).click()));
      const pick = k % 2 ? 'round robin' : 'sticky cookie';
      config.push(await timed(page, () => page.getByLabel('Balancer').nth(1).selectOption(pick)));
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`undo with ${ACTIONS} actions: DOM ${median(undo.map((u) => u.dom)).toFixed(1)} ms, next frame ${median(undo.map((u) => u.frame)).toFixed(1)} ms (median of 5)`);
    console.log(`config change with ${ACTIONS} actions: DOM ${median(config.map((u) => u.dom)).toFixed(1)} ms, next frame ${median(config.map((u) => u.frame)).toFixed(1)} ms (median of 5)`);
  }
  console.log(`open the ${ACTIONS}-action link: navigation to first render ${opens.map((t) => t.toFixed(0)).join(', ')} ms (3 loads)`);
} finally {
  await browser.close();
  server.kill();
}
