// End-to-end tests drive the release build (dist/) in Debian's Chromium
// (never a downloaded browser). `cargo xtask test` builds it first and sets
// CHROMIUM. One server for both projects: the site's shell and hosting
// (e2e/site/) and the playground it ships (e2e/playground/).
import { defineConfig } from '@playwright/test';

// PW_PORT lets two checkouts run their end-to-end tests at once.
const PORT = Number(process.env.PW_PORT || 4173);
const use = { baseURL: `http://127.0.0.1:${PORT}/` };

export default defineConfig({
  testDir: './e2e',
  outputDir: './target/e2e/artifacts',
  timeout: 60_000,
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json']],
  use: {
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [
    { name: 'site', testMatch: 'site/*.spec.mjs', use },
    { name: 'playground', testMatch: 'playground/*.spec.mjs', use },
  ],
  // Node's default 16 KB header limit would refuse the long-link tests' URLs.
  webServer: [{ command: `node --max-http-header-size=1048576 e2e/serve.mjs --root dist --port ${PORT}`, url: use.baseURL, reuseExistingServer: false, timeout: 10_000 }],
});
