// The connection figures: handshake cases and sequence numbering, the live state diagram, and
// the round-trip race to the first response byte.
import { test, expect, open, route } from './helpers.mjs';

test('handshake-ladder: a closed port fails with ECONNREFUSED and the RST arrives', async ({ page }) => {
  await open(page, route.figure('handshake-ladder', 'case=closed-port'));
  const fig = page.locator('figure.ww-figure').first();
  await expect(fig.locator('.ww-handshake-states')).toContainText('connect() failed with ECONNREFUSED');
  await expect(fig.locator('.ww-arrow[aria-label*="RST"]').first()).toBeVisible();
  await expect(fig.locator('.ww-arrow.ww-refused')).toHaveCount(1);
});

test('handshake-ladder: absolute numbers show the SYN\'s initial sequence number', async ({ page }) => {
  await open(page, route.figure('handshake-ladder'));
  const fig = page.locator('figure.ww-figure').first();
  const first = fig.locator('.ww-arrow').first();
  await expect(first).toHaveAttribute('aria-label', /SYN$/);
  await fig.locator('select[data-param="numbers"], select[name="numbers"]').first().selectOption('absolute');
  await expect(first).toHaveAttribute('aria-label', /SYN · seq \d+$/);
});

test('handshake-ladder: with Fast Open the second SYN carries the cookie and the request, and saves a round trip', async ({ page }) => {
  await open(page, route.figure('handshake-ladder', 'case=tfo&rtt=100'));
  const fig = page.locator('figure.ww-figure').first();
  await expect(fig.locator('.ww-arrow[aria-label$="SYN · TFO cookie request"]')).toHaveCount(1);
  await expect(fig.locator('.ww-arrow[aria-label$="SYN, ACK · TFO cookie"]')).toHaveCount(1);
  await expect(fig.locator('.ww-arrow[aria-label$="SYN · TFO cookie · 120 B"]')).toHaveCount(1);
  await expect(fig.locator('.ww-arrow[aria-label$="SYN, ACK · ack 121"]')).toHaveCount(1);
  // One state line per connection, and the exchange times of both visits.
  await expect(fig.locator('.ww-states', { hasText: 'client, connection 2' })).toHaveCount(1);
  await expect(fig.locator('.ww-exchanges')).toContainText(/200(\.\d)? ms, then 100(\.\d)? ms/);
});

test('state-diagram: after a clean close the client is in TIME-WAIT with its path numbered', async ({ page }) => {
  await open(page, route.figure('state-diagram'));
  const fig = page.locator('figure.ww-figure').first();
  await expect(fig.locator('.ww-sd-state[data-state="TIME-WAIT"]')).toHaveClass(/ww-sd-now-client/);
  await expect(fig.locator('.ww-sd-summary')).toContainText('client is in TIME-WAIT');
  await expect(fig.locator('.ww-sd-tag', { hasText: 'C5' })).toHaveCount(1);
  // At the start only the server's listen() has happened; the client has taken no arc yet.
  await fig.getByRole('button', { name: /start/i }).first().click();
  await expect(fig.locator('.ww-sd-taken-client')).toHaveCount(0);
  await expect(fig.locator('.ww-sd-taken')).toHaveCount(1);
  await expect(fig.locator('.ww-sd-state[data-state="CLOSED"]')).toHaveClass(/ww-sd-now-client/);
});

test('connection-cost: round trips to the first byte are 4, 3, 2, 2, 2 and 1', async ({ page }) => {
  await open(page, route.figure('connection-cost', 'rtt=100'));
  const values = page.locator('figure.ww-figure .ww-race-row .ww-bar-value');
  await expect(values).toHaveCount(6);
  const trips = await values.evaluateAll((els) => els.map((e) => e.dataset.trips));
  expect(trips).toEqual(['4', '3', '2', '2', '2', '1']);
  await expect(values.first()).toContainText('ms');
  const tfo = page.locator('figure.ww-figure .ww-race-row[data-entry="tfo-tls1.3"] .ww-bar-value');
  await expect(tfo).toContainText('2 round trips');
  await expect(tfo).toContainText(/20\d ms/);
});
