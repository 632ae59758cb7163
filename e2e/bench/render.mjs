// Render benchmark (not a test): with 1,000 exchanges per lane already in
// the playground, how long does one more action take to reach the screen?
// Measured in the page with the Performance API, from the click to the DOM
// update (MutationObserver) and to the next animation frame. Run by
// `cargo xtask bench` against the shipped build, dist/.

import { PORT_BASE, launch, serve } from './browser.mjs';

const PORT = PORT_BASE - 1;
const server = await serve('dist', PORT);
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const log = ['login.alice', ...Array(999).fill('me.alice')].join('~');
  await page.goto(`http://127.0.0.1:${PORT}/?log=${log}`);
  const laneB = page.locator('.h-head p').nth(1);
  await laneB.filter({ hasText: ' 1000 requests ' }).waitFor({ timeout: 60_000 });

  const measure = () => page.evaluate(async () => {
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent === 'GET /api/me');
    const heading = document.querySelectorAll('.h-head p')[1];
    const before = heading.textContent;
    const t0 = performance.now();
    const updated = new Promise((resolve) => {
      const obs = new MutationObserver(() => {
        if (heading.textContent !== before) { obs.disconnect(); resolve(performance.now()); }
      });
      obs.observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    button.click();
    const t1 = await updated;
    const t2 = await new Promise((r) => requestAnimationFrame(() => r(performance.now())));
    return { dom: t1 - t0, frame: t2 - t0 };
  });
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const run = async (label) => {
    for (let i = 0; i < 3; i++) await measure(); // warm up
    const samples = [];
    for (let i = 0; i < 15; i++) samples.push(await measure());
    const dom = median(samples.map((s) => s.dom));
    const frame = median(samples.map((s) => s.frame));
    console.log(`render ${label}: DOM updated in ${dom.toFixed(1)} ms, next frame at ${frame.toFixed(1)} ms (median of 15)`);
  };
  await run('with 1000 exchanges per lane, the newest 20 actions drawn');
  const more = page.getByRole('button', { name: /^Show \d+ earlier actions?/ });
  while (await more.count()) await more.first().click();
  await page.waitForTimeout(500);
  await run('with every action of both lanes drawn (2000+ rows)');

  // A tour step: its fleet animation must not block the page. Long tasks
  // (over 50 ms) from each Next step until its dot has come home.
  await page.goto(`http://127.0.0.1:${PORT}/?scenario=sticky-crash`);
  // Clicks before the app has taken the page over would land on its prerendered buttons.
  await page.waitForFunction(() => document.documentElement.dataset.app === 'ready');
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((l) => window.__long.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: false });
  });
  for (let step = 0; step < 4; step++) {
    await page.getByRole('button', { name: 'Next step' }).click();
    await page.waitForTimeout(2000);
  }
  const long = await page.evaluate(() => window.__long);
  console.log(`tour steps (4, each with its fleet animation): ${long.length} long tasks over 50 ms${long.length ? ` (${long.map((d) => d.toFixed(0)).join(', ')} ms)` : ''}`);
} finally {
  await browser.close();
  server.kill();
}
