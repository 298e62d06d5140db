// "How faithful is this?" (#/fidelity): the page shows conformance/report.json as built into the
// app, row for row, with its count of matches, and fits a 375 px screen (the table scrolls inside
// its own focusable region, not the page).
import { test, expect, open, route, BASE, REPO_ROOT } from './helpers.mjs';
import fs from 'node:fs';
import path from 'node:path';

const report = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'conformance', 'report.json'), 'utf8'));
const FIDELITY = `${BASE}#/fidelity`;

test('the page shows every behaviour in the report and how many match', async ({ page }) => {
  await open(page, FIDELITY);
  await expect(page.locator('h1')).toHaveText('How faithful is this?');
  await expect(page).toHaveTitle(/How faithful is this\?/);
  await expect(page.locator('.ww-fidelity-lede')).toContainText(`Linux ${report.kernel}`);
  await expect(page.locator('.ww-fidelity-lede')).toContainText(`HZ=${report.hz}`);

  const table = page.locator('table.ww-fidelity-table');
  await expect(table).toHaveAccessibleName(`Linux ${report.kernel} and the simulation, behaviour by behaviour`);
  await expect(table.locator('thead th[scope="col"]')).toHaveText(['Behaviour', 'Linux', 'Simulation', 'Tolerance', 'Match']);
  // Body rows: one per behaviour; each experiment also has a heading row of its own.
  const rows = table.locator('tbody tr.ww-fidelity-row');
  await expect(rows).toHaveCount(report.rows.length);
  const experiments = new Set(report.rows.map((r) => r.experiment));
  await expect(table.locator('tbody tr.ww-fidelity-group th[scope="rowgroup"]')).toHaveCount(experiments.size);

  const matching = report.rows.filter((r) => r.matches).length;
  const summary = page.locator('.ww-fidelity-summary');
  await expect(summary).toHaveText(`${matching} of ${report.rows.length} behaviours match.`);
  const [n, m] = (await summary.textContent()).match(/\d+/g).map(Number);
  expect([n, m]).toEqual([matching, report.rows.length]);

  // Rows are grouped by experiment, in the order experiments first appear in the file.
  const order = [...experiments].flatMap((e) => report.rows.filter((r) => r.experiment === e));
  const first = rows.first();
  await expect(first.locator('th[scope="row"]')).toContainText(order[0].behaviour);
  await expect(first.locator('td').nth(0)).toContainText(order[0].linux);
  await expect(first.locator('td').nth(1)).toContainText(order[0].sim);
  // The verdict is words, not only colour.
  for (let i = 0; i < order.length; i += 1) {
    await expect(rows.nth(i).locator('td').nth(3)).toContainText(order[i].matches ? 'matches' : 'differs');
  }
});

test('at 375 px the table scrolls in its own region and the page does not', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await open(page, FIDELITY);
  await expect(page.locator('table.ww-fidelity-table')).toBeVisible();
  const region = page.getByRole('region', { name: /compared/ });
  await expect(region).toHaveAttribute('tabindex', '0');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const scrolls = await region.evaluate((el) => el.scrollWidth > el.clientWidth);
  expect(scrolls).toBe(true);
});

test('the page is linked from the site footer and from the lessons', async ({ page }) => {
  await open(page, route.home());
  await page.locator('footer a[href="#/fidelity"]').click();
  await expect(page.locator('h1')).toHaveText('How faithful is this?');
  for (const slug of ['how-this-course-works', 'delayed-ack', 'nagle', 'flow-control', 'what-is-tcp', 'hop-by-hop']) {
    await open(page, route.lesson(slug));
    await expect(page.locator('.ww-prose a[href="#/fidelity"]'), slug).toHaveCount(1);
  }
});
