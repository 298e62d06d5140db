// Both ends at once, and one end never closing: the simultaneous-open and simultaneous-close
// cases of the handshake figures, and the CLOSE-WAIT leak figure's count.
import { test, expect, open, route } from './helpers.mjs';

const fig = (page) => page.locator('figure.ww-figure').first();

test('handshake-ladder: in a simultaneous open both peers go SYN-SENT → SYN-RECEIVED → ESTABLISHED', async ({ page }) => {
  await open(page, route.figure('handshake-ladder', 'case=simultaneous-open&t=0.07'));
  const states = fig(page).locator('.ww-handshake-states');
  for (const [side, name] of [['ww-side-client', 'peer-a'], ['ww-side-server', 'peer-b']]) {
    const line = states.locator(`li.${side}`);
    await expect(line).toHaveText(
      new RegExp(`^${name}: CLOSED → SYN-SENT \\(10 ms\\) → SYN-RECEIVED \\(35 ms\\) → ESTABLISHED \\(60 ms\\)$`),
    );
    await expect(line.locator('.ww-state-now')).toHaveText('ESTABLISHED');
  }
  await expect(states).toContainText("peer-a's connect() returned after 50 ms; peer-b's connect() returned after 50 ms");
  // Two SYNs and two SYN-ACKs, one of each from each side; nobody listens.
  for (const dir of ['peer-a to peer-b', 'peer-b to peer-a']) {
    await expect(fig(page).locator(`.ww-arrow[aria-label$=": ${dir}, SYN"]`)).toHaveCount(1);
    await expect(fig(page).locator(`.ww-arrow[aria-label$=": ${dir}, SYN, ACK"]`)).toHaveCount(1);
  }
  await expect(fig(page).locator('.ww-lane-state')).toHaveText(['ESTABLISHED', 'ESTABLISHED']);
});

test('state-diagram: in a simultaneous close both sides pass through CLOSING to TIME-WAIT', async ({ page }) => {
  await open(page, route.figure('state-diagram', 'case=simultaneous-close&t=0.3'));
  const closing = fig(page).locator('.ww-sd-state[data-state="CLOSING"]');
  await expect(closing).toHaveClass(/ww-sd-now-client/);
  await expect(closing).toHaveClass(/ww-sd-now-server/);
  await fig(page).getByRole('button', { name: /end/i }).first().click();
  const tw = fig(page).locator('.ww-sd-state[data-state="TIME-WAIT"]');
  await expect(tw).toHaveClass(/ww-sd-now-client/);
  await expect(tw).toHaveClass(/ww-sd-now-server/);
  const summary = fig(page).locator('.ww-sd-summary');
  await expect(summary).toContainText('FIN-WAIT-1 (260 ms) → CLOSING (285 ms) → TIME-WAIT (310 ms)');
  await expect(summary.locator('li')).toHaveCount(2);
});

test('close-wait: one CLOSE-WAIT per client, never fewer; the clients give up after 60 s', async ({ page }) => {
  await open(page, route.figure('close-wait', 't=12'));
  const count = fig(page).locator('.ww-cwait-count');
  // Clients at 0, 5 and 10 s; each has closed within a round trip or two.
  await expect(count).toHaveText('3');
  await expect(fig(page).locator('.ww-cwait-table tbody tr')).toHaveCount(3);
  await expect(fig(page).locator('.ww-cwait-table .ww-cwait-leaked')).toHaveCount(3);
  await fig(page).getByRole('button', { name: /end/i }).first().click();
  await expect(count).toHaveText('8');
  await expect(fig(page).locator('.ww-cwait-table .ww-cwait-leaked')).toHaveCount(8);
  // Every client's FIN-WAIT-2 has timed out; the server still holds all eight.
  await expect(fig(page).locator('.ww-cwait-table .ww-cwait-gone')).toHaveCount(8);
  await open(page, route.figure('close-wait', 'clients=3&every=1'));
  await fig(page).getByRole('button', { name: /end/i }).first().click();
  await expect(count).toHaveText('3');
});
