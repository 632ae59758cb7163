// File lanes (issue 21, FTP half): the ftp-resume tour played step by step.
// FTP's command and reply lines sit beside the raw HTTP requests; a crash
// mid-download is resumed with REST on a new login and with Range, and the
// page says so from what the engine recorded.
import { test, expect } from '../fixtures.mjs';
import { expectAccessible, lane, requests, watchErrors } from '../helpers.mjs';

test('ftp-resume: a crash mid-download, then REST on a new login against one Range request', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?scenario=ftp-resume&step=1');
  await expect(page.locator('.narration strong')).toHaveText('Step 1 of 4');
  const ftp = requests(page, 'a').locator('article.ftp');
  // Lane A: the RETR's 150, with its meaning; the multi-line greeting whole.
  await expect(ftp.first().locator('code.ftp-reply').last()).toHaveText('150 Opening BINARY mode data connection for big.bin (12000 bytes).');
  await expect(ftp.first()).toContainText('150: positive preliminary — file system');
  await expect(ftp.last().locator('code.ftp-reply').first()).toContainText('220 but your session lives on S1.');
  // Lane B: the raw HTTP request with its credentials.
  await expect(requests(page, 'b').locator('article.exchange').first()).toContainText('GET /files/pub/big.bin');

  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.locator('.narration strong')).toHaveText('Step 2 of 4');
  await expect(lane(page, 'a').locator('.state')).not.toContainText('ftp#1');
  await expect(requests(page, 'a').locator('.event').first()).toContainText("alice's FTP download of big.bin stopped at 4000 of 12000 bytes");
  await expect(requests(page, 'b').locator('.event').first()).toContainText("alice's HTTP download of big.bin stopped at 4000 of 12000 bytes");
  // The cut 200 is not a success: the card and the diagram say where it stopped.
  await expect(requests(page, 'b').locator('article.exchange').first().locator('.badge')).toHaveText('⚠ 200 OK · cut at 4000 of 12000 bytes');
  await expect(lane(page, 'b').locator('svg.fleet text.outcome')).toHaveText('⚠ 200 cut');

  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.locator('.narration strong')).toHaveText('Step 3 of 4');
  const resumed = requests(page, 'a').locator('article.ftp').first();
  await expect(resumed.locator('.frame-line code:not(.ftp-reply)')).toHaveText(['USER alice', 'PASS wonderland', 'CWD /pub', 'TYPE I', 'PASV', 'REST 4000', 'RETR big.bin']);
  await expect(resumed).toContainText('350 Restart position accepted (4000).');
  await expect(requests(page, 'b').locator('article.exchange').first()).toContainText('206');
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(requests(page, 'a').locator('article.ftp').first().locator('code.ftp-reply')).toHaveText('226 Transfer complete.');
  expect(errors).toEqual([]);
});
