// Encapsulation figure: the MSS slider (TCP_MAXSEG), DNS over UDP, IP fragments with DF
// clear, and the TLS-sealed response.
import { test, expect, open, route } from './helpers.mjs';

const fig = (page) => page.locator('figure.ww-figure').first();

test('encapsulation: the MSS slider re-cuts the request and says which limit applied', async ({ page }) => {
  await open(page, route.figure('encapsulation', 'request=3000'));
  const f = fig(page);
  await expect(f.locator('.ww-enc-rows > li')).toHaveCount(3);
  await expect(f.locator('.ww-enc-limit')).toContainText('the MTU: 1500 − 40 = 1460');
  await expect(f.locator('.ww-enc-limit')).toContainText('at most 1448 bytes');
  await f.locator('input[data-param="mss"]').fill('536');
  await expect(f.locator('.ww-enc-rows > li')).toHaveCount(6);
  await expect(f.locator('.ww-enc-limit')).toContainText('TCP_MAXSEG: min(536, MTU 1500 − 40 = 1460)');
  await expect(f.locator('.ww-enc-limit')).toContainText('at most 524 bytes');
  await expect(f.locator('.ww-enc-stats')).toContainText('client 536 · server 1460');
  // Bigger than MTU − 40: no effect.
  await open(page, route.figure('encapsulation', 'request=3000&mss=1460&mtu=1000'));
  await expect(fig(page).locator('.ww-enc-rows > li')).toHaveCount(4);
  await expect(fig(page).locator('.ww-enc-limit')).toContainText('changes nothing');
});

test('encapsulation: DNS mode wraps the query in an 8-byte UDP header', async ({ page }) => {
  await open(page, route.figure('encapsulation', 'mode=dns&request=0'));
  const f = fig(page);
  await expect(f.locator('.ww-enc-request code')).toHaveText('api.example.com A?');
  await expect(f.locator('.ww-enc-udp')).toHaveText('UDP header 8 + DNS 33 = 41 bytes (the UDP Length field)');
  await expect(f.locator('.ww-enc-rows > li')).toHaveCount(1);
  await expect(f.locator('.ww-enc-box-label')).toContainText(['Ethernet header · 14 bytes', 'IPv4 header · 20 bytes', 'UDP header · 8 bytes', '33 bytes of the DNS query']);
  await expect(f.locator('.ww-enc-unwrap')).toContainText('socket bound to port 53');
  await expect(f.locator('.ww-enc-frags')).toHaveCount(0);
  // Only the controls that apply: the HTTP request's are gone, the DNS name and DF are there.
  for (const name of ['method', 'path', 'header', 'body', 'tls', 'mss']) {
    await expect(f.locator(`[data-param="${name}"]`)).toHaveCount(0);
  }
  await expect(f.locator('[data-param="name"]')).toHaveCount(1);
  await expect(f.locator('[data-param="df"]')).toHaveCount(1);
  // Back to HTTP: the request's controls return, the DNS-only ones go.
  await f.locator('select[data-param="mode"]').selectOption('http');
  await expect(f.locator('[data-param="method"]')).toHaveCount(1);
  await expect(f.locator('[data-param="df"]')).toHaveCount(0);
  await expect(f.locator('[data-param="name"]')).toHaveCount(0);
});

test('encapsulation: a big query with DF clear is fragmented; with DF set it is refused', async ({ page }) => {
  await open(page, route.figure('encapsulation', 'mode=dns&request=3000&df=off'));
  const f = fig(page);
  await expect(f.locator('.ww-enc-steps')).toContainText('3. IPv4 fragments');
  const rows = f.locator('.ww-enc-frags tbody tr');
  await expect(rows).toHaveCount(3);
  const cells = async (i) => (await rows.nth(i).locator('td').allTextContents());
  // Fragment, offset, offset field, MF, data, IPv4 total length.
  expect(await cells(0)).toEqual(['#1', '0', '0', '1', '1480', '1500']);
  expect(await cells(1)).toEqual(['#2', '1480', '185', '1', '1480', '1500']);
  expect(await cells(2)).toEqual(['#3', '2960', '370', '0', '48', '68']);
  await expect(f.locator('.ww-enc-frag-layer')).toContainText('3,008 bytes (8 of UDP header + 3,000 of DNS)');
  await expect(f.locator('.ww-enc-unwrap')).toContainText('answers in one datagram');
  await f.locator('input[data-param="df"]').check();
  await expect(f.locator('.ww-enc-none')).toContainText('EMSGSIZE');
  await expect(f.locator('.ww-enc-frags')).toHaveCount(0);
});

test('encapsulation: with HTTPS the response comes back in its own TLS record', async ({ page }) => {
  await open(page, route.figure('encapsulation', 'request=0&tls=on'));
  await expect(fig(page).locator('.ww-enc-unwrap')).toContainText('200 bytes of HTTP become 222 bytes of record');
});
