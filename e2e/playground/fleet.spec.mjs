// The fleet diagram shows what happened to the newest request, and every
// action-bar control explains itself.
import { test, expect } from '@playwright/test';
import { lane } from '../helpers.mjs';

const hot = (page, l) => lane(page, l).locator('svg.fleet g.server.hot');

test('the diagram marks the server that answered, with the outcome', async ({ page }) => {
  await page.goto('./');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByRole('button', { name: 'GET /api/me' }).click();
  await expect(hot(page, 'a')).toHaveAttribute('aria-label', /^Crash S2 \(up/);
  await expect(hot(page, 'a').locator('.tag')).toHaveText('✓ 200');
  await expect(hot(page, 'b').locator('.tag')).toHaveText('✕ 401');
  // Colour as well as text: the 401 path is drawn in the 4xx colour, not the 2xx one.
  const stroke = (l) => lane(page, l).locator('svg.fleet path.trip').first().evaluate((e) => getComputedStyle(e).stroke);
  expect(await stroke('a')).not.toEqual(await stroke('b'));
});

test('a 502 is drawn at the dead server, which shows down', async ({ page }) => {
  await page.goto('./?scenario=sticky-crash&step=3');
  for (const l of ['a', 'b']) {
    await expect(hot(page, l)).toHaveAttribute('aria-label', /^Restart S1 \(down/);
    await expect(hot(page, l).locator('.tag')).toHaveText('⚠ 502');
    await expect(hot(page, l)).toContainText('down');
  }
  // Crossed out: the cross path starts at S1's row.
  await expect(lane(page, 'a').locator('svg.fleet path.cross')).toHaveAttribute('d', /^M132 4l/);
});

test('a shared-store lane draws its store round trips; a JWT lane its database lookup', async ({ page }) => {
  await page.goto('./?scenario=shared-store&step=1');
  await expect(lane(page, 'b').locator('svg.fleet .backend.used')).toContainText(/^store ×\d/);
  await expect(lane(page, 'b').locator('svg.fleet path.trip')).toHaveAttribute('d', /H274/);
  await expect(lane(page, 'a').locator('svg.fleet .backend.used')).toHaveCount(0);
  await page.goto('./');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await expect(lane(page, 'a').locator('svg.fleet .backend.used')).toHaveText('database ×1');
});

test('the dot travels once; under reduced motion nothing animates', async ({ page }) => {
  await page.goto('./');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  const dot = lane(page, 'a').locator('svg.fleet .dot');
  expect(await dot.evaluate((e) => getComputedStyle(e).animationName)).toBe('trip');
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.getByRole('button', { name: 'GET /api/me' }).click();
  await expect(hot(page, 'a').locator('.tag')).toHaveText('✓ 200');
  expect(await page.evaluate(() => document.getAnimations().length)).toBe(0);
  // The path is still drawn, statically.
  await expect(lane(page, 'a').locator('svg.fleet path.trip').first()).toBeVisible();
});

test('legend and hint are visible', async ({ page }) => {
  await page.goto('./');
  const fig = lane(page, 'a').locator('.fleet-fig');
  for (const item of ['2xx worked', '4xx refused', '5xx no answer', 'up', 'down', 'n sessions held in memory']) {
    await expect(fig.getByRole('listitem').filter({ hasText: item }).first()).toBeVisible();
  }
  await expect(fig.getByText('Click a server to crash or restart it.')).toBeVisible();
});

test('every action-bar control has an accessible description', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('./');
  const bar = page.getByRole('region', { name: 'Actions (both lanes)' });
  for (const group of ['As a user', 'Faults', 'Time', 'Keys', 'Fleet', 'History']) {
    await expect(bar.getByRole('group', { name: group })).toBeVisible();
  }
  const controls = bar.locator('button, select');
  const n = await controls.count();
  expect(n).toBeGreaterThan(20);
  for (let i = 0; i < n; i++) await expect(controls.nth(i)).toHaveAccessibleDescription(/\S/);
  await expect(bar.getByRole('button', { name: 'Rotate key (keep old)' })).toHaveAccessibleDescription(
    'Rotate key (keep old): new tokens are signed with k2; tokens signed with k1 still verify',
  );
  await bar.getByRole('button', { name: 'Rotate key (keep old)' }).click();
  await expect(bar.getByRole('button', { name: 'Rotate key (drop old)' })).toHaveAccessibleDescription(
    'Rotate key (drop old): new tokens are signed with k3; tokens signed with k1, k2 are refused',
  );
});

test('Reset asks first, and Cancel keeps the state', async ({ page }) => {
  await page.goto('./');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await expect(lane(page, 'a').getByRole('heading', { name: 'Requests (1)' })).toBeVisible();
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await expect(page.getByRole('group', { name: 'Really reset?' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(lane(page, 'a').getByRole('heading', { name: 'Requests (1)' })).toBeVisible();
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page.getByRole('button', { name: 'Yes', exact: true }).click();
  await expect(lane(page, 'a').getByRole('heading', { name: 'Requests (0)' })).toBeVisible();
});

test('at 360 px the user group shows and the rest folds away', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await page.goto('./');
  await expect(page.getByRole('button', { name: 'Log in', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Crash', exact: true })).toBeHidden();
  await page.getByText('More actions: faults, time, keys, fleet').click();
  await expect(page.getByRole('button', { name: 'Crash', exact: true })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'no horizontal scrolling').toBeLessThanOrEqual(0);
});

for (const width of [360, 700, 1280]) {
  for (const scheme of ['light', 'dark']) {
    test(`screenshot of the fleet and controls at ${width} px, ${scheme}`, async ({ page }) => {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
      await page.goto('./?scenario=sticky-crash&step=3');
      await expect(hot(page, 'b').locator('.tag')).toHaveText('⚠ 502');
      await page.locator('section.actions').screenshot({ path: `target/e2e/screens/actions-${width}-${scheme}.png` });
      const fig = lane(page, 'b').locator('.fleet-fig');
      // In page coordinates: an element screenshot scrolls, and the page may move as it does.
      const clip = await fig.evaluate((e) => {
        const r = e.getBoundingClientRect();
        return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height };
      });
      await page.screenshot({ path: `target/e2e/screens/fleet-${width}-${scheme}.png`, fullPage: true, clip });
    });
  }
}
