// The embed kit on real documentation sites (MkDocs Material and mdBook,
// built here with the generators `cargo xtask setup` installs), each on its
// own origin, six <statelab-embed> tour steps on one page: posters with no
// wasm, click and keyboard to load, sizing, theme following the site's own
// switch, and the message API both ways, foreign origins ignored.
import { test, expect } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { STEPS, buildMdbook, buildMkdocs, serve } from '../docs-sites.mjs';

const PLAYGROUND = `http://127.0.0.1:${Number(process.env.PW_PORT || 4173)}/`;
const DIR = 'target/e2e/docs-sites';
const site = {};

// Another origin than both the docs site and the playground (`localhost`
// against `127.0.0.1`): it posts a command to every frame of its parent and a
// forged event to the parent itself, then says so.
const FOREIGN = `<!doctype html><script>
for (let i = 0; i < parent.length; i++) parent.frames[i].postMessage({ statelab: 1, type: 'next' }, '*');
parent.postMessage({ statelab: 1, type: 'step', tour: 'forged', step: 9 }, '*');
parent.postMessage({ foreign: 'done' }, '*');
</script>`;

test.describe.configure({ mode: 'serial' });

/** Builds and serves a generator's site the first time a test needs it. */
async function siteOf(generator) {
  if (!site[generator]) {
    mkdirSync(DIR, { recursive: true });
    site[generator] = generator === 'mkdocs' ? await serve(buildMkdocs(DIR, PLAYGROUND), { '/foreign.html': FOREIGN }) : await serve(buildMdbook(DIR, PLAYGROUND));
  }
  return `http://127.0.0.1:${site[generator].port}/`;
}

test.afterAll(() => {
  for (const s of Object.values(site)) s.close();
});

/** Every request for the app's wasm or script the page (and its frames) made. */
function appRequests(page) {
  const seen = [];
  page.on('request', (r) => /statelab-[a-z]+-[0-9a-f]+(_bg)?\.(wasm|js)$/.test(r.url()) && seen.push(r.url()));
  return seen;
}

/** Collects the elements' DOM events in `window.__events` as `[index, type, detail]`. */
const recordEvents = (page) =>
  page.addInitScript(() => {
    window.__events = [];
    const types = ['statelab-ready', 'statelab-step', 'statelab-action', 'statelab-resize', 'statelab-answer', 'statelab-error'];
    for (const type of types) {
      document.addEventListener(type, (e) => {
        const all = [...document.querySelectorAll('statelab-embed')];
        window.__events.push([all.indexOf(e.target), type, e.detail]);
      });
    }
  });
const events = (page, type) => page.evaluate((t) => window.__events.filter((e) => e[1] === t), type);

const embed = (page, i) => page.locator('statelab-embed').nth(i);
const frameOf = (page, i) => embed(page, i).locator('iframe').contentFrame();

/** The poster has reported its height, so it listens for `load` (the frame's height is set from the report). */
const posterReported = (page, i) => expect.poll(() => embed(page, i).locator('iframe').evaluate((f) => f.style.height)).toMatch(/^\d+px$/);

/** Each frame's height equals its content's, within a pixel or so. */
async function expectSized(page, i) {
  await expect
    .poll(async () => {
      const content = await frameOf(page, i).locator('html').evaluate((e) => e.scrollHeight);
      const box = await embed(page, i).locator('iframe').boundingBox();
      return Math.abs(box.height - content) <= 2 && content > 200;
    })
    .toBe(true);
}

for (const generator of ['mkdocs', 'mdbook']) {
  test(`${generator}: six posters paint with no wasm, sized to their content`, async ({ page }) => {
    const app = appRequests(page);
    await page.goto(await siteOf(generator));
    await expect(page.locator('statelab-embed')).toHaveCount(6);
    for (const [i, [tour, step]] of STEPS.entries()) {
      await expect(frameOf(page, i).locator('html')).toHaveClass(/poster/);
      await expect(frameOf(page, i).locator('.narration strong')).toHaveText(new RegExp(`^Step ${step} of \\d+$`));
      await expect(embed(page, i).getByRole('button', { name: `Load the interactive playground: Statelab: tour ${tour}, step ${step}` })).toBeVisible();
      await expectSized(page, i);
    }
    expect(app, 'a poster loads no app').toEqual([]);
  });
}

test('mkdocs: a click loads one playground, which then reports and takes commands', async ({ page }) => {
  await recordEvents(page);
  const app = appRequests(page);
  const stepPages = [];
  page.on('request', (r) => r.url().includes('/tour/sticky-crash/2/embed/') && stepPages.push(new URL(r.url()).search));
  await page.goto(await siteOf('mkdocs'));
  await expect(frameOf(page, 0).locator('html')).toHaveClass(/poster/);
  // The poster has reported, so it listens, as it has long before a reader clicks.
  await posterReported(page, 0);
  await embed(page, 0).getByRole('button', { name: /^Load the interactive playground/ }).click();
  await expect.poll(() => events(page, 'statelab-ready')).toEqual([[0, 'statelab-ready', { tour: 'sticky-crash', step: 2, steps: 4 }]]);
  await expect(frameOf(page, 0).locator('html')).toHaveAttribute('data-app', 'ready');
  // One bundle, fetched once: the poster's preload and the loader's agree.
  expect(app.filter((u) => u.endsWith('.wasm'))).toEqual([expect.stringMatching(/\/statelab-core-[0-9a-f]+_bg\.wasm$/)]);
  // The app started in the poster's own page, which was fetched once, and its
  // address no longer says poster.
  expect(stepPages).toEqual(['?poster=1&theme=light']);
  await expect(frameOf(page, 0).locator('html')).not.toHaveClass(/poster/);
  expect(await frameOf(page, 0).locator('html').evaluate(() => location.search)).toBe('?theme=light');
  expect(await embed(page, 0).locator('iframe').evaluate((f) => f.inert)).toBe(false);
  await expect(frameOf(page, 1).locator('html')).toHaveClass(/poster/);
  await expectSized(page, 0);
  // Host → frame, by the element's methods; frame → host, by its events.
  await embed(page, 0).evaluate((e) => e.next());
  await expect(frameOf(page, 0).locator('.narration strong')).toHaveText('Step 3 of 4');
  await expect.poll(() => events(page, 'statelab-step')).toEqual([[0, 'statelab-step', { tour: 'sticky-crash', step: 3 }]]);
  // Step 3 of sticky-crash: S1 crashes, then alice's request (see the tour's transcript).
  const actions = await events(page, 'statelab-action');
  expect(actions).toHaveLength(1);
  expect(actions[0][2].lanes.map((l) => l.lane)).toEqual(['A', 'B']);
  for (const lane of actions[0][2].lanes) expect(lane.statuses.every((s) => Number.isInteger(s) && s >= 100)).toBe(true);
  await embed(page, 0).evaluate((e) => e.goto(0));
  await expect(frameOf(page, 0).locator('.narration strong')).toHaveText('Step 0 of 4');
  await embed(page, 0).evaluate((e) => e.reset());
  await expect(frameOf(page, 0).locator('.narration strong')).toHaveText('Step 2 of 4');
  await embed(page, 0).evaluate((e) => e.play());
  await expect(frameOf(page, 0).getByRole('button', { name: 'Pause' })).toHaveAttribute('aria-pressed', 'true');
  await embed(page, 0).evaluate((e) => e.pause());
  await expect(frameOf(page, 0).getByRole('button', { name: 'Play', exact: true })).toHaveAttribute('aria-pressed', 'false');
  // Malformed commands get a precise error back.
  await embed(page, 0).evaluate((e) => e.goto(99));
  await embed(page, 0).evaluate((e) => e.post({ type: 'jump' }));
  await embed(page, 0).evaluate((e) => e.frame.contentWindow.postMessage({ statelab: 2, type: 'next' }, e.origin));
  await expect.poll(async () => (await events(page, 'statelab-error')).map((e) => e[2].message)).toEqual([
    expect.stringMatching(/^goto: step 99 is past the end: this tour has steps 0 to 4$/),
    'unknown message type `jump`; expected one of goto, next, prev, play, pause, reset, theme',
    'unsupported version `statelab: 2`: this frame speaks version 1',
  ]);
  // A learner's answer, dispatched in the page as the step's question does, reaches the host.
  await frameOf(page, 0).locator('html').evaluate(() => document.dispatchEvent(new CustomEvent('statelab:answer', { detail: { step: 2, lane: 'B', answer: 401, correct: true, type: 'forged' } })));
  await expect.poll(() => events(page, 'statelab-answer')).toEqual([[0, 'statelab-answer', { step: 2, lane: 'B', answer: 401, correct: true }]]);
  // A method on a poster loads it first, then runs.
  await embed(page, 3).evaluate((e) => e.goto(0));
  await expect(frameOf(page, 3).locator('.narration strong')).toHaveText('Step 0 of 3');
});

test('mkdocs: any state a link carries embeds, behind a card until loaded; load="visible" loads in view', async ({ page }) => {
  await recordEvents(page);
  const app = appRequests(page);
  await page.goto(await siteOf('mkdocs'));
  await page.evaluate(() => {
    const free = document.createElement('statelab-embed');
    free.setAttribute('link', '?b=local.sticky.3&log=login.alice~me.alice');
    document.querySelector('.embeds').prepend(free);
  });
  const free = embed(page, 0);
  await expect(free.locator('.card')).toHaveText('Statelab playground: an interactive simulation of stateless and stateful servers.');
  expect(app).toEqual([]);
  await free.getByRole('button', { name: 'Load the interactive playground: Statelab playground' }).click();
  await expect.poll(() => events(page, 'statelab-ready')).toEqual([[0, 'statelab-ready', { tour: null, step: 0, steps: 0 }]]);
  await expect(frameOf(page, 0).locator('.lane-b-rows article.exchange')).toHaveCount(2);
  await free.evaluate((e) => e.next());
  await expect.poll(async () => (await events(page, 'statelab-error')).map((e) => e[2].message)).toEqual(['next: this embed shows free play, not a tour, so it has no steps']);
  // Far below the fold, loading when it comes into view.
  await page.evaluate(() => {
    const spacer = document.createElement('div');
    spacer.style.height = '5000px';
    const late = document.createElement('statelab-embed');
    late.setAttribute('tour', 'cart');
    late.setAttribute('step', '1');
    late.setAttribute('load', 'visible');
    late.id = 'late';
    document.querySelector('.embeds').append(spacer, late);
  });
  await expect(page.locator('#late iframe').contentFrame().locator('html')).toHaveClass(/poster/);
  await page.locator('#late').scrollIntoViewIfNeeded();
  await expect(page.locator('#late iframe').contentFrame().locator('html')).toHaveAttribute('data-app', 'ready');
});

test('mkdocs: messages from another origin are ignored, both ways', async ({ page }) => {
  await recordEvents(page);
  await page.goto(await siteOf('mkdocs'));
  await embed(page, 0).getByRole('button', { name: /^Load the interactive playground/ }).click();
  await expect.poll(async () => (await events(page, 'statelab-ready')).length).toBe(1);
  // A plain iframe of an embed page, as a host without the kit frames it (the
  // kit's frames sit in shadow roots, out of other windows' reach); what it
  // tells the page is recorded.
  await page.evaluate((src) => {
    window.__plain = [];
    const frame = document.createElement('iframe');
    frame.id = 'plain';
    frame.src = src;
    addEventListener('message', (e) => e.source === frame.contentWindow && e.data?.statelab === 1 && e.data.type !== 'resize' && window.__plain.push(e.data));
    document.body.prepend(frame);
  }, `${PLAYGROUND}tour/sticky-crash/2/embed/`);
  const told = () => page.evaluate(() => window.__plain.map((m) => [m.type, m.step ?? m.message]));
  await expect.poll(told).toEqual([['ready', 2]]);
  await page.evaluate((port) => {
    window.__foreign = new Promise((done) => addEventListener('message', (e) => e.data?.foreign === 'done' && done()));
    const frame = document.createElement('iframe');
    frame.src = `http://localhost:${port}/foreign.html`;
    document.body.append(frame);
  }, site.mkdocs.port);
  await page.evaluate(() => window.__foreign);
  // The foreign page posted to every frame of the page: the plain one and itself.
  expect(await page.evaluate(() => window.length)).toBe(2);
  // The parent's command after the foreign `next`: had that been taken, step 3 would have been told first.
  await page.evaluate((origin) => document.getElementById('plain').contentWindow.postMessage({ statelab: 1, type: 'goto', step: 1 }, origin), new URL(PLAYGROUND).origin);
  await expect(page.locator('#plain').contentFrame().locator('.narration strong')).toHaveText('Step 1 of 4');
  await expect.poll(told).toEqual([['ready', 2], ['step', 1]]);
  // The forged `step` the foreign page posted to the host page reached no element's events.
  await embed(page, 0).evaluate((e) => e.goto(1));
  await expect.poll(() => events(page, 'statelab-step')).toEqual([[0, 'statelab-step', { tour: 'sticky-crash', step: 1 }]]);
  expect(await events(page, 'statelab-error'), 'ignored, not answered').toEqual([]);
});

test('mkdocs: the keyboard loads a figure and goes on into it', async ({ page }) => {
  await page.goto(await siteOf('mkdocs'));
  const load = embed(page, 1).getByRole('button', { name: /^Load the interactive playground/ });
  await load.focus();
  await page.keyboard.press('Enter');
  await expect(frameOf(page, 1).locator('html')).toHaveAttribute('data-app', 'ready');
  expect(await embed(page, 1).evaluate((e) => e.shadowRoot.activeElement?.tagName)).toBe('IFRAME');
  await embed(page, 2).getByRole('button', { name: /^Load the interactive playground/ }).focus();
  await page.keyboard.press('Space');
  await expect(frameOf(page, 2).locator('html')).toHaveAttribute('data-app', 'ready');
  // The poster itself is inert: Tab never lands on its dead controls.
  expect(await embed(page, 3).locator('iframe').evaluate((f) => f.inert)).toBe(true);
});

test('mkdocs: figures follow the site palette toggle, posters and live frames alike', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(await siteOf('mkdocs'));
  await embed(page, 0).getByRole('button', { name: /^Load the interactive playground/ }).click();
  await expect(frameOf(page, 0).locator('html')).toHaveAttribute('data-app', 'ready');
  for (const i of [0, 1]) await expect(frameOf(page, i).locator('html')).toHaveAttribute('data-theme', 'light');
  await page.getByTitle('Switch to dark mode').first().click();
  await expect(page.locator('body')).toHaveAttribute('data-md-color-scheme', 'slate');
  for (const i of STEPS.keys()) await expect(frameOf(page, i).locator('html')).toHaveAttribute('data-theme', 'dark');
  // The live frame's background is the dark palette's, not only an attribute.
  await expect(frameOf(page, 0).locator('body')).toHaveCSS('background-color', 'rgb(13, 17, 23)');
  // A poster turned dark after it loaded, then started in place: the app reads dark from its address.
  await posterReported(page, 1);
  await embed(page, 1).getByRole('button', { name: /^Load the interactive playground/ }).click();
  await expect(frameOf(page, 1).locator('html')).toHaveAttribute('data-app', 'ready');
  expect(await frameOf(page, 1).locator('html').evaluate(() => location.search)).toBe('?theme=dark');
  await expect(frameOf(page, 1).locator('body')).toHaveCSS('background-color', 'rgb(13, 17, 23)');
  await page.getByTitle('Switch to light mode').first().click();
  for (const i of STEPS.keys()) await expect(frameOf(page, i).locator('html')).toHaveAttribute('data-theme', 'light');
  // A fixed theme attribute wins over the site's switch.
  await embed(page, 2).evaluate((e) => e.setTheme('dark'));
  await expect(frameOf(page, 2).locator('html')).toHaveAttribute('data-theme', 'dark');
});

test("mdbook: figures follow the book's theme menu", async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(await siteOf('mdbook'));
  await embed(page, 4).getByRole('button', { name: /^Load the interactive playground/ }).click();
  await expect(frameOf(page, 4).locator('html')).toHaveAttribute('data-app', 'ready');
  for (const i of STEPS.keys()) await expect(frameOf(page, i).locator('html')).toHaveAttribute('data-theme', 'light');
  // The book's own menu (it may stay open after a choice).
  const choose = async (name) => {
    const menu = page.getByRole('button', { name: 'Change theme' });
    if ((await menu.getAttribute('aria-expanded')) !== 'true') await menu.click();
    await page.getByRole('menuitem', { name }).click();
  };
  await choose('Navy');
  for (const i of STEPS.keys()) await expect(frameOf(page, i).locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.locator('html')).toHaveClass(/navy/);
  await choose('Rust');
  for (const i of STEPS.keys()) await expect(frameOf(page, i).locator('html')).toHaveAttribute('data-theme', 'light');
  await expectSized(page, 4);
});

// Docusaurus and VitePress are not built here (each is a Node toolchain of
// its own): these pages switch theme the way each generator's own toggle
// does, on <html>, which is all the kit reads of them. Docusaurus writes
// `data-theme="light|dark"`; VitePress adds and removes the class `dark`,
// and marks its pages with `#VPContent`, so no class means light there.
const SWITCHES = {
  docusaurus: {
    page: (body) => `<!doctype html><html data-theme="light"><body>${body}</body></html>`,
    dark: (html) => html.setAttribute('data-theme', 'dark'),
    light: (html) => html.setAttribute('data-theme', 'light'),
  },
  vitepress: {
    page: (body) => `<!doctype html><html><body><div id="VPContent">${body}</div></body></html>`,
    dark: (html) => html.classList.add('dark'),
    light: (html) => html.classList.remove('dark'),
  },
};

for (const [generator, to] of Object.entries(SWITCHES)) {
  test(`${generator}: figures follow the site's theme as its toggle writes it`, async ({ page }) => {
    // The system prefers dark: a light VitePress page must still be read as light.
    await page.emulateMedia({ colorScheme: 'dark' });
    const body = STEPS.slice(0, 2).map(([tour, step]) => `<statelab-embed tour="${tour}" step="${step}"></statelab-embed>`).join('\n');
    const host = await serve(DIR, { '/theme.html': to.page(`<script type="module" src="${PLAYGROUND}embed.js"></script>${body}`) });
    try {
      await page.goto(`http://127.0.0.1:${host.port}/theme.html`);
      await embed(page, 0).getByRole('button', { name: /^Load the interactive playground/ }).click();
      await expect(frameOf(page, 0).locator('html')).toHaveAttribute('data-app', 'ready');
      for (const i of [0, 1]) await expect(frameOf(page, i).locator('html')).toHaveAttribute('data-theme', 'light');
      await page.locator('html').evaluate(to.dark);
      for (const i of [0, 1]) await expect(frameOf(page, i).locator('html')).toHaveAttribute('data-theme', 'dark');
      await page.locator('html').evaluate(to.light);
      for (const i of [0, 1]) await expect(frameOf(page, i).locator('html')).toHaveAttribute('data-theme', 'light');
    } finally {
      host.close();
    }
  });
}
