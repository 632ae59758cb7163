// The first visit and the tours: one obvious way in, a whole tour by
// keyboard alone, and a tour one does not fall out of by acting.
import { test, expect } from '../fixtures.mjs';
import { lane, watchErrors, requests } from '../helpers.mjs';
import { execFileSync } from 'node:child_process';

/** The last tour the engine offers: `statelab scenarios` lists them in order. */
const lastTour = execFileSync('target/debug/statelab', ['scenarios']).toString().trim().split('\n').at(-1).split(/\s/)[0];

test('a first visit explains the idea and offers one first action', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./');
  const intro = page.locator('section.intro');
  await expect(intro).toContainText('HTTP is stateless');
  await expect(intro).toContainText('vending machine');
  await expect(intro).toContainText('lane A: stateless JWT; lane B: sessions in server memory');
  await expect(page.getByRole('link', { name: 'Learn the ideas' })).toHaveAttribute('href', './learn.html');
  await page.getByRole('button', { name: 'Start the tour' }).click();
  await expect(page).toHaveURL(/\/tour\/round-robin-local\/0\/$/);
  await expect(intro, 'the intro makes way for the tour').toHaveCount(0);
  await expect(page.locator('.narration strong')).toHaveText('Step 0 of 3');
  await expect(page.locator('#step-next'), 'the keyboard lands on the next thing to do').toBeFocused();
  expect(errors).toEqual([]);
});

test('free play is one click away, and the intro stays away once the log has a request', async ({ page }) => {
  await page.goto('./');
  await page.getByRole('button', { name: 'or explore in free play' }).click();
  await expect(page.locator('section.intro')).toHaveCount(0);
  await expect(page.locator('.actions select, .actions button').first()).toBeFocused();
  await page.goto('./?log=login.alice');
  await expect(requests(page, 'a').locator('article.exchange')).toHaveCount(1);
  await expect(page.locator('section.intro')).toHaveCount(0);
});

test('a whole tour by keyboard alone', async ({ page }) => {
  await page.goto('./');
  let reached = false;
  for (let i = 0; i < 20 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.textContent === 'Start the tour');
  }
  expect(reached, 'Start the tour is among the first stops').toBe(true);
  await page.keyboard.press('Enter');
  await expect(page.locator('#step-next'), 'the keyboard moves on to the tour').toBeFocused();
  for (const step of [1, 2, 3]) {
    await page.keyboard.press('Enter');
    await expect(page.locator('.narration strong')).toHaveText(`Step ${step} of 3`);
  }
  // Step 3 in lane B: S2 cleared the cookie in step 2 (an id it did not
  // know), so S3 and even S1, which holds the session, get none: 401 twice.
  const badges = page.locator('.step-view .step-lane').nth(1).locator('.badge');
  await expect(badges).toHaveText([/401 Unauthorized$/, /401 Unauthorized$/]);
  // The tour's end leaves the keyboard where it was; Previous step is one Shift+Tab away.
  await expect(page.locator('#step-next')).toBeFocused();
  await expect(page.locator('#step-next')).toHaveAttribute('aria-disabled', 'true');
  await page.keyboard.press('Enter');
  await expect(page.locator('.narration strong')).toHaveText('Step 3 of 3');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await expect(page.locator('.narration strong')).toHaveText('Step 2 of 3');
});

test('acting during a tour says so and offers the way back to its step', async ({ page }) => {
  await page.goto('./?scenario=sticky-crash&step=2');
  await page.getByRole('button', { name: 'GET /api/me' }).click();
  const left = page.locator('.left-tour');
  await expect(left).toHaveText(/^You left the tour “Sticky sessions and a crash” at step 2 — your actions are now free play\./);
  await expect(page).toHaveURL(/log=login\.alice~me\.alice~me\.alice~me\.alice/);
  await expect(page.locator('.step-view')).toHaveCount(0);
  // Still offered after more free actions.
  await page.getByRole('button', { name: 'GET /api/me' }).click();
  await page.getByRole('button', { name: 'Back to step 2' }).click();
  await expect(page).toHaveURL(/\/tour\/sticky-crash\/2\/$/);
  await expect(page.locator('.narration strong')).toHaveText('Step 2 of 4');
  await expect(left).toHaveCount(0);
  await expect(requests(page, 'b').locator('article.exchange')).toHaveCount(3);
  await expect(page.locator('#step-next')).toBeFocused();
});

test('a tour\'s end offers the next tour; the last tour and an embed offer none', async ({ page }) => {
  await page.goto('./?scenario=revocation&step=3');
  const next = page.getByRole('button', { name: /^Next tour/ });
  await expect(next, 'not before the end').toHaveCount(0);
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(next).toHaveText('Next tour: Token expiry and idle timeout');
  await next.click();
  await expect(page).toHaveURL(/\/tour\/expiry\/0\/$/);
  await expect(page.locator('.narration strong')).toHaveText(/^Step 0 of \d+$/);
  await expect(page.locator('#step-next'), 'the keyboard moves on to the new tour').toBeFocused();
  await expect(page.locator('.scenario-title'), 'the new tour opens at its title').toBeInViewport();
  await page.goBack();
  await expect(page.locator('.narration strong')).toHaveText('Step 4 of 4');
  await page.goto(`./?scenario=${lastTour}&step=99`);
  await expect(page.locator('.narration strong')).toHaveText(/^Step (\d+) of \1$/);
  await expect(next).toHaveCount(0);
  await page.goto('./?scenario=revocation&step=4&embed=1');
  await expect(page.locator('.narration strong')).toHaveText('Step 4 of 4');
  await expect(next).toHaveCount(0);
});

test('a control that cannot act keeps the keyboard where it was', async ({ page }) => {
  await page.goto('./?scenario=sticky-crash&step=0');
  const toEnd = page.getByRole('button', { name: 'Play to the end' });
  await toEnd.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('.narration strong')).toHaveText(/^Step (\d+) of \1$/);
  await expect(toEnd).toBeFocused();
  await expect(toEnd).toHaveAttribute('aria-disabled', 'true');
  await page.keyboard.press('Enter');
  await expect(page.locator('.narration strong'), 'pressed again, it does nothing').toHaveText(/^Step (\d+) of \1$/);
  await page.goto('./?scenario=sticky-crash&step=1');
  const previous = page.getByRole('button', { name: 'Previous step' });
  await previous.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('.narration strong')).toHaveText(/^Step 0 of \d+$/);
  await expect(previous).toBeFocused();
  await expect(previous).toHaveAttribute('aria-disabled', 'true');
});
