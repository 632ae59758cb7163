// Live traffic on connection lanes (benchmark, not a test): `live=10000x2000`
// on a chat room in server memory (lane A) and over pub/sub (lane B), least
// connections over 3 servers. Each load user logs in, then opens its
// WebSocket, so after 10 simulated seconds each lane holds 10,000 open
// connections; then every turn is a chat line. Played for 30 s in a fresh
// browser with S1 crashed at 15 s (its connections drop and reconnect).
// Reports the connections each lane holds, whether the page keeps pace, and
// long tasks on the page's main thread: the budget is 10,000 open
// connections per lane with no long task over 50 ms. Run by `cargo xtask bench`.
import { PORT_BASE, launch, liveSeconds as seconds, liveStarted, recordLongTasks, serve } from './browser.mjs';

const PORT = PORT_BASE + 5;
const QUERY = 'a=chat-memory:jwt.leastconn.3&b=chat-pubsub:jwt.leastconn.3&live=10000x2000';
const SECONDS = 30;
const CRASH_AT = 15;
const server = await serve('dist', PORT, { gzip: true });
try {
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await recordLongTasks(page);
  await page.goto(`http://127.0.0.1:${PORT}/?${QUERY}`);
  // Connections open at the end of the last closed second, lane by lane, from the chart's table.
  const open = () => page.evaluate(() => ['a', 'b'].map((l) => {
    const cells = document.querySelectorAll(`#connections-open-per-server-${l}-details tbody td.all`);
    return Number((cells[cells.length - 1]?.textContent ?? '0').replaceAll(',', ''));
  }));
  const start = await liveStarted(page);
  await page.waitForTimeout(CRASH_AT * 1000);
  const before = await open();
  const crashAt = await page.evaluate(() => performance.now());
  await page.getByRole('group', { name: 'Faults, on both lanes at once' }).getByRole('button', { name: 'Crash S1 in both lanes' }).click();
  await page.waitForTimeout((SECONDS - CRASH_AT) * 1000);
  const end = { at: Date.now(), sim: await seconds(page), renders: await page.evaluate(() => window.__statelabLoad.renders), open: await open() };
  const all = await page.evaluate((from) => window.__longTasks.filter((t) => t.start >= from), start.page);
  const tasks = all.map((t) => Math.round(t.ms));
  const when = all.map((t) => `${Math.round(t.ms)} ms at ${((t.start - crashAt) / 1000).toFixed(1)} s from the crash`);
  await page.getByRole('button', { name: 'Stop live traffic' }).click();
  await browser.close();
  const real = (end.at - start.at) / 1000;
  const pace = (end.sim - start.sim) / real;
  const longest = tasks.length ? Math.max(...tasks) : 0;
  console.log(`${QUERY}: ${end.sim - start.sim} simulated s in ${real.toFixed(1)} s, ${pace.toFixed(2)} simulated s a second (2.00 when keeping pace); chart updates ${((end.renders - start.renders) / real).toFixed(1)}/s (budget 4)`);
  console.log(`connections open before the crash: lane A ${before[0].toLocaleString('en-US')}, lane B ${before[1].toLocaleString('en-US')} (budget 10,000 per lane); at the end: lane A ${end.open[0].toLocaleString('en-US')}, lane B ${end.open[1].toLocaleString('en-US')}`);
  console.log(`long tasks over 50 ms on the main thread: ${when.length ? when.join(', ') : 'none'} (budget: none); longest ${longest ? longest + ' ms' : 'under 50 ms (the Long Tasks API reports none shorter)'}`);
} finally {
  server.kill();
}
