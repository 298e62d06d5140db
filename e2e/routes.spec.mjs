// Routes: home with the course map, not-found, and every route loads with no console errors,
// uncaught exceptions or failed requests (the auto `problems` fixture checks each test's page).
import { test, expect, discoverLessons, requireLessons, open, route, FIGURE_KIND, BASE } from './helpers.mjs';

const lessons = discoverLessons();

test('home shows the course map with every lesson in order', async ({ page }) => {
  requireLessons(lessons);
  await open(page, route.home());
  await expect(page.locator('h1')).toContainText('wirewise');
  await expect(page.locator('#ww-boot')).toHaveCount(0);
  const map = page.getByRole('navigation', { name: 'Course map' });
  await expect(map).toBeVisible();
  const links = map.locator('a.ww-lesson-link');
  await expect(links).toHaveCount(lessons.length);
  const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  expect(hrefs).toEqual(lessons.map((l) => `#/lesson/${l.slug}`));
  for (let i = 0; i < lessons.length; i += 1) {
    await expect(links.nth(i).locator('.ww-progress')).toHaveAttribute('data-state', 'new');
  }
});

test('an unknown route shows "Page not found" with a link home', async ({ page }) => {
  await open(page, `${BASE}#/nope`);
  await expect(page.locator('h1')).toHaveText('Page not found');
  await expect(page.locator('main a[href="#/"], a[href="#/"]').first()).toBeVisible();
});

test('every route loads without console errors or failed requests', async ({ page, problems }) => {
  // Every lesson, figure and embed in one test: about a second each.
  test.setTimeout(240_000);
  const kinds = [...new Set([FIGURE_KIND, ...lessons.flatMap((l) => l.kinds)])];
  const urls = [
    route.home(),
    ...lessons.map((l) => route.lesson(l.slug)),
    ...kinds.map((k) => route.figure(k)),
    ...kinds.map((k) => route.embed(k)),
    `${BASE}#/capture`,
    `${BASE}#/fidelity`,
    `${BASE}#/nope`,
  ];
  for (const url of urls) {
    await open(page, url);
    await expect(page.locator('h1, figure.ww-figure').first()).toBeVisible();
    await expect(page.locator('.ww-error')).toHaveCount(0);
    // Let figures start and any lazy request settle before moving on.
    await page.waitForLoadState('networkidle');
  }
  expect(problems).toEqual([]);
});

test('a learner sees a clear message, not a blank page, when the app cannot load', async ({ page, problems }) => {
  await page.route('**/*.wasm', (r) => r.abort());
  await page.goto(route.lesson('welcome'));
  await expect(page.locator('#ww-boot[role="alert"]')).toContainText('could not start');
  problems.length = 0; // the aborted request is the point of this test
});
