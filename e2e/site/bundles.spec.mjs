// The app comes in bundles (sim/src/fleet/kind.rs, src/bundle.rs): a page
// loads the smallest that runs its lanes, so a page of HTTP lanes fetches no
// byte of the connection lanes' code, and a page that needs them loads their
// bundle. A core page asked for a chat lane moves to the connection bundle
// with its state in the address; Make a tour moves a page to the one bundle
// with the tour editor (`all`).
import { test, expect } from '../fixtures.mjs';
import { requests, watchErrors } from '../helpers.mjs';

/** dist/bundles.json: each bundle's name, kinds and files. */
async function bundle(page, name) {
  const list = await (await page.request.get('./bundles.json')).json();
  return list.find((b) => b.name === name);
}

/** The file names a page fetches from here on. */
function fetches(page) {
  const names = [];
  page.on('request', (r) => names.push(new URL(r.url()).pathname.split('/').pop()));
  return names;
}

test('an HTTP tour page fetches the core bundle and no connection bundle bytes', async ({ page }) => {
  const [core, conn] = [await bundle(page, 'core'), await bundle(page, 'connections')];
  const fetched = fetches(page);
  await page.goto('./tour/sticky-crash/2/');
  await expect(page.locator('html')).toHaveAttribute('data-bundle', 'core');
  expect(fetched).toContain(core.wasm);
  expect(fetched).not.toContain(conn.js);
  expect(fetched).not.toContain(conn.wasm);
  // Its preload names the bundle it loads, and only that one.
  const preloads = await page.locator('link[rel=preload], link[rel=modulepreload]').evaluateAll((ls) => ls.map((l) => l.href));
  expect(preloads.some((h) => h.endsWith(core.wasm))).toBe(true);
  expect(preloads.some((h) => h.includes(conn.js) || h.includes(conn.wasm))).toBe(false);
});

test('a connection tour page loads the connection bundle and its frames play', async ({ page }) => {
  const errors = watchErrors(page);
  const [core, conn] = [await bundle(page, 'core'), await bundle(page, 'connections')];
  const fetched = fetches(page);
  await page.goto('./tour/chat-memory-vs-pubsub/0/');
  await expect(page.locator('html')).toHaveAttribute('data-bundle', 'connections');
  expect(fetched).toContain(conn.wasm);
  expect(fetched).not.toContain(core.wasm);
  // The app runs the tour: a step plays and its frames show.
  await page.getByRole('button', { name: /next step|start/i }).first().click();
  await expect(page.locator('.step-socket, .step-event, .step-card').first()).toBeVisible();
  expect(errors).toEqual([]);
});

test('switching a lane to a chat app in the core bundle lands in the connection bundle, state kept', async ({ page }) => {
  await page.goto('./?log=login.alice');
  await expect(page.locator('html')).toHaveAttribute('data-bundle', 'core');
  const logins = requests(page, 'a').filter({ hasText: 'POST /login' });
  await expect(logins).toHaveCount(1);
  await page.selectOption('#lane-b-app', 'chat-pubsub');
  await expect(page.locator('html')).toHaveAttribute('data-bundle', 'connections');
  await expect(page.locator('html')).toHaveAttribute('data-app', 'ready');
  // The same state, now with lane B on the chat app: alice's login is still
  // there, and lane B's app is the one picked.
  await expect(page.locator('#lane-b-app')).toHaveValue('chat-pubsub');
  await expect(page.locator('#lane-a-app')).toHaveValue('shop');
  await expect(logins).toHaveCount(1);
  // The switch is the log's second action, after the login, as in one bundle.
  await expect(page).toHaveURL(/log=login\.alice~config\.b\.chat-pubsub/);
});

test('a free-play link with a connection lane loads only the connection bundle', async ({ page }) => {
  const [core, conn] = [await bundle(page, 'core'), await bundle(page, 'connections')];
  const fetched = fetches(page);
  await page.goto('./?a=chat-memory:jwt.rr.3&log=login.alice~connect.alice');
  await expect(page.locator('html')).toHaveAttribute('data-bundle', 'connections');
  await expect(page.locator('#lane-a-app')).toHaveValue('chat-memory');
  expect(fetched).toContain(conn.wasm);
  expect(fetched).not.toContain(core.wasm);
});

test('only the all bundle carries the tour editor, and Make a tour on a connection page moves there, state kept', async ({ page }) => {
  const list = await (await page.request.get('./bundles.json')).json();
  expect(list.filter((b) => b.authoring).map((b) => b.name)).toEqual(['all']);
  const all = await bundle(page, 'all');
  const fetched = fetches(page);
  await page.goto('./?a=chat-memory:jwt.rr.3&log=login.alice~connect.alice');
  await expect(page.locator('html')).toHaveAttribute('data-bundle', 'connections');
  expect(fetched).not.toContain(all.wasm);
  await page.getByRole('button', { name: 'Make a tour' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-bundle', 'all');
  await expect(page.locator('html')).toHaveAttribute('data-app', 'ready');
  expect(fetched).toContain(all.wasm);
  // The chat lane and its log came along, and the editor is open on them.
  await expect(page.locator('#lane-a-app')).toHaveValue('chat-memory');
  await expect(page.locator('#make-tour-form')).toBeVisible();
  await expect(page.getByRole('group', { name: /^Action 2: / })).toBeVisible();
  await expect(page).not.toHaveURL(/make=/);
});

test("picking another kind's tour moves the page to the bundle that carries it, and back", async ({ page }) => {
  const errors = watchErrors(page);
  const [core, conn] = [await bundle(page, 'core'), await bundle(page, 'connections')];
  await page.goto('./tour/ws-handshake/1/');
  await expect(page.locator('html')).toHaveAttribute('data-app', 'ready');
  await expect(page.locator('html')).toHaveAttribute('data-bundle', 'connections');
  // The connection bundle carries no HTTP tour's script: picking one moves the page to `core`.
  const fetched = fetches(page);
  await page.selectOption('#scenario', 'sticky-crash');
  await expect(page.locator('html')).toHaveAttribute('data-bundle', 'core');
  await expect(page.locator('html')).toHaveAttribute('data-app', 'ready');
  await expect(page.locator('.scenario-title')).toHaveText('Sticky sessions and a crash');
  await expect(page.locator('.narration strong')).toHaveText('Step 0 of 4');
  expect(fetched).toContain(core.wasm);
  // And a connection tour from there moves it back.
  await page.selectOption('#scenario', 'chat-memory-vs-pubsub');
  await expect(page.locator('html')).toHaveAttribute('data-bundle', 'connections');
  await expect(page.locator('.scenario-title')).toHaveText('A chat room in memory against pub/sub');
  expect(fetched).toContain(conn.wasm);
  // Each pick was the reader's own move: Back walks them, as within one bundle.
  await page.goBack();
  await expect(page.locator('.scenario-title')).toHaveText('Sticky sessions and a crash');
  await page.goBack();
  await expect(page).toHaveURL(/\/tour\/ws-handshake\/1\/$/);
  await expect(page.locator('html')).toHaveAttribute('data-bundle', 'connections');
  expect(errors).toEqual([]);
});

test("a tour link's other lanes and log do not pick a bundle that lacks the tour", async ({ page }) => {
  let loads = 0;
  page.on('load', () => loads++);
  await page.goto('./?scenario=sticky-crash&step=2&a=chat-memory:jwt.rr.2&log=config.b.ftp:jwt.rr.2');
  await expect(page.locator('html')).toHaveAttribute('data-app', 'ready');
  await expect(page.locator('html')).toHaveAttribute('data-bundle', 'core');
  await expect(page.locator('.narration strong')).toHaveText('Step 2 of 4');
  await expect(page.locator('#lane-a-app')).toHaveValue('shop');
  // One document load: no bundle sent the page on.
  expect(loads).toBe(1);
});
