// Copy buttons say what the browser did: copied, or refused (no uncaught
// rejection), and the status clears after a few seconds.
import { test, expect } from '../fixtures.mjs';
import { lane, watchErrors, requests } from '../helpers.mjs';

test('with the clipboard allowed, each copy says so and then clears', async ({ page, context }) => {
  const errors = watchErrors(page);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('./?scenario=revocation&step=1');
  const share = page.getByRole('group', { name: 'Share' });
  await page.getByRole('button', { name: 'Copy link to this step' }).click();
  await expect(share.getByRole('status').first()).toHaveText('Link copied');
  const curl = requests(page, 'a').locator('article.exchange').first();
  await curl.getByRole('button', { name: /as curl$/ }).click();
  await expect(curl.getByRole('status')).toHaveText('Copied as curl');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/^curl /);
  await expect(curl.getByRole('status')).toHaveText('', { timeout: 5_000 });
  await expect(share.getByRole('status').first()).toHaveText('');
  expect(errors).toEqual([]);
});

test('with the clipboard refused, each copy says it failed, with no uncaught error', async ({ page }) => {
  const errors = watchErrors(page);
  await page.addInitScript(() => {
    Object.defineProperty(Clipboard.prototype, 'writeText', {
      value: () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError')),
    });
  });
  await page.goto('./?scenario=revocation&step=1');
  const failed = 'Copy failed: the browser did not allow the clipboard';
  for (const [name, scope] of [
    ['Copy link to this step', page.getByRole('group', { name: 'Share' })],
    ['Copy embed code', page.getByRole('group', { name: 'Share' })],
    ['Copy transcript', lane(page, 'b').getByRole('group', { name: 'Export lane B' })],
    ['Copy request 2 as curl', requests(page, 'a').locator('article.exchange').first()],
  ]) {
    const button = scope.getByRole('button', { name });
    await button.click();
    // Each button's own status sits right after it.
    await expect(button.locator('xpath=following-sibling::*[@role="status"][1]')).toHaveText(failed);
  }
  await expect(page.getByText(failed)).toHaveCount(0, { timeout: 5_000 });
  expect(errors).toEqual([]);
});
