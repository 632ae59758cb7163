// First paint and interactivity benchmark (not a test). The baseline is a
// bare Yew counter built the same way (fixtures/counter, built to
// target/counter-dist/): time from navigation to its first render. Against
// it, for the landing page and one tour step of the shipped site (dist/):
// - first contentful paint: the prerendered HTML and stylesheet on screen;
// - interactive: the wasm has taken over (<html data-app="ready">) and a
//   click on a control has its effect (the click is made in the page the
//   moment it is ready, so no round trip to Playwright is counted).
// On an unthrottled and a throttled profile (4x CPU slowdown, 9 Mbit/s,
// 60 ms latency, set through the DevTools protocol). Everything is served
// gzipped from loopback with caching off. Run by `cargo xtask bench`, which
// reads the medians from target/bench/first-render.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { PORT_BASE, launch, serve } from './browser.mjs';

const RUNS = Number(process.env.FIRST_RENDER_RUNS || 9);
const counter = { root: 'target/counter-dist', port: PORT_BASE };
const site = { root: 'dist', port: PORT_BASE + 1 };
// Each page's control, and what shows once the app has answered its click
// (absent before it: checked, so an effect already on screen fails the run).
const pages = [
  { name: 'landing page', path: './', click: '.intro-actions .primary', shows: { selector: '.step-view' } },
  { name: 'tour step page', path: 'tour/sticky-crash/2/', click: '#step-next', shows: { selector: '.narration strong', text: 'Step 3 of 4' } },
];
const profiles = [
  { name: 'unthrottled', throttled: false, cpu: 1, network: null },
  { name: 'throttled (4x CPU, 9 Mbit/s, 60 ms)', throttled: true, cpu: 4, network: { latency: 60, downloadThroughput: (9e6 / 8), uploadThroughput: (9e6 / 8) } },
];

// The floor: a one-line static page, for what any page costs before its
// content (the navigation, a round trip, the first frame) on each profile.
writeFileSync(`${counter.root}/floor.html`, '<!doctype html><html lang=en><meta charset=utf-8><title>floor</title><p>One line of static HTML.</p>');

const servers = await Promise.all([counter, site].map((s) => serve(s.root, s.port, { gzip: true })));
const browser = await launch();

// Records when the counter first puts an element into <body>: Yew's first render.
const watchFirstRender = () => {
  new MutationObserver((records, observer) => {
    for (const r of records) {
      for (const n of r.addedNodes) {
        if (n.nodeType === 1 && n.parentNode === document.body && !['SCRIPT', 'NOSCRIPT', 'LINK'].includes(n.nodeName)) {
          window.__firstRender = performance.now();
          observer.disconnect();
          return;
        }
      }
    }
  }).observe(document, { childList: true, subtree: true });
};

// Records when the app takes the page over, clicks the control then, and
// records when the click's effect shows.
const watchInteractive = ({ click, shows }) => {
  const shown = () => {
    const e = document.querySelector(shows.selector);
    return e !== null && (shows.text === undefined || e.textContent.includes(shows.text));
  };
  const answered = () => {
    if (window.__interactive === undefined && shown()) window.__interactive = performance.now();
    return window.__interactive !== undefined;
  };
  new MutationObserver((_, observer) => {
    if (document.documentElement.dataset.app !== 'ready') return;
    observer.disconnect();
    window.__ready = performance.now();
    if (shown()) {
      window.__error = `${shows.selector} already shows before the click`;
      return;
    }
    const control = document.querySelector(click);
    if (control === null) {
      window.__error = `no ${click} once ready`;
      return;
    }
    control.click();
    if (answered()) return;
    new MutationObserver((_, o) => answered() && o.disconnect())
      .observe(document, { childList: true, subtree: true, characterData: true });
  // The document, not <html>: an init script runs before <html> is parsed.
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-app'] });
};

const fcp = () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime;

async function load(url, profile, init, arg, done) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const tab = await context.newPage();
  await tab.addInitScript(init, arg);
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
  if (profile.network) await cdp.send('Network.emulateNetworkConditions', { offline: false, ...profile.network });
  await tab.goto(url);
  await tab.waitForFunction(done, null, { timeout: 60_000 });
  // The paint entry can follow the render it paints by a frame.
  await tab.waitForFunction(fcp, null, { timeout: 10_000 });
  const out = await tab.evaluate(() => ({
    firstRender: window.__firstRender,
    ready: window.__ready,
    interactive: window.__interactive,
    error: window.__error,
    fcp: performance.getEntriesByName('first-contentful-paint')[0].startTime,
  }));
  await context.close();
  if (out.error) throw new Error(`${url}: ${out.error}`);
  return out;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(0)} ms`;
/** Medians of each figure over RUNS loads, after one to warm up the server and the browser. */
async function measure(...args) {
  await load(...args);
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await load(...args));
  const of = (key) => median(runs.map((r) => r[key]));
  return { runs, of };
}

const results = [];
try {
  for (const profile of profiles) {
    const c = await measure(`http://127.0.0.1:${counter.port}/`, profile, watchFirstRender, null, () => window.__firstRender !== undefined);
    const base = c.of('firstRender');
    const spread = c.runs.map((r) => r.firstRender);
    console.log(`${profile.name}, bare Yew counter: first render ${ms(base)} (median of ${RUNS}; min ${ms(Math.min(...spread))}, max ${ms(Math.max(...spread))}), first contentful paint ${ms(c.of('fcp'))}`);
    const floor = (await measure(`http://127.0.0.1:${counter.port}/floor.html`, profile, () => {}, null, () => true)).of('fcp');
    console.log(`${profile.name}, a one-line static page: first contentful paint ${ms(floor)} = ${(floor / base).toFixed(2)}x the counter's first render`);
    const row = { profile: profile.name, throttled: profile.throttled, counter_first_render_ms: base, counter_fcp_ms: c.of('fcp'), floor_fcp_ms: floor, pages: [] };
    for (const page of pages) {
      const { name, path, click, shows } = page;
      const p = await measure(`http://127.0.0.1:${site.port}/${path}`, profile, watchInteractive, { click, shows }, () => window.__interactive !== undefined || window.__error !== undefined);
      const [paint, ready, interactive] = [p.of('fcp'), p.of('ready'), p.of('interactive')];
      // Interactive: the app has taken over, so a click works from here on
      // (the run checks that one made at that moment takes effect; how long
      // the app then takes to play a step is its work, reported beside it).
      console.log(`${profile.name}, ${name} (${path}): first contentful paint ${ms(paint)} = ${(paint / base).toFixed(2)}x the counter's first render; interactive (taken over) ${ms(ready)} = ${(ready / base).toFixed(2)}x; its click answered at ${ms(interactive)} (medians of ${RUNS})`);
      row.pages.push({ name, path, fcp_ms: paint, interactive_ms: ready, answered_ms: interactive });
    }
    results.push(row);
  }
} finally {
  await browser.close();
  for (const s of servers) s.kill();
}
mkdirSync('target/bench', { recursive: true });
writeFileSync('target/bench/first-render.json', JSON.stringify({ runs: RUNS, profiles: results }, null, 2));
