// What every benchmark in e2e/bench/ starts with: a static server for a
// built site and a headless Chromium (Debian's, never a downloaded one),
// launched the same way each time so their figures compare.
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';

// BENCH_PORT_BASE moves every benchmark server, so two checkouts can run them at once.
export const PORT_BASE = Number(process.env.BENCH_PORT_BASE || 4191);

/** Serves `root` on `port` (gzipped when asked, as a host would), once it is up. */
export async function serve(root, port, { gzip = false, nodeArgs = [] } = {}) {
  const args = [...nodeArgs, 'e2e/serve.mjs', '--root', root, '--port', String(port), ...(gzip ? ['--gzip'] : [])];
  const server = spawn('node', args, { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 700));
  return server;
}

export const launch = () => chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

/** Before the page's own scripts: keeps every long task (over 50 ms) in `window.__longTasks`. */
export const recordLongTasks = (page) => page.addInitScript(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: true });
});

/** Simulated seconds live traffic has played, as its status line says (-1 before it starts). */
export const liveSeconds = (page) => page.evaluate(() => Number(document.querySelector('.load-status')?.textContent.match(/^Live: (\d+) simulated s/)?.[1] ?? -1));

/** Waits for live traffic to start, then marks where it stands: wall time,
 * simulated seconds, chart renders and the page's clock (long tasks count from it). */
export async function liveStarted(page) {
  await page.waitForFunction(() => /^Live: \d/.test(document.querySelector('.load-status')?.textContent ?? ''), null, { timeout: 60_000 });
  return { at: Date.now(), sim: await liveSeconds(page), renders: await page.evaluate(() => window.__statelabLoad.renders), page: await page.evaluate(() => performance.now()) };
}
