// Database lanes (issue 21): PgBouncer's transaction mode beside session
// state on pooled connections, played as a tour. Each step shows the
// PostgreSQL messages that crossed, decoded and in hex, with the
// transaction-status byte of every ReadyForQuery — all from the engine's record.
import { test, expect } from '../fixtures.mjs';
import { expectAccessible, requests, watchErrors } from '../helpers.mjs';

/** Lane `lane`'s card (0: A, 1: B) on the step view for the statement `text`, and its own summary line. */
function dbStep(page, lane, text) {
  const card = page.locator('.step-view .step-lane').nth(lane).locator('article.db-step', { hasText: text });
  return { card, summary: card.locator(':scope > details > summary') };
}

test('db-txn-pooling: the prepared statement is missing on the connection PgBouncer lent', async ({ page }) => {
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 360, height: 800 });
  await page.goto('./?scenario=db-txn-pooling&step=2');
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.locator('.narration strong')).toHaveText('Step 3 of 4');
  const lanes = page.locator('.step-view .step-lane');
  // Lane A: the statement is on the connection, the transaction goes on (T).
  const { card: execA } = dbStep(page, 0, 'alice sql execute');
  await expect(execA.locator('summary .tx')).toHaveText('T');
  // Lane B: Bind alone on pg#2, which never saw the Parse: 26000, and the transaction fails (E).
  const { card: execB, summary: summaryB } = dbStep(page, 1, 'alice sql execute');
  await expect(summaryB).toContainText('pg#2');
  await expect(summaryB.locator('.sqlstate')).toContainText('ERROR 26000');
  await expect(execB.locator('summary .tx')).toHaveText('E');
  await summaryB.click();
  const error = execB.locator('li.frame.from-server', { hasText: 'ErrorResponse' });
  await expect(error.locator('code')).toHaveText('ErrorResponse ERROR 26000: prepared statement "orders_by_owner" does not exist');
  await error.locator('.frame-bytes summary').click();
  // 'E', then the length, then the fields: severity first.
  await expect(error.locator('pre.hex')).toHaveText(/^45 00 00 00 [0-9a-f]{2} 53 45 52 52 4f 52 00/);
  await expect(execB.locator('.trace')).toContainText('S1\'s client connection is in a transaction: PgBouncer keeps it on pg#2');

  // The history keeps every step; the pool panel says who holds what.
  const pools = page.locator('section[aria-label="PostgreSQL connections"]');
  await expect(pools.nth(1).locator('li', { hasText: 'pg#2' })).toContainText('lent to S1\'s client');
  await expect(requests(page, 'b').locator('article.db-step').first().locator('summary .tx')).toHaveText('E');

  // The last step: both transactions end, and every status is I again.
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.locator('.narration strong')).toHaveText('Step 4 of 4');
  for (const i of [0, 1]) {
    await expect(lanes.nth(i).locator('article.db-step summary .tx')).toHaveText(['I', 'I']);
  }
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test('db-temp-table: the temporary table stays on the connection that made it, and each lane is named by its pooling', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?scenario=db-temp-table&step=1');
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.locator('.narration strong')).toHaveText('Step 2 of 4');
  // The headings name the pooling; the JWT these lanes were configured with has no control here.
  await expect(page.locator('#lane-a-title')).toContainText('database, session state on pooled connections · round robin · 2 servers');
  await expect(page.locator('#lane-b-title')).toContainText('database behind PgBouncer (transaction mode)');
  for (const id of ['#lane-a-title', '#lane-b-title']) await expect(page.locator(id)).not.toContainText('JWT');
  // Lane A: S1's own pg#1 has Alice's table.
  const { card: mineA, summary: summaryA } = dbStep(page, 0, 'alice sql cart mug');
  await expect(summaryA).toContainText('pg#1');
  await expect(mineA.locator('.sqlstate')).toHaveCount(0);
  // Lane B: Bob's transaction holds pg#1, so Alice's insert goes on a new pg#2, which has no table.
  const { card: mineB, summary: summaryB } = dbStep(page, 1, 'alice sql cart mug');
  await expect(summaryB).toContainText('pg#2');
  await expect(summaryB.locator('.sqlstate')).toContainText('ERROR 42P01');
  await expect(mineB.locator('summary .tx')).toHaveText('I');
  await summaryB.click();
  await expect(mineB.locator('li.frame.from-server', { hasText: 'ErrorResponse' }).locator('code')).toHaveText('ErrorResponse ERROR 42P01: relation "cart" does not exist');
  // The state panel: lane A's pg#1 holds the table and its row; lane B's pg#1 holds it, lent to Bob's S2.
  const pools = page.locator('section[aria-label="PostgreSQL connections"]');
  await expect(pools.nth(0).locator('li', { hasText: 'pg#1' })).toContainText('temporary table cart (1 row)');
  await expect(pools.nth(1).locator('li', { hasText: 'pg#1' })).toContainText('temporary table cart (0 rows)');
  await expect(pools.nth(1).locator('li', { hasText: 'pg#1' })).toContainText('lent to S2\'s client');
  await expectAccessible(page);
  expect(errors).toEqual([]);
});
