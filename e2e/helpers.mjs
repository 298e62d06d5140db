// Shared helpers for the browser tests: lesson discovery, navigation, error capture.
import { test as base, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export { expect };

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(E2E_DIR, '..');
/** The sub-path the site is built for and served under (see scripts/test.sh and e2e/serve.mjs). */
export const BASE = '/wirewise/';
/** The figure used by the figure-route, embed-route and URL round-trip tests. */
export const FIGURE_KIND = process.env.WW_E2E_FIGURE ?? 'call-cost';
export const SCREENSHOT_DIR = path.join(E2E_DIR, 'screenshots');

/** Front matter between the first two `---` lines: `key: value` pairs (lists are ignored). */
function frontMatter(text) {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\s*(\r?\n|$)/.exec(text);
  const fields = {};
  if (!m) return fields;
  for (const line of m[1].split(/\r?\n/)) {
    const kv = /^([A-Za-z_][\w-]*):\s*(.*)$/.exec(line);
    if (kv && kv[2] !== '') fields[kv[1]] = kv[2].replace(/^(["'])(.*)\1$/, '$2').trim();
  }
  return fields;
}

/**
 * Every lesson, in course order: lessons/<NN-section>/<NN-slug>.md. The slug is the file name
 * without its number and extension (or a `slug:` front-matter field); `figures` counts the fenced
 * ```figure blocks, and `kinds` lists the figure kinds named in them (`kind: x` or ```figure x).
 */
export function discoverLessons() {
  const dir = path.resolve(REPO_ROOT, process.env.WW_E2E_LESSONS ?? 'lessons');
  if (!fs.existsSync(dir)) return [];
  const lessons = [];
  const sections = fs.readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^\d+-/.test(d.name))
    .map((d) => d.name)
    .sort();
  for (const section of sections) {
    const files = fs.readdirSync(path.join(dir, section))
      .filter((f) => /^\d+-.+\.md$/.test(f))
      .sort();
    for (const file of files) {
      const text = fs.readFileSync(path.join(dir, section, file), 'utf8');
      const fm = frontMatter(text);
      const kinds = [];
      let figures = 0;
      let inFigure = false;
      let fence = '';
      for (const line of text.split(/\r?\n/)) {
        if (!inFigure) {
          const open = /^(`{3,}|~{3,})\s*figure\b\s*([\w-]+)?/.exec(line);
          if (open) {
            figures += 1;
            inFigure = true;
            fence = open[1];
            if (open[2]) kinds.push(open[2]);
          }
        } else if (new RegExp(`^${fence[0]}{${fence.length},}\\s*$`).test(line)) {
          inFigure = false;
        } else {
          const kind = /^\s*kind\s*[:=]\s*["']?([\w-]+)/.exec(line);
          if (kind) kinds.push(kind[1]);
        }
      }
      lessons.push({
        section,
        file: `lessons/${section}/${file}`,
        slug: fm.slug ?? file.replace(/^\d+-/, '').replace(/\.md$/, ''),
        title: fm.title ?? '',
        figures,
        kinds,
      });
    }
  }
  return lessons;
}

/** The app's routes under the sub-path. */
export const route = {
  home: () => `${BASE}#/`,
  lesson: (slug) => `${BASE}#/lesson/${slug}`,
  figure: (kind, query = '') => `${BASE}#/figure/${kind}${query ? `?${query}` : ''}`,
  embed: (kind, query = '') => `${BASE}#/embed/${kind}${query ? `?${query}` : ''}`,
};

/** Loads a route as a fresh document and waits until the app has rendered. */
export async function open(page, url) {
  await page.goto('about:blank');
  await page.goto(url);
  await page.locator('html[data-ww-ready="1"]').waitFor({ state: 'attached' });
}

/**
 * Records console errors, uncaught exceptions, failed requests and HTTP responses >= 400 on a
 * page. Returns the (live) list of problems as strings.
 */
export function watchProblems(page) {
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location()?.url;
    problems.push(`console error: ${msg.text()}${where ? ` (${where})` : ''} @ ${page.url()}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message} @ ${page.url()}`));
  page.on('requestfailed', (req) => {
    // A request cut off because the test navigated away (ERR_ABORTED) is not a fault of the page.
    if (req.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${req.url()} (${req.failure()?.errorText}) @ ${page.url()}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()} @ ${page.url()}`);
  });
  return problems;
}

/**
 * `test` with a `problems` fixture: every test fails if its page logged a console error, threw,
 * or had a failed request or an HTTP error response. A test that expects one can clear the list.
 */
export const test = base.extend({
  problems: [
    async ({ page }, use) => {
      const problems = watchProblems(page);
      await use(problems);
      expect(problems, 'console errors, uncaught exceptions or failed requests').toEqual([]);
    },
    { auto: true },
  ],
});

/** Fails with a clear message when the course has no lessons yet. */
export function requireLessons(lessons) {
  expect(lessons.length, 'no lessons found under lessons/<NN-section>/<NN-slug>.md').toBeGreaterThan(0);
}

/** The first lesson that has at least one figure. */
export function firstLessonWithFigure(lessons) {
  const lesson = lessons.find((l) => l.figures > 0);
  expect(lesson, 'no lesson with a ```figure block under lessons/').toBeTruthy();
  return lesson;
}
