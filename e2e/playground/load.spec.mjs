// The load panel: a run from a link, its progress, Cancel, numbers equal to
// the `statelab load` command's for the same seed, the page staying usable
// while workers run, keyboard use and axe; live traffic with faults clicked
// while it runs.
import { test, expect } from '../fixtures.mjs';
import { expectAccessible, lane, statelab, watchErrors, requests } from '../helpers.mjs';

/** `statelab load … --json`. */
const cli = (args) => JSON.parse(statelab(['load', ...args, '--json']));

const host = (page) => page.locator('#load-host');
/** Types `text` over the focused field's value by keyboard, then Tab. */
async function retype(page, text) {
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
  await page.keyboard.press('Tab');
}
const cell = (page, l, k) => page.locator(`td[data-lane='${l}'][data-k='${k}']`);
/** Every total of the run's table, lane by lane, equals the command's (`expected[lane]`). */
async function expectTotals(page, expected) {
  const keys = ['requests', 'ok', 'failed', 'unauthorized', 'unavailable', 'limited', 'logins', 'refreshes', 'store_trips',
    'p50_ms', 'p95_ms', 'p99_ms', 'credential_mean_tenths', 'sessions_lost', 'peak_sessions', 'peak_state_bytes'];
  for (const [l, cli] of Object.entries(expected)) {
    for (const k of keys) {
      await expect(cell(page, l, k), `lane ${l} ${k}`).toHaveAttribute('data-v', String(cli.totals[k]));
    }
  }
}

test('a run from a link shows progress, ends with charts, and its numbers are the command\'s', async ({ page }) => {
  const errors = watchErrors(page);
  const faults = '30.crash.1~50.store.down~60.store.up~70.restart.1~80.rotate.drop';
  await page.goto(`./?load=400x25&faults=${faults}&seed=3`);
  await expect(page.getByRole('progressbar', { name: 'Load run progress' })).toBeVisible();
  await expect(host(page)).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(page.locator('.load-status')).toHaveText(/^Done: 20,000 requests in [\d.]+ s\.$/);
  await expect(page).toHaveURL(/load=400x25&faults=30\.crash\.1~50\.store\.down/);
  const expected = { a: cli(['--lane', 'jwt', '--clients', '400', '--requests', '25', '--seed', '3', '--faults', faults]),
    b: cli(['--lane', 'local', '--clients', '400', '--requests', '25', '--seed', '3', '--faults', faults]) };
  await expectTotals(page, expected);
  // The lanes differ, so the comparison is not of zeros.
  expect(expected.b.totals.unauthorized).toBeGreaterThan(0);
  expect(expected.a.totals.sessions_lost).toBe(0);
  // Five charts for lane B, one shared, four for lane A (it holds no state:
  // a sentence says so), each with its table; faults marked on time charts.
  await expect(page.locator('.load-charts svg.load-chart')).toHaveCount(8);
  await expect(page.locator('.load-charts details')).toHaveCount(8);
  await expect(page.locator('.load-charts .fault')).toHaveCount(15);
  // Neither lane reaches the store nor refreshes: a sentence each says so.
  const noStore = 'No request reached the shared store and the app sent no refresh: this lane answers from what each request carries and what each server holds.';
  await expect(page.locator('.load-charts .load-none')).toHaveText([noStore, noStore, 'No server or store holds any session: this lane keeps no state on the server side.']);
  await page.getByText('Table: Lane B: answers per second').click();
  await expect(page.locator('#answers-per-simulated-second-b-details table')).toBeVisible();
  expect(errors).toEqual([]);
});

// The token and key designs: the command's lane kinds name the configurations
// the page runs (its JSON says which), and the page's numbers are the command's.
for (const [a, b] of [['refresh', 'apikey'], ['opaque', 'apikey-local']]) {
  test(`a run of ${a} and ${b} lanes counts refreshes, store round trips and 429s as the command does`, async ({ page }) => {
    const errors = watchErrors(page);
    const run = (lane) => cli(['--lane', lane, '--clients', '200', '--requests', '80', '--seed', '5']);
    const expected = { a: run(a), b: run(b) };
    await page.goto(`./?load=200x80&seed=5&a=${expected.a.config}&b=${expected.b.config}`);
    await expect(host(page)).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    await expectTotals(page, expected);
    const notes = page.locator('.load-note');
    if (a === 'refresh') {
      // Access tokens of 10 s: the app refreshes about ten times a user in a run.
      expect(expected.a.totals.refreshes).toBeGreaterThan(200 * 8);
      await expect(notes.filter({ hasText: 'Lane A: access tokens live 10 s' })).toHaveCount(1);
      // Limits in the store: 8 requests per user per 10 s window against 5.
      expect(expected.b.totals.limited).toBeGreaterThan(0);
      await expect(notes.filter({ hasText: 'Lane B: API clients are limited to 5 requests per 10 s each, all their keys together, counted in the shared store' }))
        .toContainText('each load user sends 8 requests per 10 s window (200 users sharing 160 a second), so about 38 % of them are answered 429');
    } else {
      // Every authenticated request is looked up; three servers' own counts let 8 a window through.
      expect(expected.a.totals.store_trips).toBeGreaterThanOrEqual(expected.a.totals.requests - expected.a.totals.logins);
      expect(expected.b.totals.limited).toBe(0);
      await expect(notes).toHaveCount(1);
      await expect(notes).toContainText('Lane B: API clients are limited to 5 requests per 10 s each, all their keys together, counted in each server\'s own memory');
    }
    await page.getByText('Table: Lane A: refreshes and store round trips').click();
    await expect(page.locator('#refreshes-and-store-round-trips-a-details table')).toBeVisible();
    expect(errors).toEqual([]);
  });
}

test('a long run can be cancelled, leaves consistent numbers, and the page stays usable meanwhile', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?load=10000x1000');
  await expect(page.locator('progress')).not.toHaveAttribute('value', '0', { timeout: 20_000 });
  // The playground answers clicks while the workers run.
  await page.getByRole('button', { name: 'Log in', exact: true }).first().click();
  await expect(requests(page, 'a').locator('article.exchange .status').first()).toHaveText('200 OK');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(host(page)).toHaveAttribute('data-state', 'cancelled');
  await expect(page.locator('.load-status')).toHaveText(/^Cancelled at \d+ %/);
  // The last report drawn is whole: OK + failed = answered, in each lane.
  await expect(cell(page, 'a', 'requests')).toBeVisible();
  for (const l of ['a', 'b']) {
    const v = async (k) => Number(await cell(page, l, k).getAttribute('data-v'));
    expect(await v('requests')).toBeGreaterThan(0);
    expect(await v('requests')).toBeLessThan(10_000_000);
    expect((await v('ok')) + (await v('failed'))).toBe(await v('requests'));
  }
  await expect(page.getByRole('button', { name: 'Cancel' })).toBeDisabled();
  expect(errors).toEqual([]);
});

test('a size past the bounds gets a specific notice and breaks nothing', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?load=99999999x1');
  await expect(page.locator('#load-host [role=alert]')).toHaveText(
    'The load run did not start: a load run is limited to 10,000 clients (the link asks for 99999999).');
  await expect(host(page)).toHaveAttribute('data-state', 'error');
  await page.goto('./?load=%3Cb%3Ex1&faults=30.me.alice');
  await expect(page.locator('#load-host [role=alert]')).toContainText('is not <clients>x<requests>');
  await page.goto('./?load=5x5&faults=30.me.alice');
  await expect(page.locator('#load-host [role=alert]')).toContainText('`me.alice` is not a fault');
  expect(errors).toEqual([]);
});

test('the panel works by keyboard, and the same plan runs again', async ({ page }) => {
  await page.goto('./?theme=dark');
  await page.locator('#load-go').focus();
  await expect(page.locator('#load-go')).toHaveText('Set up a run: thousands of users on both lanes');
  await page.keyboard.press('Enter');
  await expect(page.locator('#load-clients')).toBeFocused();
  await retype(page, '200');
  await retype(page, '10');
  await expect(page.locator('#load-faults')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Start load run' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(host(page)).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(page).toHaveURL(/load=200x10&faults=30\.crash\.1/);
  await expect(page.locator('.load-charts .fault').first()).toBeVisible();
  // The same plan again runs again.
  const before = await page.evaluate(() => window.__statelabLoad.started);
  await page.getByRole('button', { name: 'Start load run' }).press('Enter');
  await page.waitForFunction((b) => window.__statelabLoad.started > b && document.querySelector('#load-host').dataset.state === 'done', before, { timeout: 30_000 });
});

for (const scheme of ['dark', 'light']) {
  test(`axe finds nothing serious with a run's charts and tables on the page, ${scheme}`, async ({ page }) => {
    // Nine charts and their tables make axe's pass slow on a busy machine.
    test.setTimeout(120_000);
    await page.goto(`./?theme=${scheme}&load=200x10&faults=30.crash.1`);
    await expect(host(page)).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    await page.getByText('Table: Lane A: latency').click();
    await expectAccessible(page);
  });
}

/** The simulated seconds live traffic has played, from its status line. */
async function liveSeconds(page) {
  const m = (await page.locator('.load-status').textContent()).match(/^Live: (\d+) simulated s/);
  return m ? Number(m[1]) : -1;
}

test('live traffic: a crash clicked under load lands before the same request in both lanes and costs only the sticky lane its sessions', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?live=300x200&b=local.sticky.3&seed=4');
  await expect(host(page)).toHaveAttribute('data-state', 'live');
  // Sticky sessions: no hint that lane B fails without faults.
  await expect(page.locator('.load-hint')).toHaveCount(0);
  await expect.poll(() => liveSeconds(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(6);
  const faults = page.getByRole('group', { name: 'Faults, on both lanes at once' });
  await faults.getByRole('button', { name: 'Crash S1 in both lanes' }).click();
  const told = page.locator('.live-events li').first();
  await expect(told).toContainText(/^(\d+) s · Crash S1 \(the lanes' clocks read 09:00:\d\d\)/, { timeout: 10_000 });
  // The clock the lanes' sentences use is the chart's seconds from 09:00:00.
  const [, sec, clock] = (await told.textContent()).match(/^(\d+) s · Crash S1 \(the lanes' clocks read 09:00:(\d\d)\)/);
  expect(Number(clock)).toBe(Number(sec));
  await expect(told).toContainText('Lane A: S1 crashed; health checks take it out of rotation');
  await expect(told).toContainText(/Lane B: S1 crashed: \d+ sessions in its memory are gone/);
  // Each lane's table lists the crash before the same request, on a tick's boundary.
  await expect.poll(async () => Number(await cell(page, 'b', 'sessions_lost').getAttribute('data-v')), { timeout: 10_000 }).toBeGreaterThan(0);
  await expect(cell(page, 'a', 'sessions_lost')).toHaveAttribute('data-v', '0');
  const at = [];
  for (const l of ['a', 'b']) {
    const item = page.locator(`#answers-per-simulated-second-${l}-details .load-faults li`).first();
    const m = (await item.textContent()).match(/^(\d+) s, before request ([\d,]+): S1 crashed/);
    expect(m, `lane ${l}`).not.toBeNull();
    at.push(Number(m[2].replaceAll(',', '')));
  }
  expect(at[0]).toBe(at[1]);
  expect(at[0] % 100).toBe(0);
  // The charts keep moving while it runs.
  const renders = await page.evaluate(() => window.__statelabLoad.renders);
  await expect.poll(() => page.evaluate(() => window.__statelabLoad.renders)).toBeGreaterThan(renders + 2);
  await page.getByRole('button', { name: 'Stop live traffic' }).click();
  await expect(host(page)).toHaveAttribute('data-state', 'stopped');
  await expect(page.locator('.load-status')).toHaveText('Stopped: the charts show the traffic so far.');
  await expect(faults.getByRole('button', { name: 'Crash S1 in both lanes' })).toBeDisabled();
  await expect(page.locator('#load-go')).toBeFocused();
  for (const l of ['a', 'b']) {
    const v = async (k) => Number(await cell(page, l, k).getAttribute('data-v'));
    expect((await v('ok')) + (await v('failed'))).toBe(await v('requests'));
  }
  expect(errors).toEqual([]);
});

test('live traffic says when a lane fails without faults, and refuses a rate past its bound', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?live=100x50');
  // Said once measured: 100 users over 3 servers by round robin move between servers.
  const hint = page.locator('.load-hint');
  await expect(hint).toContainText(/requests were refused \(401\) before any fault/, { timeout: 20_000 });
  const count = async () => Number((await hint.textContent()).match(/: ([\d,]+) requests were refused/)[1].replaceAll(',', ''));
  const refused = await count();
  expect(refused).toBeGreaterThan(0);
  await expect.poll(async () => Number(await cell(page, 'b', 'unauthorized').getAttribute('data-v'))).toBeGreaterThanOrEqual(refused);
  // The count follows the lane while no fault has happened (it said 100 for good before).
  await expect.poll(count, { timeout: 20_000 }).toBeGreaterThan(refused);
  // Its button switches lane B to sticky sessions, and live traffic starts again with them.
  await hint.getByRole('button', { name: 'Use sticky cookie in lane B' }).click();
  await expect(page).toHaveURL(/b=local\.sticky\.3/);
  await expect(page.locator('.load-status')).toContainText(/live traffic starts again from 0 s|^Live: /);
  await expect(page.locator('.load-hint')).toHaveCount(0);
  await expect(cell(page, 'b', 'unauthorized')).toHaveAttribute('data-v', '0');
  // 99 users on 3 servers by round robin: each user meets the same server every time.
  await page.goto('./?live=99x99');
  await expect.poll(() => liveSeconds(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(4);
  await expect(page.locator('.load-hint')).toHaveCount(0);
  await page.goto('./?live=10x99999');
  await expect(page.locator('#load-host [role=alert]')).toHaveText(
    'Live traffic did not start: live traffic is limited to 2,000 requests per second (the link asks for 99999).');
  await expect(host(page)).toHaveAttribute('data-state', 'error');
  expect(errors).toEqual([]);
});

test('live traffic is set up by keyboard, and joins a state kept in the tab', async ({ page }) => {
  // 4,000 requests: past the 32 KB a link may carry, so the address is a key.
  await page.goto(`./?log=${'me.alice~'.repeat(4000)}`);
  await expect(page).toHaveURL(/\?kept=[0-9a-f]{16}$/);
  await page.locator('#live-go').focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('#load-kind-live')).toBeChecked();
  await expect(page.locator('#load-clients')).toBeFocused();
  await retype(page, '200');
  await expect(page.locator('#load-rate')).toBeFocused();
  await retype(page, '100');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Start live traffic' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(host(page)).toHaveAttribute('data-state', 'live');
  // The playground's 4,000 requests are still there, and the address is a key again.
  await expect(page.locator('.h-head p').first()).toContainText(' · 4000 requests · ');
  await expect(page).toHaveURL(/\?kept=[0-9a-f]{16}$/);
  await expect.poll(() => liveSeconds(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
  await page.getByRole('button', { name: 'Stop live traffic' }).press('Enter');
  await expect(host(page)).toHaveAttribute('data-state', 'stopped');
  // The kinds switch the fields and the button.
  await page.locator('#load-kind-load').check();
  await expect(page.getByRole('button', { name: 'Start load run' })).toBeVisible();
  await expect(page.locator('#load-requests')).toBeVisible();
  await expect(page.locator('#load-rate')).toBeHidden();
});

for (const scheme of ['dark', 'light']) {
  test(`axe finds nothing serious on live traffic with a fault told, ${scheme}`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.goto(`./?theme=${scheme}&live=100x50`);
    await expect.poll(() => liveSeconds(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    await page.getByRole('group', { name: 'Faults, on both lanes at once' }).getByRole('button', { name: 'Store down in both lanes' }).click();
    await expect(page.locator('.live-events li')).toHaveCount(1, { timeout: 10_000 });
    await page.getByRole('button', { name: 'Stop live traffic' }).click();
    await expect(host(page)).toHaveAttribute('data-state', 'stopped');
    await expectAccessible(page);
  });
}

/** A fault on S7 refused by both lanes as the page shows them by default. */
const refusedInBoth = 'The load run did not start. '
  + 'Lane A: fault `20.crash.7` names S7, but the lane `jwt.rr.3` has only 3 servers at that point. '
  + 'Lane B: fault `20.crash.7` names S7, but the lane `local.rr.3` has only 3 servers at that point.';

test('a fault schedule of your own runs from the form, and a wrong one is named', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./');
  await page.locator('#load-go').click();
  await expect(page.locator('#load-schedule')).toBeHidden();
  await page.locator('#load-faults').selectOption('custom');
  await expect(page.locator('#load-schedule-help')).toContainText('crash.N, restart.N');
  await page.locator('#load-clients').fill('100');
  await page.locator('#load-requests').fill('10');
  await page.locator('#load-schedule').fill('20.crash.2~40.restart.2');
  await page.getByRole('button', { name: 'Start load run' }).click();
  await expect(host(page)).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(page).toHaveURL(/load=100x10&faults=20\.crash\.2~40\.restart\.2/);
  await expect(page.locator('#answers-per-simulated-second-a-details .load-faults li').first()).toContainText('20 s, before request 200: S2 crashed');
  // Every row of the run's table says what it means on the Learn page.
  await expect(page.locator('.load-compare a.means')).toHaveCount(16);
  await page.locator('#load-faults').selectOption('custom');
  await page.locator('#load-schedule').fill('20.fly');
  await page.getByRole('button', { name: 'Start load run' }).click();
  await expect(page.locator('#load-host [role=alert]')).toContainText('unknown action `fly`');
  // A fault on a server the lanes do not have is refused, not charted as if it happened.
  await page.locator('#load-schedule').fill('20.crash.7');
  await page.getByRole('button', { name: 'Start load run' }).click();
  // Both lanes refuse it, and the page names both, in lane order, whichever worker answered first.
  await expect(page.locator('#load-host [role=alert]')).toHaveText(refusedInBoth);
  await expect(page.locator('#load-host .load-charts svg')).toHaveCount(0);
  expect(errors).toEqual([]);
});

/** Holds back every message lane `slow`'s worker posts to the page by
 *  `ms` (load-run.js starts the drawing worker, then lane A's, then lane
 *  B's, for each run), so the other lane's worker always answers first. */
async function slowLane(page, slow, ms = 400) {
  await page.addInitScript(([slow, ms]) => {
    const Native = window.Worker;
    let made = 0;
    window.Worker = class extends Native {
      constructor(url, ...rest) {
        super(url, ...rest);
        this.lane = String(url).endsWith('/load-worker.js') ? ['render', 'a', 'b'][made++ % 3] : '';
      }
      set onmessage(handler) {
        super.onmessage = this.lane === slow && handler ? (e) => setTimeout(() => handler.call(this, e), ms) : handler;
      }
      get onmessage() {
        return super.onmessage;
      }
    };
  }, [slow, ms]);
}

for (const slow of ['a', 'b']) {
  test(`what the panel says does not depend on which lane's worker answers first (lane ${slow.toUpperCase()} slow)`, async ({ page }) => {
    test.setTimeout(90_000);
    const errors = watchErrors(page);
    await slowLane(page, slow);
    const alert = page.locator('#load-host [role=alert]');
    // Both lanes refuse: both are named, lane A first.
    await page.goto('./?load=100x10&faults=20.crash.7');
    await expect(host(page)).toHaveAttribute('data-state', 'error');
    await expect(alert).toHaveText(refusedInBoth);
    await expect(page.locator('.load-status')).toHaveText('No load run: see the message below.');
    // Only lane B refuses (lane A has eight servers): lane B is named, and
    // lane A, which could start, draws nothing either.
    await page.goto('./?load=100x10&faults=20.crash.7&a=jwt.rr.8');
    await expect(host(page)).toHaveAttribute('data-state', 'error');
    await expect(alert).toHaveText('The load run did not start. '
      + 'Lane B: fault `20.crash.7` names S7, but the lane `local.rr.3` has only 3 servers at that point.');
    await page.waitForTimeout(1_000);
    await expect(page.locator('#load-host .load-charts svg')).toHaveCount(0);
    // An error of the plan is the same in both lanes: said once.
    await page.goto('./?load=5x5&faults=30.me.alice');
    await expect(alert).toHaveText(/^The load run did not start: [^]*`me\.alice` is not a fault[^]*\.$/);
    await expect(alert).not.toContainText('Lane ');
    // Live traffic stopped between ticks: the last charts show both lanes
    // after the same tick, so they played the same number of requests.
    await page.goto('./?live=100x50');
    await expect.poll(() => liveSeconds(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    await page.getByRole('group', { name: 'Faults, on both lanes at once' }).getByRole('button', { name: 'Crash S1 in both lanes' }).click();
    await expect(page.locator('.live-events li')).toHaveCount(1, { timeout: 10_000 });
    await expect(page.locator('.live-events li').first()).toContainText(/Lane A: .*Lane B: /);
    await page.getByRole('button', { name: 'Stop live traffic' }).click();
    await expect(host(page)).toHaveAttribute('data-state', 'stopped');
    const played = async (l) => Number(await cell(page, l, 'requests').getAttribute('data-v'));
    expect(await played('a')).toBeGreaterThan(0);
    expect(await played('a')).toBe(await played('b'));
    await expect(alert).toBeHidden();
    expect(errors).toEqual([]);
  });
}

test('a compact embed of a step whose link asks for live traffic shows it', async ({ page }) => {
  await page.goto('./?embed=1&scenario=sticky-crash&step=1&live=100x50');
  await expect(page.locator('#details')).toHaveCount(0);
  await expect(host(page)).toHaveAttribute('data-state', 'live');
  await expect.poll(() => liveSeconds(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
});

test('a load run on connection lanes draws connections per server and messages per second, as the command counts them', async ({ page }) => {
  const errors = watchErrors(page);
  const a = 'chat-memory:jwt.leastconn.3';
  const b = 'chat-pubsub:jwt.leastconn.3';
  await page.goto(`./?a=${a}&b=${b}&load=200x20&faults=40.crash.1&seed=1`);
  await expect(host(page)).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const charts = page.locator('.load-charts');
  await expect(charts.locator('h3', { hasText: 'Connections open per server' })).toHaveCount(1);
  await expect(charts.locator('h3', { hasText: 'Messages per simulated second' })).toHaveCount(1);
  for (const l of ['a', 'b']) {
    const open = page.locator(`#connections-open-per-server-${l}-cap`).locator('..');
    // Least connections spread the load users over all three servers; the crash is marked.
    await expect(open.locator('polyline')).toHaveCount(3);
    await expect(open.locator('.load-legend li')).toHaveText(['S1', 'S2', 'S3']);
    await expect(open.locator('.fault text')).toHaveText('crash 1');
    const messages = page.locator(`#messages-per-simulated-second-${l}-cap`).locator('..');
    await expect(messages.locator('polyline.delivered, polyline.missed, polyline.offline')).toHaveCount(3);
    await expect(messages.locator('.fault text')).toHaveText('crash 1');
  }
  // The tables say what `statelab load` counts, second by second.
  for (const [l, config] of [['a', a], ['b', b]]) {
    const run = cli(['--config', config, '--clients', '200', '--requests', '20', '--seed', '1', '--faults', '40.crash.1']);
    const sum = (from, k) => run.seconds.slice(from, from + 10).reduce((n, s) => n + s[k], 0); // the command's seconds are their socket counts
    const rows = page.locator(`#messages-per-simulated-second-${l}-details tbody tr`);
    await expect(rows).toHaveCount(Math.ceil(run.seconds.length / 10));
    for (const row of [0, 4]) {
      const want = ['sent', 'delivered', 'missed', 'offline'].map((k) => sum(row * 10, k).toLocaleString('en-US'));
      await expect(rows.nth(row).locator('td')).toHaveText(want);
    }
    const openRows = page.locator(`#connections-open-per-server-${l}-details tbody tr`);
    const at50 = run.seconds[49].open.slice(0, 3).map((n) => n.toLocaleString('en-US'));
    await expect(openRows.nth(4).locator('td').first()).toHaveText(at50[0]);
    await expect(openRows.nth(4).locator('td').nth(2)).toHaveText(at50[2]);
  }
  expect(errors).toEqual([]);
});

test('a load run on file lanes draws FTP sessions per server and downloads, as the command counts them', async ({ page }) => {
  const errors = watchErrors(page);
  const a = 'ftp:local.iphash.3';
  const b = 'files:jwt.rr.3';
  await page.goto(`./?a=${a}&b=${b}&load=300x40&faults=30.crash.1&seed=1`);
  await expect(host(page)).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const charts = page.locator('.load-charts');
  await expect(charts.locator('h3', { hasText: 'FTP sessions held per server' })).toHaveCount(1);
  await expect(charts.locator('h3', { hasText: 'Downloads per simulated second' })).toHaveCount(1);
  // Only the FTP lane holds sessions; the HTTP lane gets no chart of them.
  await expect(page.locator('#ftp-sessions-held-per-server-b-cap')).toHaveCount(0);
  const held = page.locator('#ftp-sessions-held-per-server-a-cap').locator('..');
  await expect(held.locator('.fault text')).toHaveText('crash 1');
  for (const [l, config] of [['a', a], ['b', b]]) {
    const run = cli(['--config', config, '--clients', '300', '--requests', '40', '--seed', '1', '--faults', '30.crash.1']);
    const sum = (from, k) => run.seconds.slice(from, from + 10).reduce((n, s) => n + s[k], 0); // the command's seconds are their file counts
    const rows = page.locator(`#downloads-per-simulated-second-${l}-details tbody tr`);
    for (const row of [0, 3]) {
      const want = ['started', 'resumed', 'completed', 'cut', 'no_data', 'refused', 'bytes'].map((k) => sum(row * 10, k).toLocaleString('en-US'));
      await expect(rows.nth(row).locator('td')).toHaveText(want);
    }
    // The side-by-side table carries the run's file counts.
    await expect(cell(page, l, 'downloads_cut')).toHaveAttribute('data-v', String(run.totals.files.cut));
    await expect(cell(page, l, 'no_data')).toHaveAttribute('data-v', String(run.totals.files.no_data));
    await expect(cell(page, l, 'peak_held')).toHaveAttribute('data-v', String(run.totals.peak_held));
    if (l === 'a') {
      const rows = page.locator('#ftp-sessions-held-per-server-a-details tbody tr');
      // The row at 30 s is the last second before the crash: S1 still holds its share.
      const at30 = run.seconds[29].held.slice(0, 3).filter((n) => n > 0).map((n) => n.toLocaleString('en-US'));
      await expect(rows.nth(2).locator('td').first()).toHaveText(at30[0]);
      expect(run.totals.files.sessions_lost).toBeGreaterThan(0);
    }
  }
  expect(errors).toEqual([]);
});

test('a load run on database lanes draws the connections each pool lent and the waits, as the command counts them', async ({ page }) => {
  const errors = watchErrors(page);
  const a = 'db-session:jwt.rr.3';
  const b = 'db-txn:jwt.rr.3';
  await page.goto(`./?a=${a}&b=${b}&load=1000x50&faults=50.crash.2&seed=1`);
  await expect(host(page)).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const charts = page.locator('.load-charts');
  await expect(charts.locator('h3', { hasText: 'Database connections lent per pool' })).toHaveCount(1);
  await expect(charts.locator('h3', { hasText: 'Pool waits per simulated second' })).toHaveCount(1);
  // Each app server's own pool in lane A; PgBouncer's one pool in lane B.
  await expect(page.locator('#database-connections-lent-per-pool-a-cap').locator('..').locator('.load-legend li')).toHaveText(['pool 1', 'pool 2', 'pool 3']);
  await expect(page.locator('#database-connections-lent-per-pool-b-cap').locator('..').locator('.load-legend li')).toHaveText(['pool 1']);
  for (const [l, config] of [['a', a], ['b', b]]) {
    const run = cli(['--config', config, '--clients', '1000', '--requests', '50', '--seed', '1', '--faults', '50.crash.2']);
    const sum = (from, k) => run.seconds.slice(from, from + 10).reduce((n, s) => n + s[k], 0); // the command's seconds are their pool counts
    const rows = page.locator(`#pool-waits-per-simulated-second-${l}-details tbody tr`);
    for (const row of [0, 5]) {
      const [checkouts, waited, timeouts, aborted, dropped] = ['checkouts', 'waited', 'timeouts', 'aborted', 'dropped'].map((k) => sum(row * 10, k));
      const waitMs = sum(row * 10, 'wait_ms');
      const mean = waited ? `${Math.floor(waitMs / waited).toLocaleString('en-US')} ms` : '–';
      await expect(rows.nth(row).locator('td')).toHaveText([checkouts, waited, mean, timeouts, aborted, dropped].map((v) => v.toLocaleString('en-US')));
    }
    for (const k of ['waited', 'timeouts', 'opened', 'aborted', 'dropped']) {
      const key = { waited: 'pool_waited', timeouts: 'pool_timeouts', opened: 'db_opened', aborted: 'aborted', dropped: 'dropped' }[k];
      await expect(cell(page, l, key), `lane ${l} ${k}`).toHaveAttribute('data-v', String(run.totals.pools[k]));
    }
  }
  expect(errors).toEqual([]);
});
