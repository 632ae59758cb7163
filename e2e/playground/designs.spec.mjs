// The designs between the two pure ones, each played through its tour in
// the page: both lanes' statuses, and what the panels derive from the
// engine's state (the refresh cookie's path, the 429, the opaque token's
// lookup, the API-key rows and counters).
import { test, expect } from '../fixtures.mjs';
import { expectAccessible, inOrderSent, lane, showAllRequests, watchErrors, requests } from '../helpers.mjs';

/** Plays a tour to its end and checks each lane's statuses, in the order sent. */
async function playTour(page, id, [a, b]) {
  await page.goto(`./?scenario=${id}`);
  await page.getByRole('button', { name: 'Play to the end' }).click();
  await expect(page.locator('.narration strong')).toHaveText(/^Step (\d+) of \1$/);
  await showAllRequests(page);
  for (const [letter, want] of [['a', a], ['b', b]]) {
    await expect(requests(page, letter).locator('article.exchange')).toHaveCount(want.length);
    const shown = (await inOrderSent(requests(page, letter), '.status')).map((s) => Number(s.split(' ')[0]));
    expect(shown, `lane ${letter}`).toEqual(want);
  }
}

const state = (page, letter, section) => lane(page, letter).locator(`.state section[aria-label$="${section}"]`);
const row = (page, id) => page.locator(`tr#${id} td`);

test('refresh-rotation: the app refreshes by itself, and not while the store is down', async ({ page }) => {
  const errors = watchErrors(page);
  await playTour(page, 'refresh-rotation', [[200, 200, 200, 200, 200], [200, 200, 200, 200, 200, 503, 401]]);
  // Once its token has expired the app refreshes first; in the outage, before that, it needs no store.
  expect(await inOrderSent(requests(page, 'b'), '.req')).toEqual([
    'POST /login', 'GET /api/me', 'POST /token/refresh', 'GET /api/me', 'GET /api/me', 'POST /token/refresh', 'GET /api/me',
  ]);
  const browser = state(page, 'b', "alice's browser");
  await expect(browser).toContainText('Path=/token/refresh; HttpOnly; Secure; SameSite=Strict');
  await expect(browser).toContainText('sent only to /token/refresh; page scripts cannot read it (HttpOnly)');
  await expect(browser).toContainText('the token expired at 09:10:02 (64 s ago).');
  await expect(browser).toContainText('The store is down: no refresh succeeds until it answers again.');
  await expect(browser).toContainText('Its next request (other than a login) first sends POST /token/refresh');
  await expect(lane(page, 'b').locator('.state h4', { hasText: 'Shared store' })).toHaveText('Shared store (down)');
  await expect(row(page, 'measured-refreshes')).toHaveText(['0', '2']);
  expect(errors).toEqual([]);
});

test('refresh-reuse: a replayed refresh token revokes its family, the access token lives on', async ({ page }) => {
  await playTour(page, 'refresh-reuse', [[200, 200, 404, 404, 404, 200], [200, 200, 200, 401, 401, 200]]);
  const store = state(page, 'b', 'Shared store');
  await expect(store.locator('li', { hasText: 'refresh token of alice' })).toHaveCount(2);
  for (const li of await store.locator('li', { hasText: 'refresh token of alice' }).all()) {
    await expect(li).toContainText('(void: the family is revoked)');
  }
  await expect(state(page, 'b', "alice's browser")).toContainText('is not in the shared store (revoked by a logout or a detected reuse, or expired)');
  await expect(requests(page, 'b').locator('article.exchange').nth(2).locator('.trace')).toContainText('reuse detected');
  await expect(row(page, 'measured-refreshes')).toHaveText(['3', '3']);
});

test('logout-window: a shorter access token shortens what logout cannot revoke', async ({ page }) => {
  await playTour(page, 'logout-window', [
    [200, 200, 200, 200, 401, 200, 200, 200, 200, 200],
    [200, 200, 200, 200, 200, 200, 200, 200],
  ]);
  await expect(row(page, 'measured-refreshes')).toHaveText(['2', '0']);
  await expect(row(page, 'measured-store-trips-mean')).toHaveText(['0.9', '0.4']);
});

test('opaque-tokens: nothing inside, so every server asks the store', async ({ page }) => {
  await playTour(page, 'opaque-tokens', [[200, 200, 200, 200, 200, 200], [200, 200, 200, 401, 200, 503]]);
  const newest = requests(page, 'b').locator('article.exchange').first();
  await expect(newest.locator('details.token summary')).toHaveText('What is inside this opaque token?');
  await newest.locator('details.token summary').click();
  const details = newest.locator('.token-details');
  await expect(details).toContainText('Nothing inside: an opaque reference');
  await expect(details).toContainText('The store is down: no server can ask it, so a request with this token gets a 503.');
  await expect(details.locator('.jwt')).toHaveCount(0);
  await expect(requests(page, 'a').locator('article.exchange').first().locator('details.token summary')).toHaveText('Decode this JWT');
  await expect(state(page, 'b', 'Shared store')).toContainText('opaque token of alice');
});

test('api-keys: a limit counted in each server lets six through; counted in the store, the sixth gets 429', async ({ page }) => {
  await playTour(page, 'api-keys', [
    [200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
    [200, 200, 200, 200, 200, 200, 429, 200, 200, 401],
  ]);
  const limited = requests(page, 'b').locator('article.exchange').nth(3);
  await expect(limited.locator('.status')).toHaveText(/^429 /);
  await expect(limited.locator('.credential', { hasText: /^X-API-Key: sk_[0-9a-f]{32}\s*$/ })).toBeVisible();
  await expect(limited.locator('pre span', { hasText: /^Retry-After: 5\s*$/ })).toBeVisible();
  for (const letter of ['a', 'b']) {
    const db = state(page, letter, 'Database');
    await expect(db.locator('li', { hasText: /^api_keys\[sha256 [0-9a-f]{12}…\] key_[0-9a-f]{8} · alice's$/ })).toHaveCount(1);
    await expect(db).not.toContainText('sk_');
  }
  // Lane A's servers each keep their own count, in their own memory.
  // The request after the wait opened S2's new window; the rotation (at S3) is not counted.
  await expect(state(page, 'a', 'Server memory')).toContainText("S2's own count: 1 used of 5 allowed per 10 s · window ends in");
  await expect(state(page, 'a', 'Server memory')).not.toContainText("S3's own count");
  // An account lookup and an insert at login, a lookup a request, three for the rotation.
  await expect(row(page, 'measured-db-trips-mean')).toHaveText(['1.3', '1.3']);
});

test('Refresh and Rotate API key work from the keyboard with their names', async ({ page }) => {
  await page.goto('./?a=refresh.rr.3&b=apikey.rr.3&log=login.alice');
  await expect(page.getByRole('button', { name: 'Refresh token', exact: true })).toHaveAttribute('title', /^POST \/token\/refresh/);
  await page.getByRole('button', { name: 'Refresh token', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(requests(page, 'a').locator('article.exchange .req').first()).toHaveText('POST /token/refresh');
  await page.getByRole('button', { name: 'Rotate API key' }).focus();
  await page.keyboard.press('Enter');
  await expect(requests(page, 'b').locator('article.exchange .req').first()).toHaveText('POST /keys/rotate');
  await expect(page).toHaveURL(/log=login\.alice~refresh\.alice~rotate-key\.alice$/);
  await page.goto('./');
  await expect(page.getByRole('button', { name: 'Rotate API key' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Refresh token', exact: true })).toHaveCount(0);
});

for (const width of [1280, 360]) {
  test(`the new panels pass axe with every token panel open, without scrolling sideways, at ${width} px`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    for (const url of ['./?scenario=refresh-reuse&step=4', './?scenario=opaque-tokens&step=3', './?scenario=api-keys&step=3']) {
      await page.goto(url);
      await showAllRequests(page);
      const closed = page.locator('details.token:not([open]) > summary');
      for (let n = await closed.count(); n > 0; n--) await closed.first().click();
      await expectAccessible(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${url}: no horizontal scrolling`).toBeLessThanOrEqual(0);
    }
  });
}
