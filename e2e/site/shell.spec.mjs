import { test, expect } from '../fixtures.mjs';
import { watchErrors, expectAccessible } from '../helpers.mjs';

test('the built page mounts both lanes without console errors', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./');
  await expect(page.getByRole('heading', { level: 1, name: 'Statelab' })).toBeVisible();
  await expect(page.getByRole('heading', { name: /^Lane A/ })).toContainText('stateless JWT');
  await expect(page.getByRole('heading', { name: /^Lane B/ })).toContainText('sessions in server memory');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  expect(errors).toEqual([]);
});

for (const scheme of ['light', 'dark']) {
  test(`axe finds no serious violations (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('./');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expectAccessible(page);
  });
}
