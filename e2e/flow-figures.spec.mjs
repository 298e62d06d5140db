// The flow-control figures: the sliding window with a slow reader, Nagle against delayed ACK,
// a cold against a warm connection, and the ladder's window of frames on long runs.
import { test, expect, open, route } from './helpers.mjs';

const fig = (page) => page.locator('figure.ww-figure').first();

test('sliding-window: the window closes, probes follow, and a read reopens it', async ({ page }) => {
  await open(page, route.figure('sliding-window', 't=1.2'));
  const note = fig(page).locator('.ww-sw .ww-compare-note');
  await expect(note).toContainText('Zero window since');
  await expect(note).toContainText(/[1-9] persist probes? so far/);
  // The buffer is full of memory, not of data: each segment is charged its truesize, so the
  // window closes with data in about 60% of it, and the figure says why.
  await expect(note).toContainText('truesize');
  const pct = Number(/\((\d+)%\)/.exec(await fig(page).locator('.ww-sw-buffer-num').textContent())[1]);
  expect(pct).toBeGreaterThanOrEqual(55);
  expect(pct).toBeLessThanOrEqual(70);
  await fig(page).getByRole('button', { name: /end/i }).first().click();
  await expect(note).toContainText(/reopened at 1\.5\d* s/);
  // A reader that keeps up never closes the window.
  await open(page, route.figure('sliding-window', 'read_after=0&read_rate=0'));
  await expect(fig(page).locator('.ww-sw .ww-compare-note')).toContainText('never closed');
});

test('nagle: 40-44 ms per iteration with Nagle (40-41 ms at HZ=1000), a fraction of a millisecond without', async ({ page }) => {
  await open(page, route.figure('nagle'));
  await fig(page).getByRole('button', { name: /end/i }).first().click();
  const heads = fig(page).locator('.ww-nagle-head');
  await expect(heads.nth(0)).toContainText('Nagle on');
  await expect(heads.nth(0)).toContainText('10 of 10');
  // The delayed-ACK timer fires at the kernel tick after its 40 ms: 40-44 ms at HZ=250.
  const inRange = (list, lo, hi) =>
    list.slice(1).every((s) => /^[\d.]+ ms$/.test(s) && parseFloat(s) >= lo && parseFloat(s) <= hi);
  const ms = await fig(page).locator('.ww-nagle-main .ww-nagle-ms').allTextContents();
  expect(inRange(ms, 40, 45.5), ms.join(', ')).toBe(true);
  expect(ms.slice(1).some((s) => parseFloat(s) > 41.5), ms.join(', ')).toBe(true);
  await open(page, route.figure('nagle', 'hz=1000'));
  await fig(page).getByRole('button', { name: /end/i }).first().click();
  const fine = await fig(page).locator('.ww-nagle-main .ww-nagle-ms').allTextContents();
  expect(inRange(fine, 40, 41.6), fine.join(', ')).toBe(true);
  await open(page, route.figure('nagle'));
  await fig(page).getByRole('button', { name: /end/i }).first().click();
  const other = await fig(page).locator('.ww-nagle-other .ww-nagle-ms').allTextContents();
  expect(other.every((s) => /µs$/.test(s)), other.join(', ')).toBe(true);
  // Flipping TCP_NODELAY swaps which run is animated.
  await fig(page).locator('input[data-param="nodelay"]').check();
  await expect(heads.nth(0)).toContainText('TCP_NODELAY');
  await expect(fig(page).locator('.ww-compare-note')).toContainText(/\d+× as long/);
});

test('cold-warm: a new connection needs more round trips than a pooled one, until the pool idles', async ({ page }) => {
  await open(page, route.figure('cold-warm'));
  const values = fig(page).locator('.ww-bar-row .ww-bar-value');
  await expect(values.nth(0)).toContainText('segments per round trip: 10, 20, 40, 80');
  const rtts = async () =>
    (await values.allTextContents()).map((s) => Number(/· ([\d.]+) RTT/.exec(s)[1]));
  const [cold, warm] = await rtts();
  expect(cold - warm).toBeGreaterThanOrEqual(3);
  await open(page, route.figure('cold-warm', 'idle=2000'));
  await expect(fig(page).locator('.ww-compare-note')).toContainText('tcp_slow_start_after_idle');
  await expect(values.nth(1)).toContainText('segments per round trip: 10, 20');
});

test('ladder: a long run shows a window of frames that follows the cursor', async ({ page }) => {
  await open(page, route.figure('cold-warm', 't=0.3'));
  const caption = fig(page).locator('.ww-ladder-window');
  await expect(caption).toContainText(/Frames \d+–\d+ of \d+/);
  const before = await caption.textContent();
  await expect(fig(page).locator('.ww-arrow')).toHaveCount(40);
  const slider = fig(page).locator('input[aria-label="Time"]');
  await slider.focus();
  await page.keyboard.press('End');
  await expect(caption).not.toHaveText(before);
  // A short run shows every frame and no caption.
  await open(page, route.figure('handshake-ladder'));
  await expect(fig(page).locator('.ww-ladder-window')).toHaveCount(0);
});
