// axe-core (WCAG 2 A and AA rules): no serious or critical violations on any kind of page.
import AxeBuilder from '@axe-core/playwright';
import { test, expect, discoverLessons, open, route, FIGURE_KIND, BASE } from './helpers.mjs';

const lessons = discoverLessons();
const pages = [
  ['home', route.home()],
  ...lessons.map((l) => [`lesson ${l.slug}`, route.lesson(l.slug)]),
  [`figure ${FIGURE_KIND}`, route.figure(FIGURE_KIND)],
  [`embed ${FIGURE_KIND}`, route.embed(FIGURE_KIND)],
  ['fidelity', `${BASE}#/fidelity`],
];

for (const [name, url] of pages) {
  test(`axe: ${name}`, async ({ page }) => {
    await open(page, url);
    await expect(page.locator('h1, figure.ww-figure').first()).toBeVisible();
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
    const bad = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
    const minor = results.violations.filter((v) => !bad.some((b) => b.startsWith(`${v.id} `)));
    if (minor.length) console.log(`  axe ${name}: minor: ${minor.map((v) => `${v.id}(${v.impact})`).join(', ')}`);
    expect(bad).toEqual([]);
  });
}
