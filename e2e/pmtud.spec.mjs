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

test('encapsulation: the typed request is what travels; HTTPS adds a 22-byte record; the MTU re-cuts it', async ({ page }) => {
  await open(page, route.figure('encapsulation', 'request=0'));
  const f = fig(page);
  const path = f.locator('input[data-param="path"]');
  await path.fill('/api/orders/42');
  await path.press('Enter');
  await expect(f.locator('.ww-enc-request code')).toHaveText('POST /api/orders/42 HTTP/1.1');
  const size = async () => Number(/· ([\d,]+) bytes of HTTP request/.exec(await f.locator('.ww-enc-request').textContent())[1].replace(/,/g, ''));
  const plain = await size();
  // HTTP/1.1 with our headers and the default 23-byte body.
  expect(plain).toBeGreaterThan(100);
  await f.locator('input[data-param="tls"]').check();
  await expect(f.locator('.ww-enc-request')).toContainText(`${(plain + 22).toLocaleString('en-US')} bytes as TLS records`);
  await expect(f.locator('.ww-enc-unwrap')).toContainText('TLS: the record is authenticated');
  // A 3000-byte request at MTU 1500 is three segments; at MTU 576, six.
  await open(page, route.figure('encapsulation', 'request=3000'));
  await expect(fig(page).locator('.ww-enc-rows > li')).toHaveCount(3);
  await open(page, route.figure('encapsulation', 'request=3000&mtu=576'));
  await expect(fig(page).locator('.ww-enc-rows > li')).toHaveCount(6);
});
