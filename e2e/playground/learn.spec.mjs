// The Learn page (static, dist/learn.html): its material is all there, every
// link into the playground opens the step it promises without a notice, links
// to measured rows land on those rows, and the measured table links back.
import { test, expect } from '../fixtures.mjs';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { expectAccessible, lane, watchErrors } from '../helpers.mjs';

const BIN = 'target/debug/statelab';
if (!existsSync(BIN)) throw new Error(`${BIN} is missing: the native test layer builds it`);

/** Each step's narration, as the engine's transcript prints it. */
const narrations = (id) =>
  [...execFileSync(BIN, ['transcript', id]).toString().matchAll(/^ {2}step \d+: (.*)$/gm)].map((m) => m[1]);

// The links are read from the built page, so a link added later is tested too.
const html = readFileSync('dist/learn.html', 'utf8');
const links = [...new Set([...html.matchAll(/href="(tour\/[^"]*)"/g)].map((m) => m[1]))];
const learnIds = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));

const ROWS = [
  'memory',
  'scalability',
  'fault-tolerance',
  'auth',
  'request-size',
  'server-resources',
  'revocation',
  'client-responsibility',
  'examples',
];
const CASES = [
  'A REST API for a mobile app or an SPA',
  'A server-rendered web app',
  'Real-time chat or a game',
  'Microservices',
  'Logout or bans must take effect at once',
  'A public API for third parties',
  'A small internal admin tool',
];
const QUESTIONS = [
  'Is HTTP really stateless if cookies exist?',
  'Can a stateless API carry state?',
  'Is stateless always better?',
  'What happens to sessions when a server restarts?',
  'How does statelessness relate to microservices?',
];

test('the Learn page has the comparison, the seven cases, the five questions and the analogies', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./learn.html');
  await expect(page.getByRole('link', { name: 'Open the playground' }).first()).toHaveAttribute('href', './');
  const rows = page.locator('section:has(#compare) table.compare tbody tr');
  expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.id))).toEqual(ROWS);
  for (const tr of await rows.all()) {
    await expect(tr.locator('th[scope=row]')).not.toBeEmpty();
    await expect(tr.locator('td')).toHaveCount(2);
    await expect(tr.getByRole('link', { name: 'See it' })).toHaveAttribute('href', /^tour\/[a-z-]+\/\d+\/$/);
  }
  await expect(page.locator('section:has(#choose) .case h3')).toHaveText(CASES);
  await expect(page.locator('section:has(#faq) h3')).toHaveText(QUESTIONS);
  for (const faq of await page.locator('section:has(#faq) h3 + p').all()) {
    const links = faq.getByRole('link');
    expect(await links.count()).toBeGreaterThan(0);
    for (const link of await links.all()) await expect(link).toHaveAttribute('href', /^tour\//);
  }
  await expect(page.locator('.analogies li strong')).toHaveText([
    'The vending machine.',
    'The waiter who remembers your order.',
    'The barista who checks your ID every time.',
  ]);
  expect(errors).toEqual([]);
});

test('the Learn page links into the playground at least once per row, case and question', () => {
  expect(links.length).toBeGreaterThanOrEqual(20);
});

for (const link of links) {
  test(`${link} opens its step without a notice`, async ({ page }) => {
    const errors = watchErrors(page);
    // A tour step's own page: tour/<id>/<step>/, maybe with a #row.
    const url = new URL(link, 'http://x/');
    const [, id, step] = url.pathname.match(/^\/tour\/([a-z-]+)\/(\d+)\/$/).map((x, i) => (i === 2 ? Number(x) : x));
    const says = narrations(id);
    expect(step, 'a step that exists').toBeGreaterThanOrEqual(1);
    expect(step).toBeLessThanOrEqual(says.length);
    await page.goto(link);
    await expect(page.locator('.narration strong')).toHaveText(`Step ${step} of ${says.length}`);
    await expect(page.locator('.narration p')).toHaveText(says[step - 1]);
    await expect(page.locator('.notice')).toHaveCount(0);
    if (url.hash) {
      const row = page.locator(`.comparison tr${url.hash}`);
      await expect(row).toHaveCount(1);
      await expect(row).toBeInViewport();
      await expect(row).toHaveClass('target');
    }
    expect(errors).toEqual([]);
  });
}

test('every row of the measured table links to the Learn row that explains it', async ({ page }) => {
  await page.goto('./?scenario=request-size&step=2');
  const rows = page.locator('.comparison tbody tr');
  await expect(rows).toHaveCount(14);
  for (const tr of await rows.all()) {
    expect(await tr.getAttribute('id')).toMatch(/^measured-[a-z-]+$/);
    const href = await tr.locator('th a.means').getAttribute('href');
    expect(href).toMatch(/^\.\/learn\.html#/);
    expect(learnIds.has(href.split('#')[1]), `${href} names an id on the Learn page`).toBe(true);
  }
  await page.locator('#measured-credential-mean').getByRole('link', { name: 'what it means' }).click();
  await expect(page).toHaveURL(/\/learn\.html#request-size$/);
  await expect(page.locator('tr#request-size')).toBeInViewport();
});

test('the Learn page measures every design the engine has, each row linked to a step that shows it', async ({ page }) => {
  const { designs } = JSON.parse(execFileSync(BIN, ['designs', '--json']).toString());
  await page.goto('./learn.html#designs');
  const rows = page.locator('table.designs tbody tr');
  expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.id))).toEqual(designs.map((d) => `design-${d.code}`));
  for (const [i, d] of designs.entries()) {
    const tr = rows.nth(i);
    await expect(tr.locator('th[scope=row]')).toContainText(d.design);
    await expect(tr.locator('td')).toHaveCount(9);
    await expect(tr.locator('td').nth(4)).toHaveText(String(d.refreshes));
    await expect(tr.getByRole('link', { name: 'See it' })).toHaveAttribute('href', /^tour\/[a-z-]+\/\d+\/$/);
  }
  // The table scrolls inside its own region, which a keyboard can reach.
  const region = page.getByRole('region', { name: /The designs measured/ });
  await region.focus();
  await expect(region).toBeFocused();
});

test('the Learn page opens the playground from its top link', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./learn.html');
  await page.getByRole('link', { name: 'Open the playground' }).first().click();
  await expect(lane(page, 'a')).toBeVisible();
  await expect(lane(page, 'b')).toBeVisible();
  await expect(page.locator('.notice')).toHaveCount(0);
  expect(errors).toEqual([]);
});

for (const width of [1280, 360]) {
  for (const scheme of ['light', 'dark']) {
    test(`Learn: axe finds no serious violations at ${width} px, ${scheme}`, async ({ page }) => {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto('./learn.html');
      await expectAccessible(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, 'no horizontal scrolling').toBeLessThanOrEqual(0);
    });
  }
}
