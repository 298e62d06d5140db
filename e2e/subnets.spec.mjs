// Subnets and the gateway: the AND decides; the ARP in the ladder follows.
import { test, expect, open, route } from './helpers.mjs';

const fig = (page) => page.locator('figure.ww-figure').first();

test('subnets: /24 sends 192.168.0.77 via the gateway, /23 makes it a neighbour', async ({ page }) => {
  await open(page, route.figure('subnets'));
  const verdict = fig(page).locator('.ww-sn-verdict');
  await expect(verdict).toContainText('Another subnet');
  await expect(verdict).toContainText('ARPs for 192.168.1.1');
  await expect(fig(page).locator('.ww-arrow[aria-label*="who has 192.168.1.1?"]').first()).toBeAttached();
  // Bits: 24 network bits in the mask row.
  await expect(fig(page).locator('.ww-sn-mask .ww-sn-net')).toHaveCount(24);
  // Move the slider down one step with the keyboard: /23.
  const slider = fig(page).locator('input[data-param="prefix"]');
  await slider.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(verdict).toContainText('Same subnet');
  await expect(fig(page).locator('.ww-sn-facts')).toContainText('510 usable host addresses');
  await expect(fig(page).locator('.ww-arrow[aria-label*="who has 192.168.0.77?"]').first()).toBeAttached();
  await expect(fig(page).locator('.ww-arrow[aria-label*="who has 192.168.1.1?"]')).toHaveCount(0);
});

test('subnets: a server beyond the router is always via the gateway', async ({ page }) => {
  await open(page, route.figure('subnets', 'dst=10.0.0.5&prefix=16'));
  await expect(fig(page).locator('.ww-sn-verdict')).toContainText('Another subnet');
  await expect(fig(page).locator('.ww-sn-facts')).toContainText('65,534 usable');
});
