// The release build works unchanged from any sub-path of any static host.
import { test, expect } from '../fixtures.mjs';
import { spawn } from 'node:child_process';
import { watchErrors } from '../helpers.mjs';

test('dist/ served under /docs/playground/ loads every asset', async ({ page }) => {
  // Beside the test server's port (PW_PORT), so two checkouts can test at once.
  const port = Number(process.env.PW_PORT || 4173) + 2;
  const server = spawn('node', ['e2e/serve.mjs', '--root', 'dist', '--port', String(port), '--base', '/docs/playground/']);
  await new Promise((resolve) => server.stdout.once('data', resolve));
  try {
    const errors = watchErrors(page);
    const failed = [];
    page.on('response', (r) => r.status() >= 400 && failed.push(r.url()));
    await page.goto(`http://127.0.0.1:${port}/docs/playground/`);
    await expect(page.getByRole('heading', { level: 1, name: 'Statelab' })).toBeVisible();
    await expect(page.locator('link[rel=icon]')).toHaveAttribute('href', /^(\.\/)?favicon-[0-9a-f]+\.svg$/);
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    server.kill();
  }
});
