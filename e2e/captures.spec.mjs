// Captures in both directions: every figure offers its run as a pcap and as tcpdump lines (equal
// to what tcpdump itself prints for that file), the packet list takes display filters, and the
// capture page opens a pcap (the course's own, or one tcpdump wrote on this machine).
import { test, expect, open, route } from './helpers.mjs';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const fig = (page) => page.locator('figure.ww-figure').first();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wirewise-captures-'));

function hasTcpdump() {
  try {
    execFileSync('tcpdump', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function downloadPcap(page, kind, query) {
  await open(page, route.figure(kind, query));
  await fig(page).locator('details.ww-capture > summary').click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    fig(page).getByRole('button', { name: 'Download .pcap' }).click(),
  ]);
  const file = path.join(tmp, download.suggestedFilename());
  await download.saveAs(file);
  return { file, name: download.suggestedFilename() };
}

test('Download .pcap gives the run as a pcap whose tcpdump lines are the tcpdump view', async ({ page }) => {
  const { file, name } = await downloadPcap(page, 'handshake', 'rtt=120');
  expect(name).toBe('wirewise-handshake-rtt=120-client.pcap');
  const bytes = fs.readFileSync(file);
  expect(bytes.readUInt32LE(0)).toBe(0xa1b23c4d); // nanosecond pcap
  const view = fig(page).getByRole('region', { name: 'tcpdump view' });
  const shown = (await view.textContent()).trim().split('\n');
  expect(shown[0]).toMatch(/^00:00:00\.\d{6} /);
  expect(shown.join('\n')).toMatch(/Flags \[S\], seq \d+, win 64240, options \[mss 1460,sackOK,TS val \d+ ecr 0,nop,wscale 7\], length 0/);
  test.skip(!hasTcpdump(), 'tcpdump is not installed');
  const real = execFileSync('tcpdump', ['-n', '-r', file], { env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'ignore'] })
    .toString().trim().split('\n');
  expect(shown).toEqual(real);
  // -S: absolute sequence numbers, as tcpdump -S prints them.
  await fig(page).getByLabel('Absolute sequence numbers (-S)').check();
  const absolute = (await view.textContent()).trim().split('\n');
  const realS = execFileSync('tcpdump', ['-n', '-S', '-r', file], { env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'ignore'] })
    .toString().trim().split('\n');
  expect(absolute).toEqual(realS);
});

test('the display filter keeps matching frames and shows a bad filter with its position', async ({ page }) => {
  await open(page, route.figure('handshake', ''));
  const list = fig(page).locator('.ww-plist');
  const filter = list.getByLabel('Display filter');
  const total = Number((await list.locator('.ww-plist-cap').textContent()).match(/(\d+) frames/)[1]);
  await filter.fill('tcp.flags.syn == 1 && tcp.flags.ack == 0');
  await expect(list.locator('.ww-plist-cap')).toContainText(`1 of ${total} frames match the filter`);
  await expect(list.getByRole('listbox').getByRole('option')).toHaveCount(1);
  await filter.fill('!arp and (tcp or udp)');
  await expect(list.locator('.ww-plist-cap')).toContainText('match the filter');
  await filter.fill('tcp.prot == 80');
  await expect(list.locator('.ww-filter-error')).toContainText(/Column 1: .*tcp\.prot/);
  await expect(filter).toHaveAttribute('aria-invalid', 'true');
  await filter.fill('tcp.port == ');
  await expect(list.locator('.ww-filter-error')).toContainText(/Column \d+:/);
  await filter.fill('');
  await expect(list.locator('.ww-plist-cap')).toContainText(`Packet list: ${total} frames`);
});

test('the capture page opens a downloaded pcap frame for frame', async ({ page }) => {
  const { file } = await downloadPcap(page, 'handshake', '');
  const frames = (await fig(page).getByRole('region', { name: 'tcpdump view' }).textContent()).trim().split('\n').length;
  await open(page, `${route.home()}capture`);
  await page.getByLabel('Open a capture file').setInputFiles(file);
  const views = page.locator('.ww-capture-page section.ww-figure');
  await expect(views.locator('h2')).toContainText(`${frames} frames`);
  await expect(views.locator('.ww-conn-table tbody tr')).toHaveCount(1);
  await expect(views.locator('.ww-conn-table tbody tr').first()).toContainText(':80');
  await views.locator('details.ww-capture > summary').click();
  const lines = (await views.getByRole('region', { name: 'tcpdump view' }).textContent()).trim().split('\n');
  expect(lines.length).toBe(frames);
  // The same file dropped on the page.
  await open(page, `${route.home()}capture`);
  const base64 = fs.readFileSync(file).toString('base64');
  const dataTransfer = await page.evaluateHandle((b64) => {
    const dt = new DataTransfer();
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    dt.items.add(new File([bytes], 'dropped.pcap'));
    return dt;
  }, base64);
  await page.dispatchEvent('.ww-dropzone', 'drop', { dataTransfer });
  await expect(page.locator('.ww-capture-page section.ww-figure h2')).toContainText(`dropped.pcap: ${frames} frames`);
});

test('garbage and truncated files give a clear message, never a blank page', async ({ page }) => {
  const garbage = path.join(tmp, 'garbage.pcap');
  fs.writeFileSync(garbage, Buffer.from('this is not a capture file at all, just text'.repeat(10)));
  await open(page, `${route.home()}capture`);
  await page.getByLabel('Open a capture file').setInputFiles(garbage);
  await expect(page.locator('.ww-capture-page')).toContainText(/not a pcap|not a capture|unknown|magic/i);
  const { file } = await downloadPcap(page, 'handshake', '');
  const cut = path.join(tmp, 'cut.pcap');
  const whole = fs.readFileSync(file);
  fs.writeFileSync(cut, whole.subarray(0, whole.length - 30));
  await open(page, `${route.home()}capture`);
  await page.getByLabel('Open a capture file').setInputFiles(cut);
  await expect(page.locator('.ww-capture-page')).toContainText(/truncated|cut short|ends in the middle/i);
  await expect(page.locator('.ww-capture-page h2')).toContainText('frames');
});

test('a capture tcpdump makes on this machine opens with its TCP connections', async ({ page, baseURL }) => {
  test.skip(!hasTcpdump() || process.getuid?.() !== 0, 'needs tcpdump and root');
  const port = new URL(baseURL).port;
  const file = path.join(tmp, 'loopback.pcap');
  const dump = spawn('tcpdump', ['-i', 'lo', '-n', '-U', '-w', file, 'tcp', 'port', port], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000));
  // Three bounded requests to the test's own server over loopback.
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${baseURL}/wirewise/static/favicon.svg`, { headers: { connection: 'close' } });
    await res.arrayBuffer();
  }
  await new Promise((r) => setTimeout(r, 1000));
  dump.kill('SIGINT');
  await new Promise((r) => dump.on('exit', r));
  await open(page, `${route.home()}capture`);
  await page.getByLabel('Open a capture file').setInputFiles(file);
  const views = page.locator('.ww-capture-page section.ww-figure');
  await expect(views.locator('h2')).toContainText('frames');
  const rows = views.locator('.ww-conn-table tbody tr');
  expect(await rows.count()).toBeGreaterThanOrEqual(3);
  await expect(rows.first()).toContainText(`:${port}`);
});
