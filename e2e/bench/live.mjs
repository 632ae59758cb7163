// Live-traffic benchmark (not a test): `live=10000x2000` on both lanes, the
// top rate, with lane B on sticky sessions, played for 20 s in a fresh
// browser with S1 crashed after 5 s. Reports whether the page keeps pace
// (live traffic plays half a simulated second every 250 ms: 2 simulated
// seconds a second, fewer if a lane falls behind), how often the charts
// update (4 a second when keeping pace), and long tasks on the page's main
// thread. Run by `cargo xtask bench` against dist/.
import { PORT_BASE, launch, liveSeconds as seconds, liveStarted, recordLongTasks, serve } from './browser.mjs';

const PORT = PORT_BASE + 4;
const QUERY = 'live=10000x2000&b=local.sticky.3';
const SECONDS = 20;
const server = await serve('dist', PORT, { gzip: true });
try {
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await recordLongTasks(page);
  await page.goto(`http://127.0.0.1:${PORT}/?${QUERY}`);
  const start = await liveStarted(page);
  await page.waitForTimeout(5_000);
  await page.getByRole('group', { name: 'Faults, on both lanes at once' }).getByRole('button', { name: 'Crash S1 in both lanes' }).click();
  await page.waitForTimeout((SECONDS - 5) * 1000);
  const end = { at: Date.now(), sim: await seconds(page), renders: await page.evaluate(() => window.__statelabLoad.renders) };
  const r = await page.evaluate((from) => ({
    longTasks: window.__longTasks.filter((t) => t.start >= from).map((t) => Math.round(t.ms)),
    told: document.querySelector('.live-events li')?.textContent ?? '',
    lost: [...document.querySelectorAll("td[data-k='sessions_lost']")].map((td) => td.dataset.v),
  }), start.page);
  await page.getByRole('button', { name: 'Stop live traffic' }).click();
  await browser.close();
  const real = (end.at - start.at) / 1000;
  const pace = (end.sim - start.sim) / real;
  console.log(`${QUERY}: ${(end.sim - start.sim)} simulated s in ${real.toFixed(1)} s, ${pace.toFixed(2)} simulated s a second (2.00 when keeping pace: ${(pace * 2000).toFixed(0)} of 4,000 requests a second per lane); chart updates ${((end.renders - start.renders) / real).toFixed(1)}/s (budget 4); long tasks over 50 ms on the main thread: ${r.longTasks.length ? r.longTasks.join(', ') + ' ms' : 'none'}`);
  console.log(`the crash, told: ${r.told}`);
  console.log(`sessions lost: lane A ${r.lost[0]}, lane B ${r.lost[1]}`);
} finally {
  server.kill();
}
