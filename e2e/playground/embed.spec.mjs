// Embedding, links and exports: what a documentation author relies on.
import { test, expect } from '../fixtures.mjs';
import { readFile } from 'node:fs/promises';
import { lane, requests } from '../helpers.mjs';

test('the example docs page embeds two isolated, self-sizing playgrounds', async ({ page }) => {
  // Record every message the host page receives.
  await page.addInitScript(() => {
    window.__received = [];
    addEventListener('message', (e) => window.__received.push(e.data));
  });
  await page.goto('./docs-example.html');
  const [sticky, revocation] = [page.frameLocator('iframe').nth(0), page.frameLocator('iframe').nth(1)];
  await expect(sticky.locator('.narration strong')).toHaveText('Step 2 of 4');
  await expect(revocation.locator('.narration strong')).toHaveText('Step 3 of 4');
  // Compact by default: the step and its fleet; the lanes behind Show details.
  await expect(revocation.locator('.hidden-lane')).toHaveText('Lane A (stateless JWT) is hidden in this embed; the narration describes both lanes.');
  await expect(revocation.locator('.step-view .step-lane')).toHaveCount(1);
  await expect(revocation.locator("section[aria-labelledby='lane-b-title']")).toHaveCount(0);
  await revocation.getByRole('button', { name: 'Show details' }).click();
  await expect(revocation.locator("section[aria-labelledby='lane-a-title']")).toHaveCount(0);
  await expect(revocation.locator("section[aria-labelledby='lane-b-title']")).toBeVisible();
  await expect(revocation.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(sticky.getByRole('link', { name: 'Open the full playground ↗' })).toHaveAttribute('href', /^tour\/sticky-crash\/2\/$/);
  // Each frame was sized to its own content by the host's listener.
  for (const i of [0, 1]) {
    const frame = page.locator('iframe').nth(i);
    await expect(frame).toHaveAttribute('style', /height: \d+px/);
    const content = await frame.contentFrame().locator('html').evaluate((e) => e.scrollHeight);
    const box = await frame.boundingBox();
    expect(Math.abs(box.height - content)).toBeLessThanOrEqual(4);
  }
  // The first embeds' height report still comes, beside version 1's messages.
  const received = await page.evaluate(() => window.__received);
  const legacy = received.filter((m) => m.type === 'statelab:resize');
  expect(legacy.length).toBeGreaterThan(0);
  for (const m of legacy) expect(Object.keys(m).sort()).toEqual(['height', 'type']);
  expect(legacy.every((m) => m.height > 300)).toBe(true);
  expect(received.filter((m) => m.type !== 'statelab:resize').every((m) => m.statelab === 1)).toBe(true);
});

test('reloading shows exactly the same page', async ({ page }) => {
  await page.goto('./');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByLabel('Balancer').nth(1).selectOption('sticky cookie');
  // With actions in the log, a config change is a redeploy from now on, logged like any action.
  await expect(page).toHaveURL(/\?log=login\.alice~add\.alice\.mug~config\.b\.local\.sticky\.3$/);
  const before = await requests(page, 'b').locator('article.exchange').allTextContents();
  await page.reload();
  // Polled: read at once, the reloaded page may not have rendered yet (a flaky empty list).
  await expect.poll(() => requests(page, 'b').locator('article.exchange').allTextContents()).toEqual(before);
});

test('a lane downloads as HAR 1.2, field by field', async ({ page }) => {
  await page.goto('./?scenario=sticky-crash&step=4');
  const [download] = await Promise.all([page.waitForEvent('download'), lane(page, 'b').getByRole('button', { name: 'Download HAR' }).click()]);
  expect(download.suggestedFilename()).toBe('statelab-lane-b.har');
  const har = JSON.parse(await readFile(await download.path(), 'utf8'));
  expect(har.log.version).toBe('1.2');
  expect(har.log.creator.name).toBe('Statelab');
  expect(har.log.entries).toHaveLength(5);
  for (const e of har.log.entries) {
    expect(Date.parse(e.startedDateTime)).not.toBeNaN();
    expect(typeof e.time).toBe('number');
    for (const k of ['method', 'url', 'httpVersion', 'headers', 'cookies', 'queryString', 'headersSize', 'bodySize']) expect(e.request).toHaveProperty(k);
    for (const k of ['status', 'statusText', 'httpVersion', 'headers', 'cookies', 'content', 'headersSize', 'bodySize']) expect(e.response).toHaveProperty(k);
    for (const k of ['send', 'wait', 'receive']) expect(typeof e.timings[k]).toBe('number');
  }
  expect(har.log.entries.map((e) => e.response.status)).toEqual([200, 200, 200, 502, 401]);
  expect(har.log.entries[4].response.headers).toContainEqual({ name: 'Set-Cookie', value: 'lb=S2; Path=/; HttpOnly' });
});

test('copy as curl, link and embed code put the right text on the clipboard', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('./?scenario=revocation&step=1');
  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
  await requests(page, 'a').getByRole('button', { name: 'Copy request 2 as curl' }).click();
  expect(await clipboard()).toMatch(/^curl --http1\.1 -X 'GET' 'https:\/\/shop\.example\/api\/me' -H 'Authorization: Bearer eyJ[\w.-]+'$/);
  await page.getByRole('button', { name: 'Copy link to this step' }).click();
  expect(await clipboard()).toBe(page.url());
  await page.getByRole('button', { name: 'Copy embed code' }).click();
  const code = await clipboard();
  const origin = new URL(page.url()).origin;
  // A tour step's embed code is the kit from this site and the step's element.
  expect(code).toBe(`<script type="module" src="${origin}/embed.js"></script>\n<statelab-embed tour="revocation" step="1" title="Statelab: Logging out: revocation"></statelab-embed>`);
  await lane(page, 'b').getByRole('button', { name: 'Copy transcript' }).click();
  expect(await clipboard()).toMatch(/^== Lane B: sessions in server memory · sticky cookie · 3 servers\n/);
});

test('every step of every scenario embeds in at most 1,400 px at 700 px wide', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 700, height: 900 });
  const ids = ['round-robin-local', 'sticky-crash', 'shared-store', 'signed-cookie', 'restart', 'revocation', 'expiry', 'tamper', 'request-size', 'pagination', 'cart', 'scale-out', 'refresh-rotation', 'refresh-reuse', 'logout-window', 'opaque-tokens', 'api-keys'];
  for (const id of ids) {
    for (let step = 0; ; step++) {
      await page.goto(`./?scenario=${id}&step=${step}&embed=1`);
      const strong = page.locator('.narration strong');
      await expect(strong).toHaveText(new RegExp(`^Step ${step} of \\d+$`));
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      expect(height, `${id} step ${step}`).toBeLessThanOrEqual(1400);
      if ((await strong.textContent()) === `Step ${step} of ${step}`) break;
    }
  }
});

test("an embed's details open on request and the full playground is one link away", async ({ page }) => {
  await page.goto('./?scenario=cart&step=2&embed=1');
  await expect(page.locator('.lanes')).toHaveCount(0);
  await expect(page.locator('.step-view svg.fleet')).toHaveCount(2);
  const toggle = page.getByRole('button', { name: 'Show details' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  await expect(page.locator('.lanes section.lane')).toHaveCount(2);
  await expect(page.getByRole('button', { name: 'Hide details' })).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByRole('link', { name: 'Open the full playground ↗' })).toHaveAttribute('href', /^tour\/cart\/2\/$/);
});

test('an embed naming a tour or step the site has no page for says so in place, with no frame', async ({ page }) => {
  await page.goto('./learn.html');
  await page.evaluate(async () => {
    const script = Object.assign(document.createElement('script'), { src: './embed.js' });
    await new Promise((done) => { script.onload = done; document.head.append(script); });
    for (const [tour, step] of [['nope', '1'], ['sticky-crash', '9'], ['constructor', '0'], ['sticky-crash', '4']]) {
      const e = document.createElement('statelab-embed');
      e.setAttribute('tour', tour);
      e.setAttribute('step', step);
      document.body.append(e);
    }
  });
  const embeds = page.locator('statelab-embed');
  await expect(embeds.nth(0).getByRole('alert')).toHaveText(/^statelab-embed: there is no tour "nope"; the tours are round-robin-local, sticky-crash, /);
  await expect(embeds.nth(1).getByRole('alert')).toHaveText('statelab-embed: tour sticky-crash has steps 0 to 4; there is no step 9');
  await expect(embeds.nth(2).getByRole('alert')).toHaveText(/^statelab-embed: there is no tour "constructor"/);
  for (const i of [0, 1, 2]) await expect(embeds.nth(i).locator('iframe')).toHaveCount(0);
  // The last step is a page: its poster loads.
  await expect(embeds.nth(3).locator('iframe')).toHaveAttribute('src', /tour\/sticky-crash\/4\/embed\/\?poster=1/);
});
