// Closing and source ports: TIME-WAIT on the side that closed first; per-request connections
// run out of ports above ports ÷ 60 s, a pool never does.
import { test, expect, open, route } from './helpers.mjs';

const fig = (page) => page.locator('figure.ww-figure').first();

test('source-ports: 500/s exhausts 28,232 ports after about 56 s; 470/s and the pool never fail', async ({ page }) => {
  await open(page, route.figure('source-ports'));
  const note = fig(page).locator('.ww-ports .ww-compare-note');
  await expect(note).toContainText('ceiling of 470.5 per second');
  await expect(note).toContainText('run out after 56.5 s');
  await expect(note).toContainText('EADDRNOTAVAIL');
  // Two counted charts, then the packet-level run's chart.
  await expect(fig(page).locator('.ww-tc')).toHaveCount(3);
  await open(page, route.figure('source-ports', 'rate=470'));
  await expect(fig(page).locator('.ww-ports .ww-compare-note')).toContainText('stays under the ceiling');
  // The packet-level run: 40 ports at 4 new connections a second. At the end every port is in
  // TIME-WAIT and the simulated kernel has refused 40 connect() calls with EADDRNOTAVAIL.
  await fig(page).getByRole('button', { name: /end/i }).first().click();
  const packets = fig(page).locator('.ww-ports-packets');
  await expect(packets).toContainText('Packet by packet: 40 ports');
  await expect(packets).toContainText('client sockets in TIME-WAIT 40');
  await expect(packets).toContainText('connect() refused, total 40');
  await expect(fig(page).locator('.ww-lane-state').first()).toHaveText('TIME-WAIT');
  await expect(fig(page).locator('.ww-event-log')).toContainText('failed: EADDRNOTAVAIL');
});

test('the event log keeps its newest line in view until the learner scrolls up', async ({ page }) => {
  await open(page, route.figure('source-ports'));
  const log = fig(page).locator('.ww-event-log');
  const atBottom = () => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 24);
  // The figure opens at the end of its run: the newest line is the one shown.
  await expect.poll(atBottom).toBe(true);
  await expect(log.locator('li').last()).toContainText('EADDRNOTAVAIL');
  // Scrolled up to read, the log stays put while the cursor moves.
  await log.evaluate((el) => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); });
  await fig(page).getByRole('button', { name: /previous/i }).first().click();
  await expect.poll(() => log.evaluate((el) => el.scrollTop)).toBe(0);
});
