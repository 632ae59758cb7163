// Connection lanes (issue 20): a chat room held in each server's memory
// beside the same room over pub/sub. The page shows every frame that
// crossed, decoded and as bytes, who did not get a message and why, each
// client's socket, and the comparison rows — all from what the engine recorded.
import AxeBuilder from '@axe-core/playwright';
import { test, expect } from '../fixtures.mjs';
import { expectAccessible, lane, requests, watchErrors } from '../helpers.mjs';

// Round robin over 3 servers: the logins take S1 and S2, alice's handshake
// S3 and bob's S1, so alice and bob end up on different servers.
const CHAT = './?a=chat-memory:jwt.rr.3&b=chat-pubsub:jwt.rr.3&log=login.alice~login.bob~connect.alice~connect.bob';

test('a chat line reaches only its own server in memory, every server over pub/sub', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(`${CHAT}~say.alice.hello`);
  const newestA = requests(page, 'a').locator('article.socket').first();
  const newestB = requests(page, 'b').locator('article.socket').first();
  // In memory, bob's server never hears of alice's line: the page says so, by name.
  const missed = newestA.locator('.trace .missed');
  await expect(missed).toHaveCount(1);
  await expect(missed).toContainText('bob (ws#2 on S1) does not get it');
  await expect(missed).toContainText("the room's messages live in S3's memory");
  await expect(newestA.locator(':scope > details > summary')).toContainText('✕ 1 did not get it');
  await expect(newestA.locator('.trace .delivered')).toHaveText('delivered to 1 connection: alice');
  // Over pub/sub, S1 delivers it to bob too.
  await expect(newestB.locator('.trace .missed')).toHaveCount(0);
  await expect(newestB.locator('.trace .delivered')).toHaveText('delivered to 2 connections: alice, bob');
  await expect(newestB.locator('.frame-line .dir')).toHaveText(['alice → S3', 'S3 → alice', 'S1 → bob']);

  // Each frame: its direction, its decoded fields, its bytes, masked or not.
  const sent = newestA.locator('li.frame.from-client').first();
  await expect(sent.locator('.frame-line')).toContainText('{"type":"say","text":"hello"}');
  await sent.locator('.frame-bytes summary').click();
  await expect(sent.locator('.frame-bytes summary')).toContainText(/bytes on the wire · masked with key ([0-9a-f]{2} ){3}[0-9a-f]{2}/);
  await expect(sent.locator('dl.decoded dt').first()).toHaveText('FIN');
  await expect(sent.locator('dl.decoded')).toContainText('text');
  // FIN and text (0x81), then the mask bit and a 7-bit length of 29.
  await expect(sent.locator('pre.hex')).toHaveText(/^81 9d(\s[0-9a-f]{2})+$/);
  const echoed = newestA.locator('li.frame.from-server').first();
  await echoed.locator('.frame-bytes summary').click();
  await expect(echoed.locator('.frame-bytes summary')).toContainText('unmasked');
  await expect(echoed.locator('pre.hex')).toHaveText(/^81 [0-7][0-9a-f] 7b/);

  // The handshake is an HTTP exchange like any other, answered 101.
  await page.goto(CHAT);
  await expect(requests(page, 'a').locator('article.exchange .status').first()).toHaveText('101 Switching Protocols');

  // The comparison counts the delivery that did not happen.
  await page.goto(`${CHAT}~say.alice.hello`);
  await expect(page.locator('tr#measured-ws-missed td')).toHaveText(['1', '0']);
  await expect(page.locator('tr#measured-ws-delivered td')).toHaveText(['1', '2']);
  expect(errors).toEqual([]);
});

test('a crash drops connections with 1006, which never crosses the wire, and the app reconnects', async ({ page }) => {
  await page.goto(`${CHAT}~crash.3`);
  // Its backoff (250 to 500 ms) ran out within the crash's second: alice is back, on another server.
  const browser = lane(page, 'a').locator('.state section[aria-label$="alice\'s browser"] .socket-state');
  await expect(browser).toHaveText(/^open: ws#3 on S\d, since 09:00:04 \(handshake #\d\); before it, ws#1 on S3 closed at 09:00:04 with 1006 /);
  await expect(browser).toContainText('1006 (abnormal closure: never on the wire — the client reports it when the connection drops with no close frame)');
  await expect(page.locator('tr#measured-ws-dropped td')).toHaveText(['1', '1']);
  await expect(page.locator('tr#measured-ws-reconnects td')).toHaveText(['1', '1']);
  // The crash's event says so in the engine's words.
  await expect(requests(page, 'a').locator('.event').first()).toContainText('1 WebSocket connection dropped with no close frame');
});

test('the chat by keyboard alone, with a bad line refused in words', async ({ page }) => {
  await page.goto('./?a=chat-memory:jwt.rr.3&b=chat-pubsub:jwt.rr.3&log=login.alice');
  const socket = page.getByRole('group', { name: "alice's WebSocket" });
  await expect(socket.getByRole('button')).toHaveText(['Connect', 'Say', 'Ping', 'Disconnect']);
  // Only what the lanes' apps do: no cart, no game moves; Drain beside Crash.
  await expect(page.getByRole('button', { name: 'Add to cart' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Move left' })).toHaveCount(0);
  await expect(page.getByRole('group', { name: 'Faults' }).getByRole('button').nth(1)).toHaveText('Drain');

  await socket.getByRole('button', { name: 'Connect', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('.h-actions > li')).toHaveCount(2);
  const field = page.getByRole('textbox', { name: 'Message' });
  await page.keyboard.press('Tab');
  await expect(field).toBeFocused();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('hello  there');
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#act-say-error')).toHaveText('Not sent: words are one space apart, with none before or after');
  await page.keyboard.press('Enter');
  await expect(page.locator('.h-actions > li')).toHaveCount(2);
  await page.keyboard.press('Control+A');
  await page.keyboard.type('hello there');
  await expect(page.locator('#act-say-error')).toHaveText('');
  await page.keyboard.press('Enter');
  await expect(page.locator('.h-actions > li')).toHaveCount(3);
  await expect(page.locator('.h-what code').first()).toHaveText('say alice hello there');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page.locator('.h-what code').first()).toHaveText('ping alice');
  // The server pings and the browser answers: a page script cannot send a ping.
  await expect(requests(page, 'a').locator('article.socket').first().locator('.frame-line .op')).toHaveText(['ping', 'pong']);
  await expect(requests(page, 'a').locator('article.socket').first().locator('.frame-line .dir')).toHaveText([/^S\d → alice$/, /^alice → S\d$/]);
});

for (const width of [1280, 360]) {
  test(`a bad chat line says why on a row of its own, the buttons kept in line, at ${width} px`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(CHAT);
    await page.locator('#act-say').fill('hello, world');
    const error = page.locator('#act-say-error');
    await expect(error).toHaveText(/^Not sent: “,” cannot be sent/);
    const socket = page.getByRole('group', { name: "alice's WebSocket" });
    const boxes = await socket.getByRole('button').evaluateAll((bs) => bs.map((b) => b.getBoundingClientRect().toJSON()));
    const why = await error.evaluate((e) => e.getBoundingClientRect().toJSON());
    const [, say, ping, disconnect] = boxes;
    if (width >= 1280) {
      // Wide: the buttons share one row, the reason below them all.
      expect(new Set(boxes.map((b) => Math.round(b.top))).size).toBe(1);
      expect(why.top).toBeGreaterThanOrEqual(Math.max(...boxes.map((b) => b.bottom)));
    } else {
      // Narrow: the reason right under its field and Say, then Ping and Disconnect together.
      expect(why.top).toBeGreaterThanOrEqual(say.bottom);
      expect(why.bottom).toBeLessThanOrEqual(ping.top);
      expect(Math.round(ping.top)).toBe(Math.round(disconnect.top));
    }
  });
}

test('game lanes offer moves, the lane form its options, and axe finds nothing serious', async ({ page }) => {
  await page.goto('./?a=game-memory:jwt.room.3&b=game-checkpoint_msg:jwt.room.3&log=login.alice~connect.alice~move.alice.1.0');
  await expect(page.getByRole('button', { name: 'Move right' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Message' })).toHaveCount(0);
  await expect(lane(page, 'b').locator('.state')).toContainText('the match in S');
  await expect(lane(page, 'b').locator('.state')).toContainText('alice at (1, 0)');
  const form = lane(page, 'a');
  await expect(form.getByLabel('App')).toHaveValue('game-memory');
  await expect(form.getByLabel('Balancer')).toHaveValue('room');
  await expect(form.getByRole('checkbox', { name: 'Re-check the credential on every frame' })).not.toBeChecked();
  await expect(lane(page, 'b').getByRole('radio', { name: 'In the first message' })).toBeChecked();
  await expect(form.getByRole('radio', { name: /^In the URL/ })).toHaveAccessibleDescription(/access logs and proxy logs/);
  await form.getByRole('checkbox', { name: 'Re-check the credential on every frame' }).check();
  await expect(page).toHaveURL(/config\.a\.game-memory_recheck(%3A|:)jwt\.room\.3/);
  await expectAccessible(page);
  await page.setViewportSize({ width: 360, height: 800 });
  await page.goto(`${CHAT}~say.alice.hello`);
  await requests(page, 'a').locator('.frame-bytes summary').first().click();
  await expectAccessible(page);
  // Moderate, so expectAccessible lets it pass: each lane's panels must still be told apart.
  const { violations } = await new AxeBuilder({ page }).withRules(['landmark-unique']).analyze();
  expect(violations.map((v) => v.nodes.map((n) => n.target))).toEqual([]);
});

test('hand-typed frames: an unmasked one is refused naming the rule and its byte, a masked ping gets its pong', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(CHAT);
  const form = page.locator('form.frame-editor');
  const field = form.getByLabel(/Type a frame \(hex\)/);
  const status = form.locator('#frame-error');
  const send = form.getByRole('button', { name: 'Send the frames to both lanes' });
  const before = await page.locator('.h-actions > li').count();
  // A server's frame, "Hello" unmasked: the client may not send it (RFC 6455 §5.1).
  await field.fill('81 05 48 65 6c 6c 6f');
  await expect(status).toHaveText("Not a client's frames: byte 1: a client's frame must be masked (RFC 6455 §5.1: the server closes the connection)");
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(form.locator('mark.bad-byte')).toHaveText('05');
  await expect(send).toBeDisabled();
  // Hex that is not hex says where.
  await field.fill('89 8g');
  await expect(status).toHaveText('Not hex: line 1, column 5: `g` is not a hex digit (0-9, a-f)');
  await expect(page.locator('.h-actions > li')).toHaveCount(before);
  // RFC 6455 §5.7's masked ping "Hello": valid, sent, answered with a pong carrying "Hello".
  await field.fill('89 85 37 fa 21 3d 7f 9f 4d 51 58');
  await expect(status).toHaveText(/^11 bytes, 1 frame a client may send: ping/);
  await send.click();
  for (const l of ['a', 'b']) {
    const newest = requests(page, l).locator('article.socket').first();
    await expect(newest.locator('.frame-line')).toHaveText([/^alice → S3\s+ping\s+“Hello”$/, /^S3 → alice\s+pong\s+“Hello”$/]);
    await expect(newest.locator('.trace')).toContainText('alice typed 1 frame by hand (11 bytes)');
  }
  await expect(page).toHaveURL(/~frame\.alice\.iYU3-iE9f59NUVg/);
  expect(errors).toEqual([]);
});

for (const width of [360, 700, 1280]) {
  test(`the handshake's card keeps its request's and its response's header lines apart, a line each, at ${width} px`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto('tour/ws-handshake/1/');
    const card = page.locator('.step-view .step-lane').first().locator('.step-card.last');
    await expect(card.locator('.step-req')).toHaveText(/^#2 GET \/ws\/chat/);
    const request = card.getByRole('group', { name: 'Request headers' }).locator('code');
    const response = card.getByRole('group', { name: 'Response headers' }).locator('code');
    await expect(request).toHaveText(['→ Upgrade: websocket', '→ Connection: Upgrade', /^→ Sec-WebSocket-Key: /, '→ Origin: https://shop.example']);
    await expect(response).toHaveText(['← Upgrade: websocket', '← Connection: Upgrade', /^← Sec-WebSocket-Accept: /]);
    // Each line a box of its own, below the one before; a wrapped value hangs
    // indented under its name, so its rest is not read as another line.
    const boxes = await card.locator('.step-detail code').evaluateAll((cs) =>
      cs.map((c) => {
        const r = c.getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, left: r.left, indent: parseFloat(getComputedStyle(c).paddingLeft) };
      }),
    );
    expect(boxes).toHaveLength(7);
    for (let i = 1; i < boxes.length; i++) expect(boxes[i].top, `line ${i + 1}`).toBeGreaterThanOrEqual(boxes[i - 1].bottom);
    for (const b of boxes) expect(b.indent).toBeGreaterThan(0);
  });
}
