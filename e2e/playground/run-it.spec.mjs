// "Run it yourself": a lane's panel fetches its HAProxy configuration only
// when opened, shows exactly what `statelab fleet <config>` prints, follows
// the lane's configuration while open, says so when it cannot load, and
// passes axe in both themes.
import { test, expect } from '../fixtures.mjs';
import { expectAccessible, lane, statelab, watchErrors } from '../helpers.mjs';

const panel = (page, l) => lane(page, l).locator('details.run-it');
const printed = (page, l) => panel(page, l).locator('.run-it-out pre');

test("a sticky lane's panel shows the command's text, follows the balancer, and copies", async ({ page, context }) => {
  const errors = watchErrors(page);
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.goto('./?b=local.sticky.3');
  await expect(panel(page, 'b').locator('summary')).toBeVisible();
  // The commands are there before anything is fetched; the configuration is not.
  await expect(panel(page, 'b').locator('pre').first()).toContainText('cargo xtask twin --fleet local.sticky.3');
  expect(fetched.filter((p) => /run-it\.js|load-worker/.test(p))).toEqual([]);

  // By keyboard.
  await panel(page, 'b').locator('summary').focus();
  await page.keyboard.press('Enter');
  await expect(printed(page, 'b')).toContainText('balance roundrobin');
  await expect(printed(page, 'b')).toContainText('cookie lb insert');
  expect(await printed(page, 'b').textContent()).toBe(statelab(['fleet', 'local.sticky.3']));

  // The lane changes while the panel is open: the text follows.
  await lane(page, 'b').getByLabel('Balancer').selectOption('least connections');
  await expect(printed(page, 'b')).toContainText('balance leastconn');
  await expect(printed(page, 'b')).not.toContainText('cookie lb insert');
  expect(await printed(page, 'b').textContent()).toBe(statelab(['fleet', 'local.leastconn.3']));
  // And back, from what the page already has.
  await lane(page, 'b').getByLabel('Balancer').selectOption('sticky cookie');
  await expect(printed(page, 'b')).toContainText('cookie lb insert');

  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await panel(page, 'b').getByRole('button', { name: 'Copy the commands and HAProxy configuration for local.sticky.3' }).click();
  await expect(panel(page, 'b').getByRole('status')).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(statelab(['fleet', 'local.sticky.3']));

  // Lane A's panel is its own.
  await panel(page, 'a').locator('summary').click();
  await expect(printed(page, 'a')).toContainText('balance roundrobin');
  await expect(printed(page, 'a')).not.toContainText('cookie lb insert');
  expect(errors).toEqual([]);
});

for (const scheme of ['light', 'dark']) {
  test(`an open panel passes axe and fits 360 px, ${scheme}`, async ({ page }) => {
    await page.setViewportSize({ width: 360, height: 900 });
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('./?b=shared.sticky.8');
    await panel(page, 'b').locator('summary').click();
    await expect(printed(page, 'b')).toContainText('Redis');
    await expectAccessible(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, 'no horizontal scrolling').toBeLessThanOrEqual(0);
  });
}

test('a panel whose text cannot load says so, and the page goes on', async ({ page }) => {
  // The worker's wasm missing: the worker answers with the error.
  await page.route('**/statelab-load-worker_bg.wasm', (r) => r.abort());
  await page.goto('./?b=local.sticky.3');
  await panel(page, 'b').locator('summary').click();
  await expect(panel(page, 'b').getByRole('alert')).toContainText('The HAProxy configuration did not load');
  // Closing and opening it again tries again.
  await page.unroute('**/statelab-load-worker_bg.wasm');
  await panel(page, 'b').locator('summary').click();
  await panel(page, 'b').locator('summary').click();
  await expect(printed(page, 'b')).toContainText('cookie lb insert');
  // The module itself missing (a new page: this one has it).
  await page.route('**/run-it.js', (r) => r.abort());
  await page.goto('./?b=local.sticky.3');
  await panel(page, 'a').locator('summary').click();
  await expect(panel(page, 'a').locator('.run-it-out')).toContainText('The HAProxy configuration did not load');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await expect(page.locator('.lane-b-rows article.exchange').first()).toBeVisible();
});
