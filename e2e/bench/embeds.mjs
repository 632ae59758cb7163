// The embed kit's budget (not a test): a MkDocs Material page with six
// <statelab-embed> tour steps, default loading (posters, click to load),
// against the same page with none (e2e/docs-sites.mjs builds both).
// - before the reader interacts: bytes transferred (every response the page
//   and its frames received, gzipped as served) and renderer memory (the
//   proportional set size of every Chromium renderer process, after a
//   garbage collection), budget ≤ 200 KB and ≤ 1.5× the bare page;
// - once a figure is clicked: time from the click to its frame's `ready`
//   message, against a bare Yew counter's first render (fixtures/counter),
//   budget ≤ 1.5×.
// The docs site, the playground (dist/) and the counter are served gzipped
// from loopback, each on its own origin. Run by `cargo xtask bench`.
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { PORT_BASE, launch, serve as serveDist } from './browser.mjs';
import { STEPS, buildMkdocs, serve } from '../docs-sites.mjs';

const RUNS = Number(process.env.EMBED_RUNS || 5);
const PLAYGROUND_PORT = PORT_BASE + 6;
const COUNTER_PORT = PORT_BASE + 7;
const playground = `http://127.0.0.1:${PLAYGROUND_PORT}/`;
const dir = 'target/bench/docs-sites';
mkdirSync(`${dir}/with`, { recursive: true });
mkdirSync(`${dir}/without`, { recursive: true });
const sites = {
  with: await serve(buildMkdocs(`${dir}/with`, playground, true)),
  without: await serve(buildMkdocs(`${dir}/without`, playground, false)),
};
const servers = [await serveDist('dist', PLAYGROUND_PORT, { gzip: true }), await serveDist('target/counter-dist', COUNTER_PORT, { gzip: true })];
// A host serves its files compressed ahead of time; e2e/serve.mjs compresses
// each on its first request, which would charge that to whichever figure
// asked first. So every script and wasm is asked for once before timing.
for (const [dir, port] of [['dist', PLAYGROUND_PORT], ['target/counter-dist', COUNTER_PORT]]) {
  for (const file of readdirSync(dir).filter((f) => /\.(wasm|js)$/.test(f))) await (await fetch(`http://127.0.0.1:${port}/${file}`)).arrayBuffer();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;

/** Proportional set size of every renderer process of `browser`, in bytes. */
async function rendererMemory(browser) {
  const cdp = await browser.newBrowserCDPSession();
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  let total = 0;
  for (const p of processInfo.filter((p) => p.type === 'renderer')) {
    try {
      const pss = readFileSync(`/proc/${p.id}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m);
      total += Number(pss[1]) * 1024;
    } catch {
      // A renderer that exited between the list and the read holds nothing.
    }
  }
  await cdp.detach();
  return total;
}

/** One load of a docs page, untouched: bytes received and renderer memory once everything settled. */
async function before(url, embeds) {
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  let bytes = 0;
  const wasm = [];
  page.on('requestfinished', async (r) => {
    const s = await r.sizes();
    bytes += s.responseBodySize + s.responseHeadersSize;
    if (/\.wasm$/.test(r.url())) wasm.push(r.url());
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  if (embeds) {
    for (const i of STEPS.keys()) await page.locator('statelab-embed').nth(i).locator('iframe').contentFrame().locator('.narration strong').waitFor();
  }
  await page.waitForLoadState('networkidle');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const memory = await rendererMemory(browser);
  await browser.close();
  if (wasm.length) throw new Error(`${url}: a poster loaded ${wasm.join(', ')}`);
  return { bytes, memory };
}

const profiles = [
  { name: 'unthrottled', cpu: 1, network: null },
  { name: 'throttled (4x CPU, 9 Mbit/s, 60 ms)', cpu: 4, network: { latency: 60, downloadThroughput: 9e6 / 8, uploadThroughput: 9e6 / 8 } },
];

async function throttle(context, page, profile) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
  if (profile.network) await cdp.send('Network.emulateNetworkConditions', { offline: false, ...profile.network });
}

/** The bare counter's first render: navigation to its first element in <body>. */
async function counterFirstRender(browser, profile) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    new MutationObserver((records, o) => {
      if (records.some((r) => [...r.addedNodes].some((n) => n.nodeType === 1 && n.parentNode === document.body && !['SCRIPT', 'NOSCRIPT', 'LINK'].includes(n.nodeName)))) {
        window.__firstRender = performance.now();
        o.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await throttle(context, page, profile);
  await page.goto(`http://127.0.0.1:${COUNTER_PORT}/`);
  const t = await page.waitForFunction(() => window.__firstRender).then((h) => h.jsonValue());
  await context.close();
  return t;
}

/** Click to `ready` for figure `i` (scrolled into view first), in the page's own clock. */
async function clickToReady(browser, profile, i) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await throttle(context, page, profile);
  await page.goto(`http://127.0.0.1:${sites.with.port}/`);
  const el = page.locator('statelab-embed').nth(i);
  await el.locator('iframe').contentFrame().locator('.narration strong').waitFor();
  // The poster has reported its height, so it listens for the click's `load`:
  // what a reader finds, who clicks a figure they have seen.
  await el.evaluate((e) => new Promise((up) => {
    const check = () => (e.shadowRoot.querySelector('iframe').style.height ? up() : setTimeout(check, 10));
    check();
  }));
  await el.scrollIntoViewIfNeeded();
  const ms = await el.evaluate((e) => new Promise((done) => {
    e.addEventListener('statelab-ready', () => done(performance.now() - start), { once: true });
    const start = performance.now();
    e.shadowRoot.querySelector('button.load').click();
  }));
  await context.close();
  return ms;
}

try {
  const runs = { with: [], without: [] };
  for (let r = 0; r < RUNS; r++) {
    runs.without.push(await before(`http://127.0.0.1:${sites.without.port}/`, false));
    runs.with.push(await before(`http://127.0.0.1:${sites.with.port}/`, true));
  }
  const of = (which, key) => median(runs[which].map((x) => x[key]));
  const [bytes, bareBytes, memory, bareMemory] = [of('with', 'bytes'), of('without', 'bytes'), of('with', 'memory'), of('without', 'memory')];
  console.log(`page with six embeds, before interaction: ${kb(bytes)} transferred (the page alone ${kb(bareBytes)}; the embeds ${kb(bytes - bareBytes)}); budget 200 KB: ${bytes <= 200 * 1024 ? 'met' : 'NOT met'} (medians of ${RUNS})`);
  console.log(`renderer memory: ${mb(memory)} against ${mb(bareMemory)} for the page with no embeds = ${(memory / bareMemory).toFixed(2)}x; budget 1.5x: ${memory <= 1.5 * bareMemory ? 'met' : 'NOT met'} (medians of ${RUNS}, PSS of every renderer process)`);
  const browser = await launch();
  for (const profile of profiles) {
    await counterFirstRender(browser, profile);
    // In turns, so both sides meet the same moments of the machine: each
    // round, the counter three times (a fresh page's first render varies
    // far more than a click in a loaded page: 270 to 503 ms over ten loads,
    // throttled), then each figure once. Each side is a median.
    const counter = [];
    const clicks = STEPS.map(() => []);
    for (let r = 0; r < RUNS; r++) {
      for (let k = 0; k < 3; k++) counter.push(await counterFirstRender(browser, profile));
      for (const i of STEPS.keys()) clicks[i].push(await clickToReady(browser, profile, i));
    }
    const ready = clicks.map(median);
    const base = median(counter);
    const worst = Math.max(...ready);
    const single = Math.max(...clicks.flat());
    console.log(`${profile.name}: bare Yew counter's first render ${base.toFixed(0)} ms (median of ${counter.length}, ${Math.min(...counter).toFixed(0)} to ${Math.max(...counter).toFixed(0)}); click to ready per figure (median of ${RUNS} each) ${ready.map((t) => t.toFixed(0)).join(', ')} ms, median ${median(ready).toFixed(0)} ms = ${(median(ready) / base).toFixed(2)}x, slowest figure ${(worst / base).toFixed(2)}x (slowest single click ${(single / base).toFixed(2)}x); budget 1.5x: ${worst <= 1.5 * base ? 'met' : 'NOT met'}`);
  }
  await browser.close();
} finally {
  sites.with.close();
  sites.without.close();
  for (const s of servers) s.kill();
}
