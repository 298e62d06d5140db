// The embed route renders only the figure and reports its height to the embedding page.
import http from 'node:http';
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

// An embedding page on another origin: a second tiny server on loopback (another port), which
// frames the embed route and records the height messages it receives with their sender's
// origin. (A page the test fulfils itself would count as public, and Chromium keeps public
// pages from framing loopback addresses.)
const SITE = `http://127.0.0.1:${process.env.WW_E2E_PORT ?? 4173}`;
let parentServer;
let PARENT;
test.beforeAll(async () => {
  parentServer = http.createServer((req, res) => {
    const src = new URL(req.url, 'http://x').searchParams.get('src') ?? '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html><title>parent</title>
      <script>
        window.__got = [];
        addEventListener('message', (e) => { if (e.data && e.data.type === 'wirewise:height') window.__got.push(e.origin); });
      </script>
      <iframe src="${src.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')}" width="800" height="600"></iframe>`);
  });
  await new Promise((resolve) => parentServer.listen(0, '127.0.0.1', resolve));
  PARENT = `http://127.0.0.1:${parentServer.address().port}`;
});
test.afterAll(async () => {
  await new Promise((resolve) => parentServer.close(resolve));
});

async function embedIn(page, query) {
  const src = `${SITE}${route.embed(FIGURE_KIND, query)}`;
  await page.goto(`${PARENT}/article?src=${encodeURIComponent(src)}`);
  const frame = page.frameLocator('iframe');
  await expect(frame.locator('figure.ww-figure')).toBeVisible({ timeout: 20_000 });
  return src;
}
const received = (page) => page.evaluate(() => window.__got);

test('with parent=<origin> the height goes to that origin', async ({ page }) => {
  await embedIn(page, `rtt=80&parent=${encodeURIComponent(PARENT)}`);
  await expect.poll(async () => (await received(page)).length).toBeGreaterThan(0);
  expect(new Set(await received(page))).toEqual(new Set([SITE]));
  // The figure mirrors its state into the address bar and keeps parent= there.
  const frameUrl = page.frames().find((f) => f !== page.mainFrame()).url();
  expect(decodeURIComponent(frameUrl)).toContain(`parent=${PARENT}`);
  expect(frameUrl).toContain('rtt=80');
});

test('with parent= naming another origin the height is not sent to this page', async ({ page }) => {
  await embedIn(page, `parent=${encodeURIComponent('https://elsewhere.example:8443')}`);
  // The embed has laid out and posted by now; give a late message time to arrive anyway.
  await page.waitForTimeout(1500);
  expect(await received(page)).toEqual([]);
});

test('an invalid parent= is ignored with a warning and the height still goes to any parent', async ({ page }) => {
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  await embedIn(page, `parent=${encodeURIComponent('javascript:alert(1)//')}`);
  await expect.poll(async () => (await received(page)).length).toBeGreaterThan(0);
  expect(warnings.some((w) => w.includes('ignored parent'))).toBe(true);
});

test('without parent= the height goes to a parent on any origin', async ({ page }) => {
  await embedIn(page, 'rtt=80');
  await expect.poll(async () => (await received(page)).length).toBeGreaterThan(0);
});
