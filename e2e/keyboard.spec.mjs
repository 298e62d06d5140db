// Keyboard-only use: every interactive element of a lesson is reachable with Tab and shows a
// visible focus indicator; the timeline answers End, Home, ArrowRight and Space.
import { test, expect, discoverLessons, firstLessonWithFigure, open, route, FIGURE_KIND } from './helpers.mjs';

const lessons = discoverLessons();
const INTERACTIVE = 'a[href], button, input, select, textarea, [tabindex="0"]';

test('Tab reaches every interactive element of a lesson, each with a visible focus indicator', async ({ page }) => {
  const lesson = firstLessonWithFigure(lessons);
  await open(page, route.lesson(lesson.slug));
  await expect(page.locator('figure.ww-figure').first()).toBeVisible();

  // Number the visible, enabled interactive elements.
  const total = await page.evaluate((selector) => {
    let n = 0;
    for (const el of document.querySelectorAll(selector)) {
      const visible = el.checkVisibility({ checkOpacity: false, checkVisibilityCSS: true }) &&
        el.getClientRects().length > 0;
      if (!visible || el.disabled || el.closest('[inert]') || el.getAttribute('tabindex') === '-1') continue;
      el.dataset.e2eFocus = String(n++);
    }
    return n;
  }, INTERACTIVE);
  expect(total).toBeGreaterThan(0);

  const reached = new Set();
  const noIndicator = [];
  // Tab forward through the whole page (with slack for elements outside the list, e.g. iframes).
  for (let i = 0; i < total * 2 + 20 && reached.size < total; i += 1) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const s = getComputedStyle(el);
      const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
      const shadow = s.boxShadow !== 'none' && s.boxShadow !== '';
      const label = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}"`;
      return { id: el.dataset.e2eFocus ?? null, indicator: outline || shadow, label };
    });
    if (!info) continue;
    if (info.id !== null) reached.add(info.id);
    if (!info.indicator && !noIndicator.includes(info.label)) noIndicator.push(info.label);
  }

  const missed = await page.evaluate((ids) =>
    [...document.querySelectorAll('[data-e2e-focus]')]
      .filter((el) => !ids.includes(el.dataset.e2eFocus))
      .map((el) => `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}"`),
  [...reached]);
  expect(missed, 'interactive elements Tab never reached').toEqual([]);
  expect(noIndicator, 'focused elements without an outline or box-shadow').toEqual([]);
});

test('timeline keyboard: End, Home, ArrowRight move the time; Space toggles Play/Pause', async ({ page }) => {
  await open(page, route.figure(FIGURE_KIND));
  const figure = page.locator('figure.ww-figure').first();
  const timeline = figure.locator('.ww-timeline').first();
  await expect(timeline).toBeVisible();
  const readout = timeline.locator('.ww-time').first();
  await expect(readout).toBeVisible();

  // Focus the timeline itself if focusable, else the figure, else its Play button.
  const focusable = async (loc) => loc.evaluate((el) => el.tabIndex >= 0 && el.getAttribute('tabindex') !== null);
  if (await focusable(timeline)) await timeline.focus();
  else if (await focusable(figure)) await figure.focus();
  else await timeline.getByRole('button', { name: 'Play' }).focus();

  const time = () => readout.innerText();
  await page.keyboard.press('End');
  const atEnd = await time();
  await page.keyboard.press('Home');
  await expect.poll(time).not.toBe(atEnd);
  const atStart = await time();
  await page.keyboard.press('ArrowRight');
  await expect.poll(time).not.toBe(atStart);

  await page.keyboard.press('Home');
  await expect(timeline.getByRole('button', { name: 'Play', exact: true })).toBeVisible();
  await page.keyboard.press('Space');
  await expect(timeline.getByRole('button', { name: 'Pause', exact: true })).toBeVisible();
  await page.keyboard.press('Space');
  await expect(timeline.getByRole('button', { name: 'Play', exact: true })).toBeVisible();
});

test('ladder keyboard: the arrow keys stay among the arrows drawn in a long run\'s window', async ({ page }) => {
  // source-ports' packet run has 400 frames; the ladder draws a window around the cursor.
  await open(page, route.figure('source-ports'));
  const fig = page.locator('figure.ww-figure').first();
  await expect(fig.locator('.ww-ladder-window')).toContainText('Frames 361–400 of 400');
  const arrows = fig.locator('.ww-arrow');
  await arrows.first().dispatchEvent('click');
  await expect(arrows.first()).toHaveAttribute('aria-pressed', 'true');
  await arrows.first().focus();
  // Up from the window's first arrow: frame 360 is not drawn, so nothing moves.
  await page.keyboard.press('ArrowUp');
  await expect(arrows.first()).toHaveAttribute('aria-pressed', 'true');
  await expect(arrows.first()).toBeFocused();
  // Down moves to the next drawn arrow, selected and focused.
  await page.keyboard.press('ArrowDown');
  await expect(arrows.nth(1)).toHaveAttribute('aria-pressed', 'true');
  await expect(arrows.nth(1)).toBeFocused();
});
