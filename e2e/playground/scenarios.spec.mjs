// Every scenario, played to its end in the real page, shows exactly the
// exchanges the engine computes: statuses and servers, in order, in both
// lanes. (The native tests pin those to each narration's promises.)
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { requests, showAllRequests, watchErrors } from '../helpers.mjs';

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
      const want = expected.lanes[i].exchanges.slice().reverse(); // the page shows newest first
      const rows = requests(page, letter);
      await expect(rows).toHaveCount(want.length);
      const statuses = await rows.locator('.status').allTextContents();
      // `✓ 200 OK`: the outcome's icon, then the status.
      expect(statuses.map((s) => Number(s.split(' ')[1]))).toEqual(want.map((x) => x.status));
      const routes = await rows.locator('.route').allTextContents();
      expect(routes.map((r) => r.split(' · ')[0].split(' → ')[1])).toEqual(want.map((x) => x.server ?? 'load balancer'));
    }
    expect(errors).toEqual([]);
  });
}

test('sticky-crash shows the balancer moving its own cookie', async ({ page }) => {
  await page.goto('./?scenario=sticky-crash&step=4');
  const newest = requests(page, 'b').first();
  await expect(newest.locator('.status')).toHaveText('✕ 401 Unauthorized');
  await expect(newest.locator('.credential', { hasText: 'Set-Cookie: lb=S2; Path=/; HttpOnly' })).toBeVisible();
  await expect(newest.locator('.credential', { hasText: /^Cookie: session_id=[0-9a-f]{32}; lb=S1\s*$/ })).toBeVisible();
});

test('Back and Forward walk through scenario steps', async ({ page }) => {
  await page.goto('./?scenario=revocation');
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page).toHaveURL(/scenario=revocation&step=3$/);
  await page.goBack();
  await expect(page).toHaveURL(/step=2$/);
  await expect(page.locator('.narration strong')).toHaveText('Step 2 of 4');
  await page.goForward();
  await expect(page.locator('.narration strong')).toHaveText('Step 3 of 4');
  await expect(requests(page, 'a').locator('.status').first()).toHaveText('✓ 200 OK');
});

test('Play walks through the steps by itself, and Pause stops it', async ({ page }) => {
  await page.goto('./?scenario=revocation');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await expect(page.locator('.narration strong')).toHaveText('Step 1 of 4', { timeout: 10_000 });
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.waitForTimeout(5_000);
  await expect(page.locator('.narration strong')).toHaveText('Step 1 of 4');
});
