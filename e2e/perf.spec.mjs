// Time from navigation to the first lesson being interactive: the app has rendered and a figure's
// Play button is enabled. Printed for the record; asserted only loosely.
import { test, expect, discoverLessons, firstLessonWithFigure, route } from './helpers.mjs';

const lessons = discoverLessons();

test('first lesson is interactive within 10 s of navigation', async ({ page }) => {
  const lesson = firstLessonWithFigure(lessons);
  await page.goto('about:blank');
  const start = Date.now();
  await page.goto(route.lesson(lesson.slug));
  await page.locator('html[data-ww-ready="1"]').waitFor({ state: 'attached', timeout: 15_000 });
  const ready = Date.now() - start;
  await expect(page.locator('figure.ww-figure').first().getByRole('button', { name: 'Play', exact: true }))
    .toBeEnabled({ timeout: 15_000 });
  const interactive = Date.now() - start;
  const nav = await page.evaluate(() => {
    const [n] = performance.getEntriesByType('navigation');
    const wasm = performance.getEntriesByType('resource').find((r) => r.name.endsWith('.wasm'));
    return {
      domContentLoaded: Math.round(n?.domContentLoadedEventEnd ?? 0),
      wasmBytes: wasm?.encodedBodySize ?? 0,
      wasmFetched: Math.round(wasm?.responseEnd ?? 0),
    };
  });
  console.log(`  perf: lesson ${lesson.slug}: app ready ${ready} ms, first figure interactive ${interactive} ms ` +
    `(DOMContentLoaded ${nav.domContentLoaded} ms, wasm ${(nav.wasmBytes / 1024).toFixed(1)} KiB fetched by ${nav.wasmFetched} ms)`);
  expect(interactive).toBeLessThan(10_000);
});
