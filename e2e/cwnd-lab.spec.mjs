// The congestion window lab: the chart and its series, the comparison run, the results table,
// and the sliders re-running the simulation.
import { test, expect, open, route } from './helpers.mjs';

const fig = (page) => page.locator('figure.ww-figure').first();

test('cwnd-lab: one chart with cwnd, the BDP line and loss markers; the table beside Mathis', async ({ page }) => {
  await open(page, route.figure('cwnd-lab', 'seconds=20&t=10'));
  const chart = fig(page).locator('.ww-tc');
  await expect(chart).toHaveCount(1);
  await expect(chart.locator('.ww-tc-line.ww-tc-cwnd')).toHaveAttribute('d', /^M.*L/);
  await expect(chart.locator('.ww-tc-ref')).toContainText('BDP 40.6 packets');
  expect(await chart.locator('.ww-tc-mark').count()).toBeGreaterThan(0);
  await expect(chart.locator('svg')).toHaveAttribute('aria-label', /bandwidth-delay product of 40\.6 packets/);
  await expect(chart.locator('.ww-tc-readout')).toContainText(/At 10 s: cwnd \d+/);
  await expect(fig(page).locator('.ww-cwnd-mode')).toContainText('RACK-TLP');
  const rows = fig(page).locator('.ww-cwnd-table tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('cubic');
  await expect(rows.first()).toContainText(/4\.\d+ Mbit\/s/);
});

test('cwnd-lab: comparing draws a second run; textbook recovery is named; loss changes the numbers', async ({ page }) => {
  await open(page, route.figure('cwnd-lab', 'seconds=20&compare=reno&recovery=textbook&algorithm=reno'));
  // Comparing an algorithm with itself runs once.
  await expect(fig(page).locator('.ww-tc')).toHaveCount(1);
  await expect(fig(page).locator('.ww-cwnd-mode')).toContainText('RFC textbook');
  await fig(page).locator('select[data-param="compare"]').selectOption('bbr');
  await expect(fig(page).locator('.ww-tc')).toHaveCount(2);
  await expect(fig(page).locator('.ww-cwnd-table tbody tr')).toHaveCount(2);
  const goodput = async () => fig(page).locator('.ww-cwnd-table tbody tr').first().locator('td').first().textContent();
  const before = await goodput();
  await fig(page).locator('select[data-param="preset"]').selectOption('congestion-loss');
  await expect.poll(goodput).not.toBe(before);
  await expect(fig(page).locator('.ww-cwnd-table tbody tr').first().locator('td').last()).toContainText('Mbit/s');
});

test('cwnd-lab: the controls are reachable by keyboard and the ladder windows its frames', async ({ page }) => {
  await open(page, route.figure('cwnd-lab', 'seconds=10&t=5'));
  await fig(page).locator('select[data-param="preset"]').focus();
  await page.keyboard.press('Tab');
  await expect(fig(page).locator('select[data-param="algorithm"]')).toBeFocused();
  await expect(fig(page).locator('.ww-ladder-window')).toContainText(/Frames \d+–\d+ of \d+/);
});
