// Every page paints its prerendered state first (src/bin/prerender.rs) and
// the wasm then takes it over (src/takeover.rs), marking <html data-app="ready">.
// Tests act on the app, so each navigation here waits for the takeover:
// a click on a prerendered button before it would do nothing.
import { test as base, expect } from '@playwright/test';

export { expect };

/** Waits until the app has taken the page over (pages without one, such as Learn, at once). */
export const ready = (page) => 
  page.waitForFunction(() => !document.getElementById('app') || document.documentElement.dataset.app === 'ready');

export const test = base.extend({
  page: async ({ page }, use) => {
    for (const name of ['goto', 'reload', 'goBack', 'goForward']) {
      const original = page[name].bind(page);
      page[name] = async (...args) => {
        const response = await original(...args);
        await ready(page);
        return response;
      };
    }
    await use(page);
  },
});
