// The shared history: faults and time as rows, both lanes side by side per
// action, rows that open to the raw exchange, readable tokens and ids.
import { test, expect } from '@playwright/test';
import { lane, requests, watchErrors } from '../helpers.mjs';

const cell = (page, letter) => page.locator(`.history .cell[data-lane='${letter}']`);
const FAULTS = 'log=login.alice~crash.1~restart.1~store.down~wait.10s~rotate.keep~add-server~me.alice';

test('faults and clock moves are rows in both lanes, each at its time', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(`./?${FAULTS}`);
  for (const letter of ['a', 'b']) {
    const events = cell(page, letter).locator('.event');
    for (const text of ['S1 crashed', 'S1 restarted', 'the shared session store went down', 'clock moved forward 10 s', 'fleet key rotated', 'S4 joined the pool']) {
      await expect(events.filter({ hasText: text })).toHaveCount(1);
      await expect(events.filter({ hasText: text })).toHaveText(/^\d\d:\d\d:\d\d \S/);
    }
    // The lane's clock is its simulated now: past the 10 s wait.
    await expect(page.locator(`.hist-head[data-lane='${letter}'] .clock time`)).toHaveText(/^09:00:1\d$/);
  }
  expect(errors).toEqual([]);
});

test('the same action sits side by side at 1280 px and stacks at 360 px', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('./?log=login.alice~me.alice');
  const act = page.locator('.history .act').first();
  let a = await act.locator(".cell[data-lane='a']").boundingBox();
  let b = await act.locator(".cell[data-lane='b']").boundingBox();
  expect(Math.abs(a.y - b.y)).toBeLessThan(4);
  expect(b.x).toBeGreaterThan(a.x + a.width - 1);
  await page.setViewportSize({ width: 360, height: 900 });
  a = await act.locator(".cell[data-lane='a']").boundingBox();
  b = await act.locator(".cell[data-lane='b']").boundingBox();
  expect(b.y).toBeGreaterThanOrEqual(a.y + a.height - 1);
  expect(Math.abs(a.x - b.x)).toBeLessThan(4);
  await expect(act.locator(".cell[data-lane='b'] .lane-tag")).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'no horizontal scrolling').toBeLessThanOrEqual(0);
});

test('a row opens to the raw request, response and trace', async ({ page }) => {
  await page.goto('./?log=login.alice~me.alice');
  const login = requests(page, 'a').nth(1);
  await expect(login.locator('pre')).toHaveCount(0);
  const row = login.locator('button.row');
  await expect(row).toHaveAttribute('aria-expanded', 'false');
  await row.click();
  await expect(row).toHaveAttribute('aria-expanded', 'true');
  await expect(login.locator('pre').first()).toContainText('POST /login HTTP/1.1');
  await expect(login.locator('pre').nth(1)).toContainText('HTTP/1.1 200 OK');
  await expect(login.locator('.trace li').first()).toBeVisible();
  await row.click();
  await expect(login.locator('pre')).toHaveCount(0);
});

test("the current step's rows are open, earlier steps' closed", async ({ page }) => {
  await page.goto('./?scenario=revocation&step=3');
  for (const letter of ['a', 'b']) {
    const rows = requests(page, letter);
    await expect(rows).toHaveCount(4);
    await expect(rows.first().locator('button.row')).toHaveAttribute('aria-expanded', 'true');
    await expect(rows.first().locator('pre .focus').first()).toBeVisible();
    for (let i = 1; i < 4; i++) await expect(rows.nth(i).locator('button.row')).toHaveAttribute('aria-expanded', 'false');
  }
  await page.getByRole('button', { name: 'Previous step' }).click();
  await expect(requests(page, 'a').first().locator('button.row')).toHaveAttribute('aria-expanded', 'true');
});

test('a tampered token shows the changed claim and a large invalid badge', async ({ page }) => {
  await page.goto('./?log=login.alice~tamper.alice.role=admin~me.alice');
  const token = requests(page, 'a').first().locator('.token-details');
  await expect(token.locator('.verdict strong')).toHaveText('✕ Invalid');
  await expect(token.locator('.changed')).toHaveText(['  "role": "admin"']);
  await expect(token.locator('.was')).toHaveText(' ← was "user"');
  await expect(token.locator('.jwt-label')).toHaveText(['header', 'payload', 'signature']);
  await expect(token).toContainText(/expires \(exp\): 2026-01-15T09:15:00\.000Z \(in 1[45] min\)/);
});

test('a tampered session id is shown whole with the edited character marked', async ({ page }) => {
  await page.goto('./?log=login.alice~tamper.alice.role=admin');
  const jar = lane(page, 'b').locator('.state ul.kv li').first();
  await expect(jar.locator('code')).toHaveText(/^session_id=[0-9a-f]{32}$/);
  await expect(jar.locator('.edited')).toHaveText('Edited by hand: differs from the value S1 set in request #1.');
  await expect(jar.locator('mark.diff')).toHaveText(/^[0-9a-f]$/);
  await expect(lane(page, 'b').locator('.state')).not.toContainText('…');
});
