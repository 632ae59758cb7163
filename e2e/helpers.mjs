import { expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** What the `statelab` command prints, from the native build the test run made first. */
export function statelab(args) {
  const bin = 'target/debug/statelab';
  const out = existsSync(bin)
    ? execFileSync(bin, args)
    : execFileSync('cargo', ['run', '-q', '-p', 'statelab-sim', '--bin', 'statelab', '--', ...args]);
  return out.toString();
}

/** Collects console errors and uncaught exceptions for the whole test. */
export function watchErrors(page) {
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/** Fails on any serious or critical axe violation, listing them. */
export async function expectAccessible(page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);
}

/** A lane's section by its letter. */
export const lane = (page, letter) => page.locator(`section[aria-labelledby='lane-${letter}-title']`);

/** A lane's rows in the history (one cell per action, newest first). */
export const requests = (page, letter) => page.locator(`.lane-${letter}-rows`);

/** Shows every action in the history, and opens every request row. */
export async function showAllRequests(page) {
  const more = page.getByRole('button', { name: /^Show \d+ earlier actions?/ });
  while (await more.count()) await more.first().click();
  const closed = page.locator('article.exchange > details:not([open]) > summary');
  for (let n = await closed.count(); n > 0; n--) await closed.first().click();
}

/**
 * The text of `selector` in each of a lane's request rows, in the order the
 * requests were sent: the history shows the newest action first, and an
 * action's requests (a refresh the app sends first, say) in the order sent.
 */
export async function inOrderSent(section, selector) {
  const rows = section.locator('article.exchange');
  const seqs = (await rows.locator('summary .seq').allTextContents()).map((s) => Number(s.slice(1)));
  const texts = await rows.locator(selector).allTextContents();
  expect(texts.length, `one ${selector} a row`).toBe(seqs.length);
  return seqs.map((seq, k) => [seq, texts[k]]).sort((x, y) => x[0] - y[0]).map(([, t]) => t);
}
