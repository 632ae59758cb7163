// First-render benchmark (not a test): time from navigation to the app's
// first render, for the shipped page (dist/) and a bare Yew counter built
// the same way (fixtures/counter, built to target/counter-dist/), on an
// unthrottled and a throttled profile (4x CPU slowdown, 9 Mbit/s, 60 ms
// latency, set through the DevTools protocol). Both are served gzipped from
// loopback with caching off. Run by `cargo xtask bench`.
import { PORT_BASE, launch, serve } from './browser.mjs';

const RUNS = Number(process.env.FIRST_RENDER_RUNS || 9);
const BASE = PORT_BASE;
const pages = [
  { name: 'bare Yew counter', root: 'target/counter-dist', port: BASE },
  { name: 'Statelab (dist/)', root: 'dist', port: BASE + 1 },
];
const profiles = [
  { name: 'unthrottled', cpu: 1, network: null },
  { name: 'throttled (4x CPU, 9 Mbit/s, 60 ms)', cpu: 4, network: { latency: 60, downloadThroughput: (9e6 / 8), uploadThroughput: (9e6 / 8) } },
];

const servers = await Promise.all(pages.map((p) => serve(p.root, p.port, { gzip: true })));
const browser = await launch();

// Records when the app first puts an element into <body>: Yew's first render.
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

async function firstRender(page, profile) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const tab = await context.newPage();
  await tab.addInitScript(watchFirstRender);
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
  if (profile.network) await cdp.send('Network.emulateNetworkConditions', { offline: false, ...profile.network });
  await tab.goto(`http://127.0.0.1:${page.port}/`);
  await tab.waitForFunction(() => window.__firstRender !== undefined, null, { timeout: 60_000 });
  const ms = await tab.evaluate(() => window.__firstRender);
  await context.close();
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  for (const profile of profiles) {
    const medians = [];
    for (const page of pages) {
      await firstRender(page, profile); // warm up the server and the browser
      const samples = [];
      for (let i = 0; i < RUNS; i++) samples.push(await firstRender(page, profile));
      const m = median(samples);
      medians.push(m);
      console.log(`first render, ${profile.name}, ${page.name}: ${m.toFixed(0)} ms (median of ${RUNS}; min ${Math.min(...samples).toFixed(0)}, max ${Math.max(...samples).toFixed(0)})`);
    }
    console.log(`first render, ${profile.name}: Statelab / counter = ${(medians[1] / medians[0]).toFixed(2)}x`);
  }
} finally {
  await browser.close();
  for (const s of servers) s.kill();
}
