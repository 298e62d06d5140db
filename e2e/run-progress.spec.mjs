// Long runs: the page keeps answering while a run is computed in slices, a run that takes a
// while shows its progress and can be cancelled, and echoed input stays short.
import { test, expect, open, route } from './helpers.mjs';

const fig = (page) => page.locator('figure.ww-figure').first();
// The congestion lab at its heaviest: 100 Mbit/s behind a bloated buffer for 60 s, compared with
// BBR: several seconds of simulation.
const HEAVY = 'preset=congestion-bufferbloat&bandwidth=100&rtt=300&seconds=60&compare=bbr';

test('a long run shows its progress, the page keeps answering, and the figure arrives', async ({ page }) => {
  await page.goto('about:blank');
  await page.goto(route.figure('cwnd-lab', HEAVY));
  const progress = fig(page).locator('.ww-run-progress');
  await expect(progress).toBeVisible({ timeout: 15_000 });
  await expect(progress).toContainText(/Simulating… \d+%/);
  await expect(progress.getByRole('button', { name: 'Cancel' })).toBeVisible();
  // The main thread is free between slices: a timer set now fires within a few frames.
  const lag = await page.evaluate(
    () => new Promise((done) => { const t0 = performance.now(); setTimeout(() => done(performance.now() - t0), 0); }),
  );
  expect(lag).toBeLessThan(250);
  await expect(progress).toHaveCount(0, { timeout: 120_000 });
  await expect(fig(page).locator('.ww-tc')).toHaveCount(2);
});

test('cancelling goes back to the settings on screen and says so', async ({ page }) => {
  await open(page, route.figure('cwnd-lab', 'preset=congestion-bufferbloat&bandwidth=100&rtt=300&seconds=5&compare=bbr'));
  await expect(fig(page).locator('.ww-tc')).toHaveCount(2, { timeout: 30_000 });
  const seconds = fig(page).locator('input[data-param="seconds"]').first();
  const before = await seconds.inputValue();
  // The longest run the slider allows: many slices of computing.
  await seconds.focus();
  await page.keyboard.press('End');
  const progress = fig(page).locator('.ww-run-progress');
  await expect(progress).toBeVisible({ timeout: 15_000 });
  await progress.getByRole('button', { name: 'Cancel' }).click();
  await expect(progress).toHaveCount(0);
  await expect(fig(page).locator('.ww-param-warning')).toContainText(/Cancelled: the run was stopped at [\d.]+ s of/);
  await expect(seconds).toHaveValue(before);
  await expect(fig(page).locator('.ww-tc')).toHaveCount(2);
});

test('a 100 KB value is echoed as a short prefix with its length', async ({ page }) => {
  const long = 'A'.repeat(100_000);
  await open(page, route.figure('handshake', `rtt=${long}&${long}=1&seed=${long}`));
  const box = fig(page).locator('.ww-param-warning');
  await expect(box).toContainText('(100,000 characters)');
  const height = await box.evaluate((el) => el.getBoundingClientRect().height);
  expect(height).toBeLessThan(300);
  expect(await box.textContent()).not.toContain('A'.repeat(100));
});
