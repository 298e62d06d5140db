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
  await expect(fig(page).locator('.ww-tc')).toHaveCount(2);
  await open(page, route.figure('source-ports', 'rate=470'));
  await expect(fig(page).locator('.ww-ports .ww-compare-note')).toContainText('stays under the ceiling');
  // The ladder's client closed first on each of its three connections: it ends in TIME-WAIT.
  await fig(page).getByRole('button', { name: /end/i }).first().click();
  await expect(fig(page).locator('.ww-lane-state').first()).toHaveText('TIME-WAIT');
  // Three requests, three connections: three SYNs.
  await expect(fig(page).locator('.ww-arrow[aria-label$=": client to server, SYN"]')).toHaveCount(3);
});
