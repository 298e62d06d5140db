// The embed route renders only the figure and reports its height to the embedding page.
import { test, expect, open, route, FIGURE_KIND, BASE } from './helpers.mjs';

/** Collects every message event a page (or frame) receives into window.__wwMessages. */
async function recordMessages(page) {
  await page.addInitScript(() => {
    window.__wwMessages = [];
    window.addEventListener('message', (e) => window.__wwMessages.push(e.data));
  });
}
const heightMessages = (page) =>
  page.evaluate(() => window.__wwMessages.filter((m) => m && m.type === 'wirewise:height'));

test('embed route renders only the figure and posts its height', async ({ page }) => {
  await recordMessages(page);
  await open(page, route.embed(FIGURE_KIND));
  await expect(page.locator('figure.ww-figure')).toHaveCount(1);
  await expect(page.locator('figure.ww-figure')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Course map' })).toHaveCount(0);
  await expect(page.locator('header, [role="banner"]')).toHaveCount(0);
  await expect(page.locator('footer, [role="contentinfo"]')).toHaveCount(0);
  // Opened top-level, window.parent is the page itself, so the message arrives here.
  await expect.poll(async () => (await heightMessages(page)).length).toBeGreaterThan(0);
  const [msg] = await heightMessages(page);
  expect(typeof msg.height).toBe('number');
  expect(msg.height).toBeGreaterThan(50);
});

test('static/embed-example.html resizes its iframe from the height message', async ({ page }) => {
  await recordMessages(page);
  await page.goto(`${BASE}static/embed-example.html`);
  const iframe = page.locator('iframe').first();
  await expect(iframe).toBeVisible();
  const frame = page.frameLocator('iframe').first();
  await expect(frame.locator('figure.ww-figure')).toBeVisible({ timeout: 20_000 });
  await expect.poll(async () => (await heightMessages(page)).length, { timeout: 15_000 }).toBeGreaterThan(0);
  // The iframe's height follows the latest message.
  await expect.poll(async () => {
    const msgs = await heightMessages(page);
    const want = msgs[msgs.length - 1].height;
    const box = await iframe.boundingBox();
    return Math.abs(box.height - want) <= 2;
  }).toBe(true);
});
