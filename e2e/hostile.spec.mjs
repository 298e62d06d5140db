// Hostile URLs: for every figure kind (read from src/figures/specs.rs), a seeded set of
// #/figure/<kind>?… and #/embed/<kind>?… addresses with extreme numbers, 100 KB values, unknown
// keys, malformed percent escapes and injection payloads in every parameter and in keys. Each
// must still give a page that became ready, shows the figure (or a clear message), has no panic
// card, ran no injected script, grew no injected element, and keeps any warning box small.
//
// The set is the same on every run (a fixed seed and a small PRNG); a failure names its case.
import fs from 'node:fs';
import path from 'node:path';
import { test, expect, route, REPO_ROOT } from './helpers.mjs';

const SEED = 0x5eed_2024;
/** Addresses per kind: half figure pages, half embeds. */
const PER_KIND = 4;
/** Declared parameters per address besides the free-text ones (taken in turn, so every
 * parameter of a kind is in at least one address). Few, so a warning box lists only a few. */
const PARAMS_PER_URL = 4;
/** How long a page may take to become ready. */
const READY_MS = 20_000;
/** A warning box taller than this echoes too much of what it was given. */
const MAX_WARNING_PX = 400;
/** One warning taller than this (about six lines) echoes a value in full. */
const MAX_ITEM_PX = 160;

/** Figure kinds and their parameters ({name, type}), read from the Rust source. */
function readSpecs() {
  const src = fs.readFileSync(path.join(REPO_ROOT, 'src/figures/specs.rs'), 'utf8');
  const call = /\b(number|text|choice|flag)\(\s*"([\w-]+)"/;
  // Single parameters: `const fn f(…) -> ParamSpec { number("rtt", …) }` and
  // `const RTT: ParamSpec = number("rtt", …);` or `= f(…);`.
  const single = new Map();
  for (const m of src.matchAll(/const\s+fn\s+([a-z_][a-z0-9_]*)\s*\([^)]*\)\s*->\s*ParamSpec\s*\{([\s\S]*?)\n\}/g)) {
    const c = call.exec(m[2]);
    if (c) single.set(`${m[1]}(`, { type: c[1], name: c[2] });
  }
  for (const m of src.matchAll(/const\s+([A-Z][A-Z0-9_]*)\s*:\s*ParamSpec\s*=([\s\S]*?);/g)) {
    const c = call.exec(m[2]);
    const f = /^\s*([a-z_][a-z0-9_]*\()/.exec(m[2]);
    const p = c ? { type: c[1], name: c[2] } : f && single.get(f[1]);
    if (p) single.set(m[1], p);
  }
  // Lists: `const CALL_COST: &[ParamSpec] = &[ … ];`, items in order.
  const lists = new Map();
  for (const m of src.matchAll(/const\s+([A-Z][A-Z0-9_]*)\s*:\s*&\[ParamSpec\]\s*=\s*&\[([\s\S]*?)\];/g)) {
    const params = [];
    const token = /\b(number|text|choice|flag)\(\s*"([\w-]+)"|\b([a-z_][a-z0-9_]*\()|\b([A-Z][A-Z0-9_]*)\b/g;
    for (const t of m[2].matchAll(token)) {
      const p = t[1] ? { type: t[1], name: t[2] } : single.get(t[3] ?? t[4]);
      if (p && !params.some((q) => q.name === p.name)) params.push(p);
    }
    lists.set(m[1], params);
  }
  const block = /pub const KINDS: &\[FigureKind\] = &\[([\s\S]*?)\n\];/.exec(src);
  if (!block) throw new Error('no KINDS table in src/figures/specs.rs');
  return [...block[1].matchAll(/name:\s*"([\w-]+)"[\s\S]*?params:\s*([A-Z][A-Z0-9_]*)/g)]
    .map((m) => ({ kind: m[1], params: lists.get(m[2]) ?? [] }));
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const hash = (s) => [...s].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261);

const LONG = 'A'.repeat(100 * 1024);
const NUMBERS = [
  '1e308', '-1e308', '1e309', 'NaN', 'Infinity', '-Infinity', '0', '-0', '18446744073709551616',
  '-9223372036854775809', '9'.repeat(400), '1e-320', '0x10', ' 7 ', '', '1_000', '٣',
];
const PAYLOADS = [
  '<img src=x onerror=window.__pwned=1>',
  '"><script>window.__pwned=1</script>',
  "' onmouseover='window.__pwned=1' x='",
  '</textarea><svg onload=window.__pwned=1>',
  'javascript:window.__pwned=1',
  '{{constructor.constructor("window.__pwned=1")()}}',
  '\u0000nul\u0000',
  '𝔲𝔫𝔦𝔠𝔬𝔡𝔢 😀 \u202eevil\u202c \u200b zero-width é́́',
  '\r\nX-Injected: 1',
];
/** Raw query text, not percent-encoded by the test: NUL escapes and malformed escapes. */
const RAW = ['%00', '%E0%A4%A', '%zz', '%', '%ff%fe', '%C0%AF'];
const UNKNOWN_KEYS = ['zzz', '__proto__', 'constructor', ...PAYLOADS.slice(0, 3), 'k'.repeat(300)];
const SPECIAL = { seed: ['18446744073709551616', '-1', 'NaN', '1e308'], t: NUMBERS, frame: ['0', '-1', '1e308', 'NaN', '99999999999'] };

const pick = (rand, list) => list[Math.floor(rand() * list.length)];
const enc = encodeURIComponent;

/**
 * Hostile query number `i` for `params`: every free-text parameter and the next few others get
 * hostile values; then maybe `seed`, `t` or `frame`, an unknown key (often a payload), maybe a
 * malformed key and a repeated parameter, in shuffled order. `withLong`: one value is 100 KB.
 */
function hostileQuery(rand, params, i, withLong) {
  const pairs = [];
  const value = (type) => {
    const r = rand();
    if (r < 0.1) return { raw: pick(rand, RAW) };
    if (type === 'number' && r < 0.7) return { text: pick(rand, NUMBERS) };
    return { text: pick(rand, PAYLOADS) };
  };
  const texts = params.filter((p) => p.type === 'text');
  const others = params.filter((p) => p.type !== 'text');
  const chosen = [...texts];
  for (let k = 0; k < Math.min(PARAMS_PER_URL, others.length); k += 1) {
    chosen.push(others[(i * PARAMS_PER_URL + k) % others.length]);
  }
  for (const p of chosen) {
    const v = value(p.type);
    pairs.push(v.raw !== undefined ? `${enc(p.name)}=${v.raw}` : `${enc(p.name)}=${enc(v.text)}`);
  }
  if (rand() < 0.6) {
    const key = pick(rand, Object.keys(SPECIAL));
    pairs.push(`${key}=${enc(pick(rand, SPECIAL[key]))}`);
  }
  // An unknown key (payloads as keys too).
  pairs.push(`${enc(pick(rand, UNKNOWN_KEYS))}=${enc(pick(rand, PAYLOADS))}`);
  // One 100 KB value, for a declared parameter or the unknown key (one address per kind: a
  // page that echoes it in full is slow to lay out).
  if (withLong) {
    const at = Math.floor(rand() * pairs.length);
    pairs[at] = `${pairs[at].split('=')[0]}=${LONG}`;
  }
  const r = rand();
  if (r < 0.25) {
    pairs.push(`${pick(rand, RAW)}=${pick(rand, RAW)}`);
  } else if (r < 0.5 && chosen.length) {
    // A repeated parameter: the later value wins or is reported, but nothing breaks.
    pairs.push(`${enc(chosen[0].name)}=${enc(pick(rand, PAYLOADS))}`);
  }
  // Shuffle (Fisher-Yates) so the order of keys varies too.
  for (let j = pairs.length - 1; j > 0; j -= 1) {
    const k = Math.floor(rand() * (j + 1));
    [pairs[j], pairs[k]] = [pairs[k], pairs[j]];
  }
  return pairs.join('&');
}

/** A short name of a query for failure messages. */
const describe = (q) => (q.length > 300 ? `${q.slice(0, 300)}… (${q.length} characters)` : q);

const specs = readSpecs();

test('every figure kind is read from specs.rs with its parameters', () => {
  expect(specs.length).toBeGreaterThan(10);
  for (const s of specs) expect(s.params.length, `${s.kind} has no parameters`).toBeGreaterThan(0);
  const encapsulation = specs.find((s) => s.kind === 'encapsulation');
  expect(encapsulation.params.filter((p) => p.type === 'text').map((p) => p.name)).toEqual(['path', 'header', 'body', 'name']);
});

for (const { kind, params } of specs) {
  test(`hostile URLs: ${kind}`, async ({ page }) => {
    test.setTimeout(PER_KIND * (READY_MS + 10_000));
    const rand = prng(SEED ^ hash(kind));
    const longAt = hash(kind) % PER_KIND;
    for (let i = 0; i < PER_KIND; i += 1) {
      const query = hostileQuery(rand, params, i, i === longAt);
      const url = i % 2 === 0 ? route.figure(kind, query) : route.embed(kind, query);
      const label = `${i % 2 === 0 ? 'figure' : 'embed'} ${kind} #${i}: ${describe(query)}`;
      await page.goto('about:blank');
      await page.goto(url);
      await expect(page.locator('html[data-ww-ready="1"]'), `ready: ${label}`).toHaveCount(1, { timeout: READY_MS });
      // One look at the page (locator by locator is slow on a page that echoes 100 KB values).
      const found = await page.evaluate(() => ({
        panic: document.querySelectorAll('.ww-error-page').length + (document.body.textContent.includes('Something went wrong') ? 1 : 0),
        // Not blank: the figure, or a clear message.
        shown: [...document.querySelectorAll('figure.ww-figure, main .ww-error')].some((e) => {
          const r = e.getBoundingClientRect();
          return r.width > 0 && r.height > 0 && e.textContent.trim() !== '';
        }),
        pwned: typeof window.__pwned,
        injected: document.querySelectorAll('img[src="x"], [onerror], [onload], [onmouseover]').length,
        scripts: [...document.querySelectorAll('script')].filter((s) => s.textContent.includes('__pwned')).length,
        warnings: [...document.querySelectorAll('.ww-param-warning')].map((w) => w.getBoundingClientRect().height),
        items: [...document.querySelectorAll('.ww-param-warning li')].map((li) => li.getBoundingClientRect().height),
      }));
      expect(found.panic, `panic card: ${label}`).toBe(0);
      expect(found.shown, `blank page: ${label}`).toBe(true);
      expect(found.pwned, `a payload ran: ${label}`).toBe('undefined');
      expect(found.injected, `an element was injected: ${label}`).toBe(0);
      expect(found.scripts, `a script was injected: ${label}`).toBe(0);
      // Soft: an echo that is too long is reported, and the remaining addresses still run.
      for (const h of found.warnings) expect.soft(h, `warning box height: ${label}`).toBeLessThan(MAX_WARNING_PX);
      for (const h of found.items) expect.soft(h, `one warning's height: ${label}`).toBeLessThan(MAX_ITEM_PX);
    }
  });
}
