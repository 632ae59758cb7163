// The load panel: a run from a link, its progress, Cancel, numbers equal to
// the `statelab load` command's for the same seed, the page staying usable
// while workers run, keyboard use and axe.
import { test, expect } from '@playwright/test';
import { expectAccessible, lane, statelab, watchErrors, requests } from '../helpers.mjs';

/** `statelab load … --json`. */
const cli = (args) => JSON.parse(statelab(['load', ...args, '--json']));

const host = (page) => page.locator('#load-host');
const cell = (page, l, k) => page.locator(`td[data-lane='${l}'][data-k='${k}']`);

test('a run from a link shows progress, ends with charts, and its numbers are the command\'s', async ({ page }) => {
  const errors = watchErrors(page);
  const faults = '30.crash.1~50.store.down~60.store.up~70.restart.1~80.rotate.drop';
  await page.goto(`./?load=400x25&faults=${faults}&seed=3`);
  await expect(page.getByRole('progressbar', { name: 'Load run progress' })).toBeVisible();
  await expect(host(page)).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(page.locator('.load-status')).toHaveText(/^Done: 20,000 requests in [\d.]+ s\.$/);
  await expect(page).toHaveURL(/load=400x25&faults=30\.crash\.1~50\.store\.down/);
  const expected = { a: cli(['--lane', 'jwt', '--clients', '400', '--requests', '25', '--seed', '3', '--faults', faults]),
    b: cli(['--lane', 'local', '--clients', '400', '--requests', '25', '--seed', '3', '--faults', faults]) };
  for (const l of ['a', 'b']) {
    for (const k of ['requests', 'ok', 'failed', 'unauthorized', 'unavailable', 'logins', 'p50_ms', 'p95_ms', 'p99_ms', 'credential_mean_tenths', 'sessions_lost', 'peak_sessions', 'peak_state_bytes']) {
      await expect(cell(page, l, k), `lane ${l} ${k}`).toHaveAttribute('data-v', String(expected[l].totals[k]));
    }
  }
  // The lanes differ, so the comparison is not of zeros.
  expect(expected.b.totals.unauthorized).toBeGreaterThan(0);
  expect(expected.a.totals.sessions_lost).toBe(0);
  // Five charts per lane, one shared, each with its table.
  await expect(page.locator('.load-charts svg.load-chart')).toHaveCount(9);
  await expect(page.locator('.load-charts details')).toHaveCount(9);
  await expect(page.locator('.load-charts .fault')).toHaveCount(20);
  await page.getByText('Table: Lane B: answers per second').click();
  await expect(page.locator('#answers-per-simulated-second-b-details table')).toBeVisible();
  expect(errors).toEqual([]);
});

test('a long run can be cancelled, leaves consistent numbers, and the page stays usable meanwhile', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?load=10000x1000');
  await expect(page.locator('progress')).not.toHaveAttribute('value', '0', { timeout: 20_000 });
  // The playground answers clicks while the workers run.
  await page.getByRole('button', { name: 'Log in', exact: true }).first().click();
  await expect(requests(page, 'a').locator('article.exchange .status').first()).toHaveText('200 OK');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(host(page)).toHaveAttribute('data-state', 'cancelled');
  await expect(page.locator('.load-status')).toHaveText(/^Cancelled at \d+ %/);
  // The last report drawn is whole: OK + failed = answered, in each lane.
  await expect(cell(page, 'a', 'requests')).toBeVisible();
  for (const l of ['a', 'b']) {
    const v = async (k) => Number(await cell(page, l, k).getAttribute('data-v'));
    expect(await v('requests')).toBeGreaterThan(0);
    expect(await v('requests')).toBeLessThan(10_000_000);
    expect((await v('ok')) + (await v('failed'))).toBe(await v('requests'));
  }
  await expect(page.getByRole('button', { name: 'Cancel' })).toBeDisabled();
  expect(errors).toEqual([]);
});

test('a size past the bounds gets a specific notice and breaks nothing', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?load=99999999x1');
  await expect(page.locator('#load-host [role=alert]')).toHaveText(
    'The load run did not start: a load run is limited to 10,000 clients (the link asks for 99999999).');
  await expect(host(page)).toHaveAttribute('data-state', 'error');
  await page.goto('./?load=%3Cb%3Ex1&faults=30.me.alice');
  await expect(page.locator('#load-host [role=alert]')).toContainText('is not <clients>x<requests>');
  await page.goto('./?load=5x5&faults=30.me.alice');
  await expect(page.locator('#load-host [role=alert]')).toContainText('`me.alice` is not a fault');
  expect(errors).toEqual([]);
});

test('the panel works by keyboard, and the same plan runs again', async ({ page }) => {
  await page.goto('./?theme=dark');
  await page.locator('#load-go').focus();
  await expect(page.locator('#load-go')).toHaveText('Set up a run: thousands of users on both lanes');
  await page.keyboard.press('Enter');
  await expect(page.locator('#load-clients')).toBeFocused();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('200');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('10');
  await page.keyboard.press('Tab');
  await expect(page.locator('#load-faults')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Start load run' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(host(page)).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(page).toHaveURL(/load=200x10&faults=30\.crash\.1/);
  await expect(page.locator('.load-charts .fault').first()).toBeVisible();
  // The same plan again runs again.
  const before = await page.evaluate(() => window.__statelabLoad.started);
  await page.getByRole('button', { name: 'Start load run' }).press('Enter');
  await page.waitForFunction((b) => window.__statelabLoad.started > b && document.querySelector('#load-host').dataset.state === 'done', before, { timeout: 30_000 });
});

for (const scheme of ['dark', 'light']) {
  test(`axe finds nothing serious with a run's charts and tables on the page, ${scheme}`, async ({ page }) => {
    // Nine charts and their tables make axe's pass slow on a busy machine.
    test.setTimeout(120_000);
    await page.goto(`./?theme=${scheme}&load=200x10&faults=30.crash.1`);
    await expect(host(page)).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    await page.getByText('Table: Lane A: latency').click();
    await expectAccessible(page);
  });
}
