// Faults and time are in each lane's history, in the engine's own words and
// with their simulated time; the fleet diagram shows the newest answer's
// outcome by colour, icon and status.
import { test, expect } from '../fixtures.mjs';
import { lane, requests } from '../helpers.mjs';

test('crashes, clock moves, store outages, key rotations and new servers are rows in both histories', async ({ page }) => {
  await page.goto('./');
  const click = (name) => page.getByRole('button', { name, exact: true }).click();
  await click('Log in');
  for (const name of ['Crash', '+10 s', 'Store outage', 'Rotate key (keep old)', 'Add server']) await click(name);
  for (const letter of ['a', 'b']) {
    const events = requests(page, letter).locator('.event');
    await expect(events).toHaveCount(5);
    // Newest first, each with the time it happened on the lane's clock.
    const texts = await events.allTextContents();
    const expected = [/^09:00:14 S4 joined the pool/, /^09:00:13 fleet key rotated/, /^09:00:12 the shared session store went down/, /^09:00:12 clock moved forward 10 s/, /^09:00:01 S1 crashed/];
    texts.forEach((t, i) => expect(t).toMatch(expected[i]));
  }
  // The login is still listed, below the faults that came after it.
  const firstRequest = requests(page, 'a').locator('article.exchange').first();
  await expect(firstRequest).toContainText('POST /login');
});

test('the fleet diagram shows the newest outcome by colour, icon and status', async ({ page }) => {
  await page.goto('./?log=login.alice~me.alice');
  const a = lane(page, 'a').locator('svg.fleet');
  const b = lane(page, 'b').locator('svg.fleet');
  await expect(a).toHaveClass(/\bs2xx\b/);
  await expect(a.locator('.outcome')).toHaveText('✓ 200');
  await expect(b).toHaveClass(/\bs4xx\b/);
  await expect(b.locator('.outcome')).toHaveText('✕ 401');
  const stroke = (svg) => svg.locator('.cable.hot').first().evaluate((e) => getComputedStyle(e).stroke);
  expect(await stroke(a)).not.toEqual(await stroke(b));
});

test('the newest request travels the fleet as a dot, and with reduced motion nothing moves', async ({ page }) => {
  await page.goto('./?log=login.alice');
  await page.getByRole('button', { name: 'GET /api/me', exact: true }).click();
  const trips = page.locator('svg.fleet path.trip');
  await expect(trips).toHaveCount(2);
  // The dot's trip is a running CSS animation on each lane's path. What
  // moves is an animation that runs for a visible time: under reduced motion
  // an animation lasts 0.01 ms and may still read 'running' until the next
  // frame, which a busy machine delays (counting those made this test fail
  // with timing).
  const moving = () =>
    page.evaluate(
      () => document.getAnimations().filter((a) => a.playState === 'running' && a.effect.getComputedTiming().duration > 1).length,
    );
  expect(await moving()).toBeGreaterThan(0);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.getByRole('button', { name: 'GET /api/me', exact: true }).click();
  await expect(page.locator('.h-actions > li')).toHaveCount(3);
  expect(await moving()).toBe(0);
  // The path stays drawn (the lit cables show where the request went); the dot is gone.
  await expect(page.locator('svg.fleet .cable.hot')).not.toHaveCount(0);
  await expect(trips.first()).toBeHidden();
});
