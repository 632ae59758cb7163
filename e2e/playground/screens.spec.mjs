// Screenshots at three widths for a person to look at (target/e2e/screens/),
// each also checked for horizontal overflow.
import { test, expect } from '../fixtures.mjs';

for (const width of [360, 700, 1280]) {
  test(`screenshot at ${width} px`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto('./?scenario=sticky-crash&step=4&seed=3&bogus=%E2%80%AE1');
    await expect(page.locator('.narration strong')).toHaveText('Step 4 of 4');
    await page.screenshot({ path: `target/e2e/screens/playground-${width}.png`, fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
}
