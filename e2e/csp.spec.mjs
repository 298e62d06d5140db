// The built site carries a Content-Security-Policy (<meta http-equiv>, added by scripts/csp.mjs
// after Trunk writes the pages): only the site's own files, inline scripts by hash, wasm
// compilation, no 'unsafe-inline'. The course runs under it without a single violation, and a
// violation would be reported.
import crypto from 'node:crypto';
import {
  test, expect, open, route, BASE, discoverLessons, firstLessonWithFigure,
} from './helpers.mjs';

/** Records every securitypolicyviolation event of the page into window.__wwCsp. */
async function recordViolations(page) {
  await page.addInitScript(() => {
    window.__wwCsp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__wwCsp.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} ${e.sample || ''}`.trim());
    });
  });
}
const violations = (page) => page.evaluate(() => window.__wwCsp);

/** The policy in the page's <meta http-equiv="Content-Security-Policy">, as directive -> sources. */
async function policyOf(page) {
  const metas = page.locator('meta[http-equiv="Content-Security-Policy"]');
  await expect(metas).toHaveCount(1);
  const content = await metas.getAttribute('content');
  return new Map(content.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]));
}

// Figures whose bars and gauges size themselves through the CSSOM (no style attributes).
const STYLED_KINDS = ['call-cost', 'connection-cost', 'kernel-queues', 'encapsulation', 'sliding-window', 'nagle', 'cold-warm'];

test('index.html has the policy, and it lists every inline script by hash', async ({ page }) => {
  await open(page, route.home());
  const policy = await policyOf(page);
  expect(policy.get('default-src')).toEqual(["'self'"]);
  const scriptSrc = policy.get('script-src');
  expect(scriptSrc).toContain("'self'");
  expect(scriptSrc).toContain("'wasm-unsafe-eval'");
  expect(policy.get('style-src')).toEqual(["'self'"]);
  expect(policy.get('object-src')).toEqual(["'none'"]);
  expect(policy.get('base-uri')).toEqual(["'self'"]);
  for (const sources of policy.values()) {
    expect(sources).not.toContain("'unsafe-inline'");
    expect(sources).not.toContain("'unsafe-eval'");
    expect(sources).not.toContain('*');
    expect(sources).not.toContain('data:');
  }
  // In the file as served: the meta tag comes before every script, and each inline script's
  // hash is listed (and nothing else is).
  const html = await (await page.request.get(`${BASE}index.html`)).text();
  const metaAt = html.search(/<meta http-equiv="Content-Security-Policy"/);
  expect(metaAt).toBeGreaterThan(0);
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  const inline = scripts.filter((m) => !/(^|\s)src=/.test(m[1]));
  expect(inline.length).toBeGreaterThanOrEqual(2);
  for (const m of scripts) expect(m.index).toBeGreaterThan(metaAt);
  for (const [, , text] of inline) {
    const hash = `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;
    expect(scriptSrc, `hash of ${text.slice(0, 60)}…`).toContain(hash);
  }
  expect(scriptSrc.filter((s) => s.startsWith("'sha256-")).length).toBe(inline.length);
});

test('the course runs under the policy with no violation', async ({ page, problems }) => {
  await recordViolations(page);
  const lessons = discoverLessons();
  const withFigure = firstLessonWithFigure(lessons);
  // A lesson with a figure that draws bars, if there is one.
  const withBars = lessons.find((l) => l.kinds.some((k) => STYLED_KINDS.includes(k))) ?? withFigure;
  const pages = [
    route.home(),
    route.lesson(withFigure.slug),
    route.lesson(withBars.slug),
    ...STYLED_KINDS.map((k) => route.figure(k)),
    route.figure('encapsulation', 'mode=dns'),
    route.embed('call-cost', 'rtt=80'),
    route.embed('kernel-queues'),
  ];
  for (const url of pages) {
    await open(page, url);
    await expect(page.locator('#ww-boot')).toHaveCount(0);
    if (!url.endsWith('#/')) await expect(page.locator('figure.ww-figure').first()).toBeVisible();
    // Play a moment, so bars and gauges change size while the policy watches.
    const play = page.getByRole('button', { name: /^Play/ }).first();
    if (await play.count()) {
      await play.click();
      await page.waitForTimeout(600);
    }
    expect(await violations(page), `violations on ${url}`).toEqual([]);
  }
  expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
});

test('bars are sized through the CSSOM, not style attributes', async ({ page }) => {
  await recordViolations(page);
  await open(page, route.figure('call-cost', 't=0.5'));
  const bars = page.locator('.ww-bar');
  await expect(bars.first()).toBeVisible();
  const widths = await bars.evaluateAll((els) => els.map((e) => [e.style.width, e.getBoundingClientRect().width]));
  expect(widths.length).toBeGreaterThanOrEqual(2);
  for (const [css, px] of widths) {
    expect(css).toMatch(/max\(3px, [\d.]+%\)/);
    expect(px).toBeGreaterThanOrEqual(3);
  }
  // The two bars differ: the remote call is far longer than the local one.
  expect(Math.max(...widths.map((w) => w[1]))).toBeGreaterThan(Math.min(...widths.map((w) => w[1])) * 2);
  expect(await violations(page)).toEqual([]);
});

test('static/embed-example.html runs under its own policy with no violation', async ({ page }) => {
  await recordViolations(page);
  await page.goto(`${BASE}static/embed-example.html`);
  const policy = await policyOf(page);
  expect(policy.get('script-src').filter((s) => s.startsWith("'sha256-")).length).toBe(1);
  expect(policy.get('style-src').filter((s) => s.startsWith("'sha256-")).length).toBe(1);
  const frame = page.frameLocator('iframe').first();
  await expect(frame.locator('figure.ww-figure')).toBeVisible({ timeout: 20_000 });
  // The page's own script ran: it resized the iframe from the height message.
  await expect.poll(() => page.locator('iframe').evaluate((f) => f.style.height)).toMatch(/^\d+px$/);
  expect(await violations(page)).toEqual([]);
});

test('a violation would be reported: an injected inline script and style are blocked', async ({ page, problems }) => {
  await recordViolations(page);
  await open(page, route.figure('call-cost'));
  const result = await page.evaluate(async () => {
    const script = document.createElement('script');
    script.textContent = 'window.__wwInjected = 1';
    document.body.append(script);
    const style = document.createElement('style');
    style.textContent = 'body { outline: 7px solid red }';
    document.head.append(style);
    const el = document.createElement('div');
    el.setAttribute('style', 'width: 123px');
    document.body.append(el);
    const div = document.createElement('div');
    div.innerHTML = '<img src="x:" onerror="window.__wwInjected = 2">';
    document.body.append(div);
    await new Promise((r) => setTimeout(r, 300));
    return {
      ran: window.__wwInjected,
      outline: getComputedStyle(document.body).outlineWidth,
      width: el.getBoundingClientRect().width === 123,
    };
  });
  expect(result.ran).toBeUndefined();
  expect(result.outline).not.toBe('7px');
  expect(result.width).toBe(false);
  const seen = await violations(page);
  expect(seen.some((v) => v.startsWith('script-src-elem blocked inline'))).toBe(true);
  expect(seen.some((v) => v.startsWith('style-src-elem blocked inline'))).toBe(true);
  expect(seen.some((v) => v.startsWith('style-src-attr blocked inline'))).toBe(true);
  // The console says so too; that is expected here.
  expect(problems.some((p) => /Content Security Policy/.test(p))).toBe(true);
  problems.length = 0;
});
