// Figures for hosts without iframes: the step view's Download figure saves
// exactly what `statelab figure` writes. A built-in tour's step links to the
// site's own file (the prerenderer draws it with the engine's function); an
// author's tour's step is drawn in the page, in the bundle that reads author
// tours. The site's figures show as images, light and dark, the way GitHub
// shows an SVG in a README (an <img>: no script runs in it).
import { test, expect } from '../fixtures.mjs';
import { statelab } from '../helpers.mjs';
import { readFile } from 'node:fs/promises';

async function downloadFigure(page, role = 'link') {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole(role, { name: /^Download figure/ }).click(),
  ]);
  return { name: download.suggestedFilename(), text: await readFile(await download.path(), 'utf8') };
}

test('Download figure saves the same SVG as statelab figure, for the step on screen', async ({ page }) => {
  await page.goto('tour/sticky-crash/2/');
  const link = page.getByRole('link', { name: /^Download figure/ });
  await expect(link).toHaveAttribute('href', 'figures/sticky-crash-2.svg');
  const two = await (await page.request.get('figures/sticky-crash-2.svg')).text();
  expect(two).toBe(statelab(['figure', 'sticky-crash', '2', '--svg']));

  // A step reached by clicking, with a crash in it: the figure follows the page.
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.locator('.narration strong')).toHaveText('Step 3 of 4');
  const three = await downloadFigure(page);
  expect(three.name).toBe('sticky-crash-3.svg');
  expect(three.text).toBe(statelab(['figure', 'sticky-crash', '3', '--svg']));
  expect(three.text).toContain('S1 ✕ down');
});

test("an author's tour step is drawn in the page, as statelab figure draws its file", async ({ page }) => {
  const file = await readFile(new URL('../../sim/tests/tours/example.json', import.meta.url), 'utf8');
  await page.goto(`./?tour=${Buffer.from(file).toString('base64url')}&step=2`);
  await expect(page.locator('html')).toHaveAttribute('data-bundle', 'all');
  const two = await downloadFigure(page, 'button');
  expect(two.name).toBe('authored-2.svg');
  // What the engine's test of this file reads in it (sim/tests/tours/figures.rs).
  expect(two.text).toMatch(/^<svg /);
  expect(two.text).toContain('What a crash takes with it');
  expect(two.text).toContain('tour authored · seed 1');
  expect(two.text).toContain('session died with S1.');
  await expect(page.getByRole('status').filter({ hasText: 'Figure downloaded' })).toBeVisible();
});

test('there is no figure to download before the first step, in an embed, or for a seed the site drew none for', async ({ page }) => {
  const figure = page.getByRole('link', { name: /^Download figure/ }).or(page.getByRole('button', { name: /^Download figure/ }));
  await page.goto('tour/sticky-crash/0/');
  await expect(page.locator('.narration strong')).toHaveText('Step 0 of 4');
  await expect(figure).toHaveCount(0);
  await page.goto('tour/sticky-crash/2/embed/');
  await expect(page.locator('.narration strong')).toHaveText('Step 2 of 4');
  await expect(figure).toHaveCount(0);
  // The core bundle draws no figure itself; the site's files are seed 1's.
  await page.goto('./?scenario=sticky-crash&step=2&seed=7');
  await expect(page.locator('html')).toHaveAttribute('data-bundle', 'core');
  await expect(page.locator('.narration strong')).toHaveText('Step 2 of 4');
  await expect(figure).toHaveCount(0);
});

/** Loads the site's figure as an <img> and reads its size and the colour just inside its frame. */
async function asImage(page, src) {
  return page.evaluate(async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const [r, g, b] = ctx.getImageData(12, 12, 1, 1).data;
    return { width: img.naturalWidth, height: img.naturalHeight, background: r + g + b };
  }, src);
}

test('a step figure renders as an image, light or dark as the reader prefers', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('learn.html');
  const light = await asImage(page, 'figures/sticky-crash-2.svg');
  expect(light.width).toBe(720);
  expect(light.height).toBeGreaterThan(300);
  expect(light.background, 'a white page').toBeGreaterThan(3 * 240);

  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await asImage(page, 'figures/sticky-crash-2.svg?dark');
  expect(dark.height).toBe(light.height);
  expect(dark.background, 'a dark page').toBeLessThan(3 * 40);
});
