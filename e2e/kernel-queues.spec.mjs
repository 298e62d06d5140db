// The kernel queues lab: at the end of a run its ss and nstat panels show the kernel's final
// numbers, and the connect() histogram shows the 1 s step of a server that accepts too slowly.
import { test, expect, open, route } from './helpers.mjs';

const figure = (page) => page.locator('figure.ww-figure[data-kind="kernel-queues"]').first();
const counter = (page, name) =>
  figure(page).locator(`tr[data-counter="${name}"]`).getAttribute('data-value').then(Number);

test('slow accept: the accept queue is full, ListenOverflows counts, and connect() has a 1 s bar', async ({ page }) => {
  await open(page, route.figure('kernel-queues', 'preset=queues-slow-accept'));
  const row = figure(page).locator('.ww-kq-ss-row').first();
  await expect(row).toHaveAttribute('data-send-q', '8');
  // Every client was accepted by the end of the run.
  expect(await counter(page, 'TcpPassiveOpens')).toBe(100);
  expect(await counter(page, 'ListenOverflows')).toBeGreaterThan(0);
  expect(await counter(page, 'ListenDrops')).toBe(await counter(page, 'ListenOverflows'));
  expect(await counter(page, 'SyncookiesSent')).toBe(0);
  const near1s = await figure(page).locator('rect.ww-kq-bar').evaluateAll((bars) =>
    bars.filter((b) => Number(b.dataset.fromMs) >= 900 && Number(b.dataset.fromMs) < 1100)
        .reduce((n, b) => n + Number(b.dataset.count), 0));
  expect(near1s).toBeGreaterThan(0);
});

test('scrubbing back shows an earlier, smaller state', async ({ page }) => {
  await open(page, route.figure('kernel-queues', 'preset=queues-slow-accept&t=0.5'));
  const passive = await counter(page, 'TcpPassiveOpens');
  expect(passive).toBeGreaterThan(0);
  expect(passive).toBeLessThan(100);
  await expect(figure(page).locator('rect.ww-kq-bar[data-from-ms="1000"]')).toHaveCount(0);
});

test('old kernel: listen(511) shows Send-Q 128; choosing a scenario resets the sliders', async ({ page }) => {
  await open(page, route.figure('kernel-queues', 'preset=queues-old-somaxconn'));
  await expect(figure(page).locator('.ww-kq-ss-row').first()).toHaveAttribute('data-send-q', '128');
  expect(await counter(page, 'ListenOverflows')).toBeGreaterThan(0);
  await figure(page).locator('select[data-param="preset"]').selectOption('queues-syn-flood-cookies');
  await expect(figure(page).locator('.ww-kq-ss-row').first()).toHaveAttribute('data-send-q', '128');
  await expect(figure(page).locator('input[data-param="somaxconn"]')).toHaveAttribute('data-value', '4096');
  await expect.poll(() => counter(page, 'SyncookiesSent')).toBeGreaterThan(0);
  // The cursor stays where it was; at the end of the new run every client is in.
  await figure(page).focus();
  await page.keyboard.press('End');
  await expect.poll(() => counter(page, 'TcpPassiveOpens')).toBe(20);
});

test('SO_REUSEPORT: four listeners, and only the stalled one overflows', async ({ page }) => {
  await open(page, route.figure('kernel-queues', 'preset=queues-reuseport-stall&t=2'));
  const rows = figure(page).locator('.ww-kq-ss-row');
  await expect(rows).toHaveCount(4);
  await expect(rows.nth(0)).toHaveAttribute('data-recv-q', '17');
  for (const i of [1, 2, 3]) expect(Number(await rows.nth(i).getAttribute('data-recv-q'))).toBeLessThan(2);
});
