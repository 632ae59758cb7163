// Keyboard-only use, and axe at both widths in both themes.
import { test, expect } from '../fixtures.mjs';
import { expectAccessible, lane, showAllRequests, requests } from '../helpers.mjs';

/** Presses Tab until the focused control's accessible name starts with `name`. */
async function tabTo(page, name) {
  for (let i = 0; i < 120; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const e = document.activeElement;
      return (e?.getAttribute('aria-label') || e?.labels?.[0]?.textContent || e?.textContent || '').trim();
    });
    if (focused.startsWith(name)) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

test('a whole flow by keyboard alone', async ({ page }) => {
  await page.goto('./');
  await tabTo(page, 'Log in');
  await page.keyboard.press('Enter');
  await tabTo(page, 'GET /api/me');
  await page.keyboard.press('Enter');
  await expect(requests(page, 'b').locator('article.exchange .status').first()).toHaveText('401 Unauthorized');
  // Crash S1 from lane A's fleet diagram, then restart it, by keyboard.
  await tabTo(page, 'Crash S1');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: /^Restart S1 \(down/ }).first()).toBeVisible();
  await page.keyboard.press(' ');
  await expect(page.getByRole('button', { name: /^Crash S1 \(up/ }).first()).toBeVisible();
  // Decode a token by keyboard.
  await tabTo(page, 'Decode this JWT');
  await page.keyboard.press('Enter');
  await expect(page.locator('.token-details').first()).toBeVisible();
  await expect(page.locator('.token-details .verdict').first()).toHaveText('✓ Signature verified');
  // Pick a scenario and step through it.
  await page.keyboard.press('Shift+Tab');
  for (let i = 0; i < 200 && !(await page.evaluate(() => document.activeElement?.id === 'scenario')); i++) await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('.narration strong')).toHaveText('Step 0 of 3');
  await tabTo(page, 'Next step');
  await page.keyboard.press('Enter');
  await expect(page.locator('.narration strong')).toHaveText('Step 1 of 3');
});

for (const width of [1280, 700, 360]) {
  for (const scheme of ['light', 'dark']) {
    test(`axe finds no serious violations at ${width} px, ${scheme}`, async ({ page }) => {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      const noSideways = async (what) => {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `no horizontal scrolling: ${what}`).toBeLessThanOrEqual(0);
      };
      // The first visit.
      await page.goto('./');
      await expect(page.getByRole('button', { name: 'Start the tour' })).toBeVisible();
      await expectAccessible(page);
      await noSideways('first visit');
      // A step with its cards, events and fleets, the lanes unfolded below.
      await page.goto('./?scenario=sticky-crash&step=2');
      await page.getByRole('button', { name: 'Next step' }).click();
      await expect(page.locator('.step-view .step-event').first()).toBeVisible();
      await showAllRequests(page);
      await page.locator('summary', { hasText: 'Decode this JWT' }).first().click();
      await expect(page.locator('.token-details').first()).toBeVisible();
      await expectAccessible(page);
      await noSideways('a tour step');
      // Having left the tour.
      await page.getByRole('button', { name: 'GET /api/me' }).click();
      await expect(page.getByRole('button', { name: 'Back to step 3' })).toBeVisible();
      await expectAccessible(page);
      // A compact embed of one lane.
      await page.goto('./?scenario=revocation&step=4&embed=1&lanes=b');
      await expect(page.locator('.hidden-lane')).toBeVisible();
      await expectAccessible(page);
      await noSideways('an embed');
    });
  }
}
