// Opens a large capture on the capture page in headless Chromium and reports how long it took,
// the import speed and the long tasks the page had meanwhile (a measurement, not a test).
//   node e2e/bench/import-browser.mjs <capture.pcap> <url of the built site's #/capture>
import { chromium } from '@playwright/test';
import fs from 'node:fs';

const [file, url] = process.argv.slice(2);
const mb = fs.statSync(file).size / 1e6;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
await page.addInitScript(() => {
  window.__long = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); })
    .observe({ type: 'longtask', buffered: true });
});
await page.goto(url);
await page.locator('html[data-ww-ready="1"]').waitFor({ state: 'attached' });
const t0 = Date.now();
await page.getByLabel('Open a capture file').setInputFiles(file);
await page.locator('.ww-capture-page h2').waitFor({ timeout: 600_000 });
const seconds = (Date.now() - t0) / 1000;
const heading = await page.locator('.ww-capture-page h2').textContent();
const long = (await page.evaluate(() => window.__long)).map(Math.round).sort((a, b) => b - a);
console.log(`| capture | ${mb.toFixed(1)} MB | ${heading} |`);
console.log(`| opened in | ${seconds.toFixed(2)} s (${(mb / seconds).toFixed(1)} MB/s, read, indexed and drawn) |`);
console.log(`| long tasks (> 50 ms) | ${long.length}: ${long.join(', ')} ms |`);
await browser.close();
