// Figures for hosts without iframes: the step view's Download figure saves
// exactly what `statelab figure` writes (the engine draws both, in wasm and
// natively), and the site's figures show as images, light and dark, the way
// GitHub shows an SVG in a README (an <img>: no script runs in it).
import { test, expect } from '../fixtures.mjs';
import { statelab } from '../helpers.mjs';
import { readFile } from 'node:fs/promises';

async function downloadFigure(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: /^Download figure/ }).click(),
  ]);
  return { name: download.suggestedFilename(), text: await readFile(await download.path(), 'utf8') };
}

test('Download figure saves the same SVG as statelab figure, for the step on screen', async ({ page }) => {
  await page.goto('tour/sticky-crash/2/');
  const two = await downloadFigure(page);
  expect(two.name).toBe('sticky-crash-2.svg');
  expect(two.text).toBe(statelab(['figure', 'sticky-crash', '2', '--svg']));
  await expect(page.getByRole('status').filter({ hasText: 'Figure downloaded' })).toBeVisible();

  // A step reached by clicking, with a crash in it: the figure follows the page.
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.locator('.narration strong')).toHaveText('Step 3 of 4');
  const three = await downloadFigure(page);
  expect(three.name).toBe('sticky-crash-3.svg');
  expect(three.text).toBe(statelab(['figure', 'sticky-crash', '3', '--svg']));
  expect(three.text).toContain('S1 ✕ down');
});

test('there is no figure to download before the first step, nor in an embed', async ({ page }) => {
  await page.goto('tour/sticky-crash/0/');
  await expect(page.locator('.narration strong')).toHaveText('Step 0 of 4');
  await expect(page.getByRole('button', { name: /^Download figure/ })).toHaveCount(0);
  await page.goto('tour/sticky-crash/2/embed/');
  await expect(page.locator('.narration strong')).toHaveText('Step 2 of 4');
  await expect(page.getByRole('button', { name: /^Download figure/ })).toHaveCount(0);
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
