// Every scenario, played to its end in the real page, shows exactly the
// exchanges the engine computes: statuses and servers, in order, in both
// lanes. (The native tests pin those to each narration's promises.)
import { test, expect } from '../fixtures.mjs';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { inOrderSent, lane, showAllRequests, watchErrors, requests } from '../helpers.mjs';

const BIN = 'target/debug/statelab';
if (!existsSync(BIN)) throw new Error(`${BIN} is missing: the native test layer builds it`);
const statelab = (...args) => execFileSync(BIN, args).toString();
const ids = statelab('scenarios').trim().split('\n');

for (const id of ids) {
  test(`${id} plays to its end as the engine computes it`, async ({ page }) => {
    const errors = watchErrors(page);
    const expected = JSON.parse(statelab('transcript', id, '--json'));
    await page.goto(`./?scenario=${id}`);
    await page.getByRole('button', { name: 'Play to the end' }).click();
    await expect(page.locator('.narration strong')).toHaveText(/^Step (\d+) of \1$/);
    await showAllRequests(page);
    for (const [i, letter] of ['a', 'b'].entries()) {
      const want = expected.lanes[i].exchanges;
      const section = requests(page, letter);
      await expect(section.locator('article.exchange')).toHaveCount(want.length);
      const statuses = await inOrderSent(section, '.status');
      expect(statuses.map((s) => Number(s.split(' ')[0]))).toEqual(want.map((x) => x.status));
      const servers = await inOrderSent(section, 'summary .srv');
      expect(servers).toEqual(want.map((x) => x.server ?? 'load balancer'));
      const routes = await inOrderSent(section, '.route');
      expect(routes.map((r) => r.split(' · ')[0].split(' → ')[1])).toEqual(servers);
    }
    expect(errors).toEqual([]);
  });
}

test('sticky-crash shows the balancer moving its own cookie', async ({ page }) => {
  await page.goto('./?scenario=sticky-crash&step=4');
  const newest = requests(page, 'b').locator('article.exchange').first();
  await expect(newest.locator('.status')).toHaveText('401 Unauthorized');
  await expect(newest.locator('.credential', { hasText: 'Set-Cookie: lb=S2; Path=/; HttpOnly' })).toBeVisible();
  await expect(newest.locator('.credential', { hasText: /^Cookie: session_id=[0-9a-f]{32}; lb=S1\s*$/ })).toBeVisible();
});

test('Back and Forward walk through scenario steps', async ({ page }) => {
  await page.goto('./?scenario=revocation');
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page).toHaveURL(/\/tour\/revocation\/3\/$/);
  await page.goBack();
  await expect(page).toHaveURL(/\/2\/$/);
  await expect(page.locator('.narration strong')).toHaveText('Step 2 of 4');
  await page.goForward();
  await expect(page.locator('.narration strong')).toHaveText('Step 3 of 4');
  await expect(requests(page, 'a').locator('article.exchange .status').first()).toHaveText('200 OK');
});

test('Back walks every step, one at a time, even after Play to the end', async ({ page }) => {
  await page.goto('./');
  await page.locator('select#scenario').selectOption('revocation');
  await expect(page.locator('.narration strong')).toHaveText('Step 0 of 4');
  await page.getByRole('button', { name: 'Play to the end' }).click();
  await expect(page.locator('.narration strong')).toHaveText('Step 4 of 4');
  for (const step of [3, 2, 1, 0]) {
    await page.goBack();
    await expect(page).toHaveURL(new RegExp(`/tour/revocation/${step}/$`));
    await expect(page.locator('.narration strong')).toHaveText(`Step ${step} of 4`);
  }
  await page.goBack();
  await expect(page.getByRole('button', { name: 'Start the tour' }), 'before the tour: the first visit again').toBeVisible();
});

test('Play walks through the steps by itself, and Pause stops it', async ({ page }) => {
  await page.goto('./?scenario=revocation');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await expect(page.locator('.narration strong')).toHaveText('Step 1 of 4', { timeout: 10_000 });
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.waitForTimeout(5_000);
  await expect(page.locator('.narration strong')).toHaveText('Step 1 of 4');
});

// The narrated step and its evidence on one screen: after each Next step the
// narration and every status badge of the step, in both lanes, are in the
// viewport, and the cards are exactly the step's requests as the engine
// computed them (their numbers follow on from the last step's, their
// statuses are the transcript's).
for (const [width, height] of [[1280, 900], [360, 800]]) {
  for (const id of ids) {
    test(`${id}: every step's narration and badges are on screen at ${width}×${height}`, async ({ page }) => {
      const errors = watchErrors(page);
      const expected = JSON.parse(statelab('transcript', id, '--json'));
      await page.setViewportSize({ width, height });
      await page.goto(`./?scenario=${id}`);
      const strong = page.locator('.narration strong');
      const steps = Number((await strong.textContent()).match(/of (\d+)/)[1]);
      const last = [0, 0];
      const inView = async (locator, what) => {
        const box = await locator.boundingBox();
        expect(box, `${what} is rendered`).not.toBeNull();
        expect(box.y, `${what} top`).toBeGreaterThanOrEqual(0);
        expect(box.y + box.height, `${what} bottom`).toBeLessThanOrEqual(height);
        expect(box.x, `${what} left`).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width, `${what} right`).toBeLessThanOrEqual(width);
      };
      for (let step = 1; step <= steps; step++) {
        await page.getByRole('button', { name: 'Next step' }).click();
        await expect(strong).toHaveText(`Step ${step} of ${steps}`);
        // Focus stays on the button pressed, even when the last step ends the tour.
        await expect(page.locator('#step-next')).toBeFocused();
        await inView(page.locator('.step-view .narration'), `step ${step} narration`);
        for (const i of [0, 1]) {
          const cards = page.locator('.step-view .step-lane').nth(i).locator('.step-card');
          const seqs = (await cards.locator('.step-req').allTextContents()).map((t) => Number(t.match(/^#(\d+)/)[1]));
          expect(seqs, `lane ${i}, step ${step}: the requests after #${last[i]}`).toEqual(seqs.map((_, k) => last[i] + 1 + k));
          const statuses = (await cards.locator('.badge').allTextContents()).map((t) => Number(t.match(/\d{3}/)[0]));
          expect(statuses).toEqual(seqs.map((seq) => expected.lanes[i].exchanges.find((x) => x.seq === seq).status));
          for (let k = 0; k < seqs.length; k++) await inView(cards.nth(k).locator('.badge'), `step ${step} lane ${i} badge #${seqs[k]}`);
          if (seqs.length) last[i] = seqs[seqs.length - 1];
        }
      }
      expect(last, 'every request was some step\'s').toEqual(expected.lanes.map((l) => l.exchanges.length));
      expect(errors).toEqual([]);
    });
  }
}

test('the revocation tour shows lane A redeployed with its denylist at step 4', async ({ page }) => {
  await page.goto('./?scenario=revocation&step=3');
  await page.getByRole('button', { name: 'Next step' }).click();
  const events = page.locator('.step-view .step-lane').first().locator('.step-event');
  await expect(events.first()).toContainText('lane A redeployed as JWT + denylist');
  await expect(page.locator('.step-view .step-lane').first().locator('h3')).toHaveText('Lane A JWT + denylist · round robin');
});

test('a crash in a step is a line in the step view', async ({ page }) => {
  await page.goto('./?scenario=sticky-crash&step=2');
  await page.getByRole('button', { name: 'Next step' }).click();
  for (const i of [0, 1]) {
    await expect(page.locator('.step-view .step-lane').nth(i).locator('.step-event').first()).toContainText('S1 crashed');
  }
});
