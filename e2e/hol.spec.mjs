// Head-of-line blocking: one loss stalls every HTTP/2 stream on TCP, only one QUIC stream.
import { test, expect, open, route } from './helpers.mjs';

const ms = async (list) =>
  (await list.locator('li').allTextContents()).map((s) => Number(/: ([\d.]+) ms/.exec(s)[1]));

test('hol-blocking: the same loss delays all six TCP streams and one QUIC stream', async ({ page }) => {
  await open(page, route.figure('hol-blocking', 't=0.3'));
  const panels = page.locator('figure.ww-figure .ww-hol-panel');
  await expect(panels).toHaveCount(2);
  const tcp = await ms(panels.nth(0).locator('.ww-hol-times'));
  const quic = await ms(panels.nth(1).locator('.ww-hol-times'));
  expect(tcp).toHaveLength(6);
  expect(quic).toHaveLength(6);
  // TCP: every stream waits for the retransmission (about one RTT of 50 ms after the others).
  expect(Math.min(...tcp)).toBeGreaterThan(140);
  // QUIC: exactly one stream is late.
  expect(quic.filter((x) => x > 140)).toHaveLength(1);
  expect(quic.filter((x) => x < 120)).toHaveLength(5);
  // Without a loss both finish about together.
  await open(page, route.figure('hol-blocking', 'lose=0&t=0.3'));
  const clean = await ms(page.locator('figure.ww-figure .ww-hol-panel').nth(0).locator('.ww-hol-times'));
  expect(Math.max(...clean)).toBeLessThan(120);
});
