// The packet inspector links fields and bytes: hovering a field highlights exactly its bytes,
// selecting a byte selects the field it belongs to, and the arrow keys move through both.
import { test, expect, open, route } from './helpers.mjs';

async function openInspector(page) {
  await open(page, route.figure('encapsulation'));
  const figure = page.locator('figure.ww-figure').first();
  await figure.locator('details.ww-enc-bytes summary').click();
  const inspector = figure.locator('details.ww-enc-bytes .ww-pi');
  await expect(inspector).toBeVisible();
  return inspector;
}

const range = async (option) => (await option.getAttribute('data-bytes')).split('-').map(Number);
const litOffsets = (inspector) =>
  inspector.locator('.ww-pi-bytes .ww-pi-byte.ww-pi-hl').evaluateAll((els) => els.map((e) => Number(e.dataset.offset)));

test('hovering a field highlights exactly its bytes', async ({ page }) => {
  const inspector = await openInspector(page);
  for (const name of ['Time to Live', 'Destination', 'Source Port']) {
    const option = inspector.locator('[role="option"].ww-pi-field', { hasText: name }).first();
    await option.hover();
    const [start, end] = await range(option);
    const want = Array.from({ length: end - start }, (_, i) => start + i);
    expect(await litOffsets(inspector)).toEqual(want);
  }
});

test('selecting a byte selects its field, and the arrow keys move through bytes and fields', async ({ page }) => {
  const inspector = await openInspector(page);
  // Byte 22 of an Ethernet + IPv4 frame is the TTL.
  await inspector.locator('.ww-pi-byte[data-offset="22"]').click();
  const selected = inspector.locator('.ww-pi-fields [role="option"][aria-selected="true"]');
  await expect(selected).toHaveCount(1);
  await expect(selected).toContainText('Time to Live');
  const [start, end] = await range(selected);
  expect(start <= 22 && 22 < end).toBe(true);

  // Keyboard: ArrowRight on the bytes moves to byte 23 (Protocol).
  await inspector.locator('.ww-pi-bytes').focus();
  await page.keyboard.press('ArrowRight');
  await expect(selected).toContainText('Protocol');
  await expect(inspector.locator('.ww-pi-bytes')).toHaveAttribute('aria-activedescendant', /-b23$/);

  // ArrowDown in the field list selects the next field and lights its bytes.
  await inspector.locator('.ww-pi-fields').focus();
  await page.keyboard.press('ArrowDown');
  await expect(selected).toContainText('Header Checksum');
  await page.mouse.move(0, 0);
  const [s2, e2] = await range(selected);
  expect(await litOffsets(inspector)).toEqual(Array.from({ length: e2 - s2 }, (_, i) => s2 + i));
});

test('the packet list is a keyboard listbox: arrows, Home and End open frames in the inspector', async ({ page }) => {
  await open(page, route.figure('udp', 't=0.005'));
  const fig = page.locator('figure.ww-figure').first();
  const list = fig.locator('.ww-plist-rows[role="listbox"]');
  await expect(list.locator('[role="option"]')).toHaveCount(8);
  await list.focus();
  await page.keyboard.press('Home');
  await expect(fig.locator('.ww-pd-head h4')).toHaveText('Frame 1 · 42 bytes');
  await expect(list.locator('[aria-selected="true"]')).toHaveCount(1);
  await page.keyboard.press('ArrowDown');
  await expect(fig.locator('.ww-pd-head h4')).toHaveText(/^Frame 2 /);
  await page.keyboard.press('End');
  await expect(fig.locator('.ww-pd-head h4')).toHaveText(/^Frame 8 /);
  await expect(list).toHaveAttribute('aria-activedescendant', /-r7$/);
  await expect(list.locator('[aria-selected="true"]')).toContainText('DNS');
  // The ladder follows the selection.
  await expect(fig.locator('.ww-arrow.ww-selected')).toHaveCount(1);
});
