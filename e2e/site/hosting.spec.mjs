// The release build works unchanged from any sub-path of any static host.
import { test, expect } from '../fixtures.mjs';
import { spawn } from 'node:child_process';
import { watchErrors } from '../helpers.mjs';

/** Serves dist/ under /docs/playground/ beside the test server's port (PW_PORT), so two checkouts can test at once. */
async function subPath(offset) {
  const port = Number(process.env.PW_PORT || 4173) + offset;
  const server = spawn('node', ['e2e/serve.mjs', '--root', 'dist', '--port', String(port), '--base', '/docs/playground/']);
  await new Promise((resolve) => server.stdout.once('data', resolve));
  return { server, root: `http://127.0.0.1:${port}/docs/playground/` };
}

test('a tour step page under a sub-path loads every asset, and its links stay under it', async ({ page }) => {
  const { server, root } = await subPath(3);
  try {
    const errors = watchErrors(page);
    const failed = [];
    page.on('response', (r) => r.status() >= 400 && failed.push(r.url()));
    await page.goto(`${root}tour/sticky-crash/2/`);
    await expect(page.locator('.narration strong')).toHaveText('Step 2 of 4');
    await page.getByRole('button', { name: 'Next step' }).click();
    await expect(page).toHaveURL(`${root}tour/sticky-crash/3/`);
    await expect(page.getByRole('link', { name: 'Learn the ideas' })).toHaveJSProperty('href', `${root}learn.html`);
    // Free play from a step page is a query on the site's root, not on the step's path.
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`^${root.replaceAll('/', '\\/')}\\?`));
    await page.reload();
    await expect(page.locator('.history')).toContainText('login alice');
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    server.kill();
  }
});

test('dist/ served under /docs/playground/ loads every asset', async ({ page }) => {
  const { server, root } = await subPath(2);
  try {
    const errors = watchErrors(page);
    const failed = [];
    page.on('response', (r) => r.status() >= 400 && failed.push(r.url()));
    await page.goto(root);
    await expect(page.getByRole('heading', { level: 1, name: 'Statelab' })).toBeVisible();
    await expect(page.locator('link[rel=icon]')).toHaveAttribute('href', /^(\.\/)?favicon-[0-9a-f]+\.svg$/);
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    server.kill();
  }
});
