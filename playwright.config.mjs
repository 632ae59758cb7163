// End-to-end tests drive release builds in Debian's Chromium (never a
// downloaded browser). `cargo xtask test` builds both pages first and sets
// CHROMIUM. Two projects: the shipped site (dist/) and the playground page,
// staged in target/playground-dist/ until it ships on the main page.
import { defineConfig } from '@playwright/test';

const SITE = 4173;
const PLAYGROUND = 4174;

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
    { name: 'site', testMatch: 'site/*.spec.mjs', use: { baseURL: `http://127.0.0.1:${SITE}/` } },
    { name: 'playground', testMatch: 'playground/*.spec.mjs', use: { baseURL: `http://127.0.0.1:${PLAYGROUND}/` } },
  ],
  webServer: [
    { command: `node e2e/serve.mjs --root dist --port ${SITE}`, url: `http://127.0.0.1:${SITE}/`, reuseExistingServer: false, timeout: 10_000 },
    { command: `node e2e/serve.mjs --root target/playground-dist --port ${PLAYGROUND}`, url: `http://127.0.0.1:${PLAYGROUND}/`, reuseExistingServer: false, timeout: 10_000 },
  ],
});
