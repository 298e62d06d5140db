// A figure's state lives in the URL: params round-trip, and bad params warn but still render.
import { test, expect, open, route, FIGURE_KIND } from './helpers.mjs';

/** The value a control stands for: a slider may be logarithmic, so its position is not its
 * value; the app puts the parameter's value in data-value. */
const paramValue = (control) => control.evaluate((el) => el.dataset.value ?? el.value);

/** The control for a figure param: [data-param], [name], or a label naming it. */
function paramControl(page, param) {
  const figure = page.locator('figure.ww-figure').first();
  return figure
    .locator(`input[data-param="${param}"], select[data-param="${param}"], input[name="${param}"], select[name="${param}"]`)
    .or(figure.getByLabel(new RegExp(`\\b${param}\\b`, 'i')))
    .first();
}
const hashParam = (page, key) =>
  new URLSearchParams(new URL(page.url()).hash.split('?')[1] ?? '').get(key);

test('figure URL round-trip: rtt from the URL shows in the control, and changes go back to the URL', async ({ page }) => {
  await open(page, route.figure(FIGURE_KIND, 'rtt=120&t=0.05'));
  await expect(page.locator('figure.ww-figure').first()).toBeVisible();
  const rtt = paramControl(page, 'rtt');
  await expect.poll(() => paramValue(rtt)).toBe('120');
  expect(hashParam(page, 'rtt')).toBe('120');
  await expect(page.locator('.ww-param-warning')).toHaveCount(0);

  await rtt.focus();
  await page.keyboard.press('ArrowUp');
  await expect.poll(() => paramValue(rtt)).not.toBe('120');
  const changed = await paramValue(rtt);
  await expect.poll(() => hashParam(page, 'rtt')).toBe(changed);
});

test('an out-of-range param shows a warning and the figure still renders', async ({ page }) => {
  await open(page, route.figure(FIGURE_KIND, 'rtt=99999'));
  await expect(page.locator('.ww-param-warning').first()).toBeVisible();
  await expect(page.locator('figure.ww-figure').first()).toBeVisible();
  await expect(page.locator('.ww-error')).toHaveCount(0);
});
