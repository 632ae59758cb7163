// Bad input never breaks the page: the raw editor and broken links.
import { test, expect } from '../fixtures.mjs';
import { lane, watchErrors, requests } from '../helpers.mjs';

test('the raw editor names line and column and keeps the page intact', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?log=login.alice~me.alice');
  const editor = page.getByLabel(/^Write a request/);
  await editor.fill('GET /api/me HTTP/1.1\nHost: shop.example\nCookie session_id=abc');
  await expect(page.locator('#raw-error')).toHaveText('line 3, column 1: a header needs `Name: value`, found `Cookie session_id=abc`');
  await expect(page.getByRole('button', { name: 'Send to both lanes' })).toBeDisabled();
  await editor.fill('GET /api/me HTTP/1.1\nHost: shop.example\nContent-Length: 5\n\nab');
  await expect(page.locator('#raw-error')).toHaveText('line 5, column 1: Content-Length says 5 bytes but the body has 2');
  await editor.fill('GET /nope HTTP/2');
  await expect(page.locator('#raw-error')).toContainText('line 1, column 11: expected `HTTP/1.1`');
  await expect(requests(page, 'a').locator('article.exchange')).toHaveCount(2);
  await editor.fill('GET /health HTTP/1.1\nHost: shop.example');
  await page.getByRole('button', { name: 'Send to both lanes' }).click();
  await expect(requests(page, 'a').locator('article.exchange')).toHaveCount(3);
  await expect(requests(page, 'b').locator('article.exchange .status').first()).toHaveText('200 OK');
  expect(errors).toEqual([]);
});

test('a broken link opens the closest valid state and says what was wrong', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?log=login.alice~me.alice~teleport.alice~me.alice&a=quantum.rr.3');
  const notice = page.getByRole('alert');
  await expect(notice).toContainText('action 3 (`teleport.alice`): unknown action `teleport`; showing the 2 actions before it');
  await expect(notice).toContainText('lane A config `quantum.rr.3`');
  await expect(requests(page, 'a').locator('article.exchange')).toHaveCount(2);
  await expect(page).toHaveURL(/\?log=login\.alice~me\.alice$/);
  // A link to a step that is partly broken opens at what was wrong, not scrolled past it to the step.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('./?scenario=scale-out&step=999');
  await expect(page.getByRole('alert')).toContainText('step 999 is past the end of `scale-out`');
  await expect(page.getByRole('alert')).toBeInViewport();
  expect(errors).toEqual([]);
});
