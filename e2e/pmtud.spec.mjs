// MTU figures: path-MTU discovery, the black hole and MSS clamping; UDP datagrams and their
// length fields.
import { test, expect, open, route } from './helpers.mjs';

const fig = (page) => page.locator('figure.ww-figure').first();

test('pmtud: ICMP lowers the segment size and the response arrives', async ({ page }) => {
  await open(page, route.figure('pmtud', 't=0.3'));
  const facts = fig(page).locator('.ww-pm-facts');
  await expect(facts).toContainText('10 full-size packets were too big');
  await expect(facts).toContainText('next-hop MTU 1400');
  await expect(facts).toContainText('1348 bytes of payload');
  await expect(fig(page).locator('.ww-pm .ww-compare-note')).toContainText(/arrived 10\d(\.\d+)? ms after connect/);
  await expect(fig(page).locator('.ww-pm-narrow')).toHaveText('MTU 1,400');
  // The lanes follow the path.
  const lanes = await fig(page).locator('.ww-lane-name').allTextContents();
  expect(lanes).toEqual(['client', 'r1', 'r2', 'server']);
});

test('pmtud: with ICMP blocked the connection hangs; clamping the MSS fixes it', async ({ page }) => {
  await open(page, route.figure('pmtud', 'case=black-hole&t=20'));
  await expect(fig(page).locator('.ww-pm-facts')).toContainText('A firewall dropped');
  await expect(fig(page).locator('.ww-pm .ww-compare-note')).toContainText('black hole');
  await open(page, route.figure('pmtud', 'case=clamp&t=1'));
  await expect(fig(page).locator('.ww-pm-facts')).toContainText('The SYN reached server offering MSS 1360');
  await expect(fig(page).locator('.ww-pm-facts')).not.toContainText('too big');
  await expect(fig(page).locator('.ww-pm .ww-compare-note')).toContainText('arrived');
});

test('udp: "hi" is UDP length 10 and IP total length 30; 3000 bytes are fragmented', async ({ page }) => {
  await open(page, route.figure('udp', 'mode=datagram&t=1'));
  const row = fig(page).locator('.ww-udp-table tbody tr').first();
  await expect(row.locator('td').nth(3)).toHaveText('10');
  await expect(row.locator('td').nth(4)).toHaveText('30');
  await open(page, route.figure('udp', 'mode=datagram&bytes=3000&t=1'));
  await expect(fig(page).locator('.ww-udp-table tbody tr')).toHaveCount(3);
  await expect(fig(page).locator('.ww-udp-table')).toContainText('fragment at offset');
  await open(page, route.figure('udp', 'lose_query=on&t=3'));
  await expect(fig(page).locator('.ww-udp .ww-compare-note')).toContainText('The first query was lost');
  await expect(fig(page).locator('.ww-udp-lost')).toHaveCount(1);
});
