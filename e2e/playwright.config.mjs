// Browser tests of the built site. Uses Debian's Chromium (/usr/bin/chromium); Playwright never
// downloads a browser. The site is built by scripts/test.sh into dist-e2e/ with
// --public-url /wirewise/ and served by e2e/serve.mjs under that sub-path, like a static host.
import { defineConfig } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const port = Number(process.env.WW_E2E_PORT ?? 4173);

export default defineConfig({
  testDir: here,
  testMatch: '*.spec.mjs',
  outputDir: path.join(here, 'test-results'),
  timeout: 60_000,
  expect: { timeout: 10_000 },
  retries: 0,
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: path.join(here, 'report', 'results.json') }]],
  webServer: {
    command: 'node e2e/serve.mjs',
    cwd: root,
    url: `http://127.0.0.1:${port}/wirewise/`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: { WW_E2E_PORT: String(port), WW_E2E_DIST: process.env.WW_E2E_DIST ?? 'dist-e2e' },
  },
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
