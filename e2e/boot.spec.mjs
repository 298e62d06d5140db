// The loading message in index.html: when the app cannot start it says why, and the first reason
// given stays (the 20-second timeout speaks only when nothing else was reported). The page's
// clock is Playwright's fake clock, so the timeout fires without waiting 20 seconds.
import { test, expect, route } from './helpers.mjs';

const boot = (page) => page.locator('#ww-boot');

test('a .wasm that fails to load is reported, and the timeout does not replace the message', async ({ page, problems }) => {
  await page.clock.install();
  await page.route('**/*.wasm', (r) => r.abort('failed'));
  await page.goto(route.home());
  await expect(boot(page)).toHaveAttribute('role', 'alert');
  await expect(boot(page)).toContainText('a file it needs did not load');
  await page.clock.runFor(25_000);
  await expect(boot(page)).toContainText('a file it needs did not load');
  await expect(boot(page)).not.toContainText('20 seconds');
  await expect(page.locator('html[data-ww-ready]')).toHaveCount(0);
  // The blocked request is the point of this test.
  problems.length = 0;
});

test('a .wasm that never arrives is reported after 20 seconds', async ({ page, problems }) => {
  await page.clock.install();
  // Hold the request open until the test ends: the app neither starts nor fails.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/*.wasm', async (r) => { await held; await r.abort('failed').catch(() => {}); });
  await page.goto(route.home(), { waitUntil: 'domcontentloaded' });
  await expect(boot(page)).toHaveText('Loading the course…');
  await page.clock.runFor(19_000);
  await expect(boot(page)).toHaveText('Loading the course…');
  await page.clock.runFor(2_000);
  await expect(boot(page)).toHaveAttribute('role', 'alert');
  await expect(boot(page)).toContainText('it took more than 20 seconds to load');
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  release();
  problems.length = 0;
});
