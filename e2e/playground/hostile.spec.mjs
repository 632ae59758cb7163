// Hostile links: history, echoed input, links too long for an address bar,
// junk page parameters. None may trap, widen or silently change the page.
import { test, expect } from '../fixtures.mjs';
import { lane, watchErrors, requests } from '../helpers.mjs';

const noHorizontalScroll = async (page) => {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'no horizontal scrolling').toBeLessThanOrEqual(0);
};

test('opening a link that is not in normal form adds no history entry: Back leaves', async ({ page }) => {
  await page.goto('./?seed=5');
  await expect(page.getByRole('heading', { name: /^Lane A/ })).toBeVisible();
  await page.goto('./?scenario=sticky-crash');
  await expect(page).toHaveURL(/\/tour\/sticky-crash\/0\/$/);
  await page.goBack();
  await expect(page).toHaveURL(/\?seed=5$/);
  // A step of one's own still gets its entry.
  await page.goto('./?scenario=sticky-crash');
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page).toHaveURL(/\/1\/$/);
  await page.goBack();
  await expect(page).toHaveURL(/\/0\/$/);
});

test('notices quote input bounded and escaped, and never widen the page at 360 px', async ({ page }) => {
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 360, height: 800 });
  const long = 'x'.repeat(20_000);
  await page.goto(`./?scenario=${long}&theme=%E2%80%AEdark&embed=maybe&a=local.sticky.4294967296`);
  const notice = page.getByRole('alert');
  await expect(notice).toContainText('there is no scenario `xxxxxxxx');
  await expect(notice).toContainText('theme `\\u{202e}dark` is not light, dark or auto');
  await expect(notice).toContainText('embed `maybe` is not 1 or 0');
  await expect(notice).toContainText('the server count `4294967296` is too large');
  const text = await notice.textContent();
  expect(text).not.toContain('\u202E');
  expect(text.length).toBeLessThan(1000);
  await noHorizontalScroll(page);
  expect(errors).toEqual([]);
});

test('a state too long for a link is kept in the tab and restored exactly on reload', async ({ page }) => {
  const errors = watchErrors(page);
  // 4,000 requests: a 36 KB log, past the 32 KB a link may carry.
  await page.goto(`./?log=${'me.alice~'.repeat(4000)}`);
  await expect(page.locator('.h-head p').first()).toContainText(' · 4000 requests · ');
  await expect(page.locator('.notice[role=status]')).toContainText('This state is too long for a link (36 KB');
  await expect(page).toHaveURL(/\?kept=[0-9a-f]{16}$/);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await expect(page.locator('.h-head p').first()).toContainText(' · 4001 requests · ');
  const before = await requests(page, 'b').locator('article.exchange').allTextContents();
  const kept = page.url();
  await page.reload();
  await expect(page.locator('.h-head p').first()).toContainText(' · 4001 requests · ');
  expect(await requests(page, 'b').locator('article.exchange').allTextContents()).toEqual(before);
  expect(page.url()).toBe(kept);
  // Later states of this entry are kept under the same key (the address
  // stays put), and a reload restores the newest.
  await page.getByRole('button', { name: 'Undo', exact: true }).click();
  await expect(page.locator('.h-head p').first()).toContainText(' · 4000 requests · ');
  expect(page.url()).toBe(kept);
  await page.reload();
  await expect(page.locator('.h-head p').first()).toContainText(' · 4000 requests · ');
  // Another key is not this state: no older or other state is picked up.
  await page.goto('./?kept=0123456789abcdef');
  await expect(page.getByRole('alert')).toContainText('not here, so the playground starts fresh');
  await expect(page.locator('.h-head p').first()).toContainText(' · 0 requests · ');
  expect(errors).toEqual([]);
});

test('at 360 px the scenario picker and title show the whole title', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 800 });
  for (const id of ['pagination', 'cart', 'round-robin-local']) {
    await page.goto(`./?scenario=${id}`);
    const select = page.locator('select#scenario');
    const fits = await select.evaluate((s) => {
      const c = document.createElement('canvas').getContext('2d');
      const style = getComputedStyle(s);
      c.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const title = s.options[s.selectedIndex].text;
      const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20; // the arrow
      return { title, need: c.measureText(title).width, room };
    });
    expect(fits.need, `"${fits.title}" fits its picker`).toBeLessThanOrEqual(fits.room);
    const title = page.locator('.scenario-title');
    await expect(title).toHaveText(fits.title);
    expect(await title.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
    await noHorizontalScroll(page);
  }
});
