// Every lesson renders its front-matter title as the page's h1 and one figure.ww-figure per
// ```figure block in its Markdown; a screenshot of each is saved at desktop and phone widths.
import fs from 'node:fs';
import path from 'node:path';
import { test, expect, discoverLessons, requireLessons, open, route, SCREENSHOT_DIR } from './helpers.mjs';

const lessons = discoverLessons();

test('lessons exist under lessons/', () => {
  requireLessons(lessons);
  for (const lesson of lessons) expect(lesson.title, `${lesson.file} has no title:`).not.toBe('');
});

for (const lesson of lessons) {
  test(`lesson ${lesson.slug}: title and ${lesson.figures} figure(s)`, async ({ page }) => {
    await open(page, route.lesson(lesson.slug));
    await expect(page.locator('h1')).toHaveCount(1);
    await expect(page.locator('h1')).toHaveText(lesson.title);
    const figures = page.locator('figure.ww-figure');
    await expect(figures).toHaveCount(lesson.figures);
    for (let i = 0; i < lesson.figures; i += 1) {
      await expect(figures.nth(i)).toBeVisible();
      await expect(figures.nth(i).locator('figcaption')).not.toBeEmpty();
    }

    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: width === 375 ? 812 : 800 });
      await page.evaluate(() => document.fonts?.ready);
      await page.screenshot({
        path: path.join(SCREENSHOT_DIR, `${lesson.slug}-${width}.png`),
        fullPage: true,
      });
      // Nothing may overflow sideways on a phone.
      const overflow = await page.evaluate(() =>
        document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `horizontal overflow at ${width}px`).toBeLessThanOrEqual(1);
    }
  });
}
