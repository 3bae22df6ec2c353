// The served app shows the demo analysis: a map and the top-level clusters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startKleio, launch, artifacts } from './browser.js';

let kleio, browser;
before(async () => {
  kleio = await startKleio();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  kleio?.stop();
});

test('the app loads under its content security policy and shows the demo', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const res = await page.goto(kleio.url);
  assert.match(res.headers()['content-security-policy'], /default-src 'self'/);
  await page.getByRole('heading', { name: 'Top-level clusters' }).waitFor({ timeout: 60_000 });
  const map = page.getByLabel('Cluster map');
  await map.waitFor();
  const items = page.getByRole('region', { name: 'Top-level clusters' }).getByRole('listitem');
  assert.ok((await items.count()) >= 2, 'at least two top-level clusters');
  await assert.doesNotReject(page.getByText(/analyst: offline/).waitFor());
  // The map has drawn points: some canvas pixels are not white.
  const coloured = await map.evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) if (d[i + 3] > 0) n++;
    return n;
  });
  assert.ok(coloured > 500, `only ${coloured} coloured pixels`);
  await page.screenshot({ path: path.join(artifacts, 'demo.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test('client-side routes fall back to the app', async () => {
  const res = await fetch(`${kleio.url}/d/some-dashboard`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<html/);
});
