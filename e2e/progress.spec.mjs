// Progress lives in localStorage and survives a reload: visiting marks a lesson visited,
// "Mark lesson complete" marks it completed.
import { test, expect, discoverLessons, requireLessons, open, route } from './helpers.mjs';

const lessons = discoverLessons();

test('progress survives a reload', async ({ page }) => {
  requireLessons(lessons);
  const [first, second] = lessons;

  await open(page, route.lesson(first.slug));
  await expect(page.locator('h1')).toHaveText(first.title);
  const complete = page.locator('#ww-complete');
  await expect(complete).toBeVisible();
  await complete.click();
  await expect.poll(() => page.evaluate(() => localStorage.getItem('wirewise.progress.v1'))).not.toBeNull();

  if (second) {
    await open(page, route.lesson(second.slug));
    await expect(page.locator('h1')).toHaveText(second.title);
  }

  await open(page, route.home());
  await page.reload();
  await page.locator('html[data-ww-ready="1"]').waitFor({ state: 'attached' });
  const badge = (slug) =>
    page.getByRole('navigation', { name: 'Course map' })
      .locator(`a.ww-lesson-link[href="#/lesson/${slug}"] .ww-progress`);
  await expect(badge(first.slug)).toHaveAttribute('data-state', 'completed');
  if (second) await expect(badge(second.slug)).toHaveAttribute('data-state', 'visited');
  for (const other of lessons.slice(2)) await expect(badge(other.slug)).toHaveAttribute('data-state', 'new');
});
