// Adds the Content-Security-Policy to the built pages, as a <meta http-equiv> tag so it works on
// any static host and under any sub-path. Trunk runs it after every build (Trunk.toml, hook
// stage "post_build", for `trunk build` and `trunk serve` alike) on the pages it has just written
// to $TRUNK_STAGING_DIR, so the hashes cover the inline scripts exactly as shipped: the boot
// script from index.html and the module script Trunk injects to start the wasm (both minified in
// release builds), plus Trunk's auto-reload script under `trunk serve`.
//
//   node scripts/csp.mjs [dir]     dir defaults to $TRUNK_STAGING_DIR
//
// The policy allows only the site's own files ('self'), inline scripts and <style> elements by
// their SHA-256 hash, and WebAssembly compilation ('wasm-unsafe-eval'). There is no
// 'unsafe-inline': style="" attributes and inline event handlers are blocked, so this script
// refuses a page that has any (the app sets computed sizes through the CSSOM instead).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The pages that get a policy, relative to the build directory, and whether they run wasm. */
const PAGES = [['index.html', true], ['static/embed-example.html', false]];

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('csp.mjs: no build directory (pass one, or run it as a Trunk hook)');
  process.exit(2);
}

const sha256 = (text) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const INLINE = /<(script|style)\b([^>]*)>([\s\S]*?)<\/\1\s*>/gi;
const CSP_META = /<meta\b[^>]*http-equiv\s*=\s*["']?content-security-policy["']?[^>]*>/gi;

/** The policy for a page whose inline scripts and styles hash to `scripts` and `styles`. */
function policy(scripts, styles, wasm) {
  return [
    "default-src 'self'",
    ['script-src', "'self'", ...(wasm ? ["'wasm-unsafe-eval'"] : []), ...scripts].join(' '),
    ['style-src', "'self'", ...styles].join(' '),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

function addPolicy(file, wasm) {
  let html = fs.readFileSync(file, 'utf8').replace(CSP_META, '');
  const scripts = new Set();
  const styles = new Set();
  for (const [, tag, attrs, body] of html.matchAll(INLINE)) {
    if (tag.toLowerCase() === 'script') {
      if (/(^|\s)src\s*=/i.test(attrs)) continue;
      scripts.add(sha256(body));
    } else {
      styles.add(sha256(body));
    }
  }
  // Everything outside <script> and <style> bodies: no style attributes, no event handlers.
  const markup = html.replace(INLINE, '<$1$2></$1>');
  for (const [tag] of markup.matchAll(/<[a-z][^>]*>/gi)) {
    if (/\s(style|on[a-z]+)\s*=/i.test(tag)) {
      throw new Error(`${file}: ${tag} has an inline style or event handler, which the policy blocks`);
    }
  }
  const meta = `<meta http-equiv="Content-Security-Policy" content="${policy([...scripts], [...styles], wasm)}">`;
  // First thing in <head> after the charset: the policy covers only what comes after it.
  const charset = /<meta\s+charset\s*=[^>]*>/i.exec(html) ?? /<head\b[^>]*>/i.exec(html);
  if (!charset) throw new Error(`${file}: no <head>`);
  const at = charset.index + charset[0].length;
  html = html.slice(0, at) + meta + html.slice(at);
  fs.writeFileSync(file, html);
  return { scripts: scripts.size, styles: styles.size };
}

try {
  for (const [page, wasm] of PAGES) {
    const file = path.join(dir, page);
    if (!fs.existsSync(file)) {
      if (page === 'index.html') throw new Error(`${file} is missing`);
      continue;
    }
    const n = addPolicy(file, wasm);
    console.log(`csp: ${page}: ${n.scripts} inline script(s) and ${n.styles} style element(s) hashed`);
  }
} catch (err) {
  console.error(`csp.mjs: ${err.message}`);
  process.exit(1);
}
