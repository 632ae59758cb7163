// Content first: every page of the site is the view rendered at build time
// (src/bin/prerender.rs). Without JavaScript each tour step reads as the step
// (narration and evidence, checked against the engine's own transcript); with
// it, the wasm takes the page over with identical markup and nothing moves.
import { test, expect, ready } from '../fixtures.mjs';
// Without waiting for the takeover: pages read without JavaScript, or with the wasm held back.
import { test as plain } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { watchErrors } from '../helpers.mjs';

const BIN = 'target/debug/statelab';
if (!existsSync(BIN)) throw new Error(`${BIN} is missing: the native test layer builds it`);

/** Every tour step's page the build wrote: `tour/<id>/<step>/` and its `embed/`. */
const stepPages = readdirSync('dist/tour').flatMap((id) =>
  readdirSync(`dist/tour/${id}`).map(Number).sort((a, b) => a - b).map((step) => ({ id, step })),
);

/** A tour as the engine's command prints it: narrations, and each lane's exchanges by number. */
const transcripts = new Map();
function transcript(id) {
  if (!transcripts.has(id)) {
    const text = execFileSync(BIN, ['transcript', id]).toString();
    const says = [...text.matchAll(/^ {2}step \d+: (.*)$/gm)].map((m) => m[1]);
    const { lanes } = JSON.parse(execFileSync(BIN, ['transcript', id, '--json']).toString());
    transcripts.set(id, { says, lanes: lanes.map((l) => new Map(l.exchanges.map((x) => [x.seq, x]))) });
  }
  return transcripts.get(id);
}

test('the build wrote a page, full and embedded, for every step of every tour', () => {
  const tours = execFileSync(BIN, ['scenarios']).toString().match(/^\S+/gm);
  expect(readdirSync('dist/tour').sort()).toEqual([...tours].sort());
  for (const id of tours) {
    const steps = transcript(id).says.length;
    expect(stepPages.filter((p) => p.id === id).map((p) => p.step)).toEqual([...Array(steps + 1).keys()]);
    for (let step = 0; step <= steps; step++) expect(existsSync(`dist/tour/${id}/${step}/embed/index.html`)).toBe(true);
  }
});

plain.describe('without JavaScript', () => {
  plain.use({ javaScriptEnabled: false });

  plain('every tour step reads as its step: narration, each request of the step and why, the fleets, its own title and cards', async ({ page }) => {
    // Every step of every tour, twice (full and embed): bounded by the number of steps.
    plain.setTimeout(stepPages.length * 6_000);
    // Each lane's exchange numbers as the full pages show them, step by step.
    const shown = new Map();
    for (const { id, step } of stepPages) {
      const { says, lanes } = transcript(id);
      if (step === 0) shown.set(id, [[], []]);
      for (const embed of [false, true]) {
        const path = `tour/${id}/${step}/${embed ? 'embed/' : ''}`;
        await page.goto(path);
        const narration = page.locator('.narration');
        await expect(narration.locator('strong'), path).toHaveText(`Step ${step} of ${says.length}`);
        if (step > 0) {
          const say = says[step - 1];
          await expect(narration.locator('p'), path).toHaveText(say);
          await expect(page).toHaveTitle(new RegExp(`— step ${step} of ${says.length} \\| Statelab$`));
          // The narration, or its first 200 characters or so, cut at a word.
          const description = await page.locator('meta[name=description]').getAttribute('content');
          expect(say.startsWith(description.replace(/…$/, '')), `${path}: ${description}`).toBe(true);
          expect(description.length).toBeGreaterThanOrEqual(Math.min(say.length, 150));
          // Each card is an exchange the engine recorded, with its status, server and last trace line.
          for (const [i, letter] of ['A', 'B'].entries()) {
            const cards = page.locator('.step-lane').filter({ has: page.getByRole('heading', { name: new RegExp(`^Lane ${letter}`) }) }).locator('.step-card');
            for (const card of await cards.all()) {
              const line = await card.locator('.step-req').textContent();
              const [, seq, server] = line.match(/^#(\d+) .* → (.+)$/);
              const x = lanes[i].get(Number(seq));
              if (!embed) shown.get(id)[i].push(Number(seq));
              expect(x, `${path}: lane ${letter}'s #${seq} is in the engine's transcript`).toBeTruthy();
              await expect(card.locator('.status')).toHaveText(new RegExp(`^${x.status} `));
              if (x.server) expect(server, `${path} #${seq}`).toBe(x.server);
              // The transcript is the tour's end. A later step may add one line to an
              // exchange (a crash cutting a download's body); before it, the card
              // shows the line before that one.
              if (x.trace.length) {
                const why = await card.locator('.step-why').textContent();
                const then = step < says.length ? [x.trace.at(-1), x.trace.at(-2)] : [x.trace.at(-1)];
                expect(then, `${path} #${seq}`).toContain(why);
              }
              // Each header line in the message its arrow says: → the request's, ← the response's.
              for (const [side, message] of [['Request', x.request], ['Response', x.response]]) {
                for (const header of await card.getByRole('group', { name: `${side} headers` }).locator('code').allTextContents()) {
                  expect(message, `${path} #${seq} highlights a header it ${side === 'Request' ? 'sent' : 'got'}`).toContain(header.slice(2));
                }
              }
              await expect(card.locator('.step-detail code'), `${path} #${seq}: every header line is in a side's group`).toHaveCount(await card.locator('.step-headers code').count());
            }
          }
        }
        await expect(page.locator('link[rel=canonical]')).toHaveAttribute('href', `tour/${id}/${step}/`);
        await expect(page.locator('meta[property="og:title"]')).toHaveAttribute('content', await page.title());
        await expect(page.locator('meta[name="twitter:card"]')).toHaveAttribute('content', 'summary');
        await expect(page.locator('meta[name=robots]')).toHaveCount(embed ? 1 : 0);
        await expect(page.locator('.noscript')).toContainText('needs JavaScript');
        // The controls that need script are left out; the note links on.
        await expect(page.getByRole('button', { name: 'Next step' })).toBeHidden();
        if (step < says.length) await expect(page.locator('.noscript').getByRole('link', { name: 'Next step' })).toHaveAttribute('href', `tour/${id}/${step + 1}/${embed ? 'embed/' : ''}`);
        // The step's two fleets, and each lane's panel's (none at a tour's start: no step yet).
        if (!embed) await expect(page.locator('svg.fleet')).toHaveCount(step > 0 ? 4 : 2);
      }
      if (step === says.length) {
        // Every request the tour makes is on the page of the step that made it, once, in order.
        for (const i of [0, 1]) expect(shown.get(id)[i], `${id}, lane ${'AB'[i]}`).toEqual([...lanes[i].keys()]);
      }
    }
  });

  plain('the fleets are drawn as they stand after the step: S1 is down from the crash on', async ({ page }) => {
    await page.goto('tour/sticky-crash/2/');
    await expect(page.locator('svg.fleet [aria-label*="S1 (down"]')).toHaveCount(0);
    await page.goto('tour/sticky-crash/3/');
    // Both lanes, in the step's figure and in each lane's panel.
    await expect(page.locator('svg.fleet [aria-label*="S1 (down"]')).toHaveCount(4);
  });

  plain('the landing page introduces the idea and lists every tour', async ({ page }) => {
    await page.goto('./');
    await expect(page.getByRole('heading', { name: 'Why state is the hard part' })).toBeVisible();
    const tours = execFileSync(BIN, ['scenarios']).toString().match(/^\S+/gm);
    const links = page.locator('.noscript a[href^="tour/"]');
    await expect(links).toHaveCount(tours.length);
    expect(await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(tours.map((t) => `tour/${t}/0/`));
  });
});

test('sitemap.xml lists the root, every full step page and Learn, and each is served', async ({ request }) => {
  const xml = await (await request.get('sitemap.xml')).text();
  const locs = [...xml.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1]);
  const pages = stepPages.map((p) => `tour/${p.id}/${p.step}/`);
  expect(locs.sort()).toEqual(['./', ...pages, 'learn.html'].sort());
  for (const loc of locs) expect((await request.get(loc)).status(), loc).toBe(200);
});

/** In the page: `app`'s markup, each form control's value (and a check
 * box's or radio button's state) written in as `data-value` and
 * `data-checked` (the wasm sets them as properties, the prerenderer as
 * markup; in a parsed document a control's state is what its markup says). */
function markupOf(app) {
  const copy = app.cloneNode(true);
  const live = app.querySelectorAll('input, textarea');
  copy.querySelectorAll('input, textarea').forEach((e, i) => {
    e.removeAttribute('value');
    e.removeAttribute('checked');
    e.textContent = '';
    e.setAttribute('data-value', live[i].value);
    if (live[i].type === 'checkbox' || live[i].type === 'radio') e.setAttribute('data-checked', String(live[i].checked));
  });
  return copy.innerHTML;
}

/** The page's #app, as `markupOf` writes it. */
const markup = (page) => page.locator('#app').evaluate(markupOf);

/** Where each element of #app is drawn, in whole pixels of the page. (Text
 * the server wrote as one node the browser may build from several, which
 * can move what follows it on the line by a hundredth of a pixel.) */
const layout = (page) =>
  page.locator('#app').evaluate((app) =>
    [...app.querySelectorAll('*')].map((e) => {
      const r = e.getBoundingClientRect();
      return [e.tagName, r.x + scrollX, r.y + scrollY, r.width, r.height].map((v) => (typeof v === 'number' ? Math.round(v) : v)).join(' ');
    }),
  );

/** Opens `path` with the app's wasm held back until `release()`: the page as a visitor sees it before the wasm arrives. */
async function openHeld(page, path) {
  let release;
  const held = new Promise((r) => (release = r));
  await page.route(/_bg\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  await page.addInitScript(() => {
    window.__shifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts.push(e.value);
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto(path, { waitUntil: 'domcontentloaded' });
  return release;
}

for (const width of [360, 1280]) {
  for (const path of ['./', 'tour/sticky-crash/3/', 'tour/sticky-crash/3/embed/']) {
    plain(`${path} at ${width} px: the wasm takes over with identical markup and no layout shift`, async ({ page }) => {
      const errors = watchErrors(page);
      await page.setViewportSize({ width, height: 800 });
      const release = await openHeld(page, path);
      await expect(page.locator('#app main')).toBeVisible();
      expect(await page.evaluate(() => document.documentElement.dataset.app)).toBeUndefined();
      const before = await markup(page);
      const boxes = await layout(page);
      release();
      await ready(page);
      expect(await markup(page)).toBe(before);
      expect(await layout(page), 'every element where it was').toEqual(boxes);
      const cls = await page.evaluate(() => window.__shifts.reduce((a, b) => a + b, 0));
      expect(cls, 'cumulative layout shift').toBeLessThanOrEqual(0.01);
      expect(errors).toEqual([]);
    });
  }
}

test('every tour step page is taken over with the markup it was prerendered with', async ({ page }) => {
  test.setTimeout(stepPages.length * 6_000);
  for (const { id, step } of stepPages) {
    for (const embed of ['', 'embed/']) {
      const path = `tour/${id}/${step}/${embed}`;
      const prerendered = readFileSync(`dist/${path}index.html`, 'utf8');
      await page.goto(path);
      const before = await page.evaluate(`(${markupOf})(new DOMParser().parseFromString(${JSON.stringify(prerendered)}, 'text/html').getElementById('app'))`);
      expect(await markup(page), path).toBe(before);
    }
  }
});

plain('keyboard focus and scroll stay where the reader left them when the wasm takes over', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 700 });
  const release = await openHeld(page, 'tour/sticky-crash/2/');
  await expect(page.locator('#app main')).toBeVisible();
  await page.evaluate(() => window.scrollTo(0, 900));
  await page.locator('.history summary').first().focus();
  const focused = await page.evaluate(() => document.activeElement.outerHTML);
  const y = await page.evaluate(() => window.scrollY);
  release();
  await ready(page);
  expect(await page.evaluate(() => document.activeElement.outerHTML)).toBe(focused);
  expect(await page.evaluate(() => window.scrollY)).toBe(y);
  // And the focused control now works: the app owns it.
  await page.keyboard.press('Enter');
  await expect(page.locator('.history details').first()).not.toHaveAttribute('open', '');
});

plain('an address asking for more than its page shows no other state first', async ({ page }) => {
  const release = await openHeld(page, './?log=login.alice');
  expect(await page.locator('#app').evaluate((e) => getComputedStyle(e).visibility)).toBe('hidden');
  release();
  await ready(page);
  expect(await page.locator('#app').evaluate((e) => getComputedStyle(e).visibility)).toBe('visible');
  await expect(page.locator('.history')).toContainText('login alice');
});

test('an old ?scenario= link opens its step, and the address becomes the step page', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?scenario=sticky-crash&step=2&theme=dark');
  await expect(page).toHaveURL(/\/tour\/sticky-crash\/2\/\?theme=dark$/);
  await expect(page.locator('.narration strong')).toHaveText('Step 2 of 4');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page).toHaveTitle('Sticky sessions and a crash — step 2 of 4 | Statelab');
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page).toHaveURL(/\/tour\/sticky-crash\/3\/\?theme=dark$/);
  // The tab, and so its bookmark and history entry, names the step shown.
  await expect(page).toHaveTitle('Sticky sessions and a crash — step 3 of 4 | Statelab');
  await page.reload();
  await expect(page.locator('.narration strong')).toHaveText('Step 3 of 4');
  await page.goBack();
  await expect(page.locator('.narration strong')).toHaveText('Step 2 of 4');
  expect(errors).toEqual([]);
});
