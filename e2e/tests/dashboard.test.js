// Published dashboards: the proxy's gate removes what may not be shared,
// and the share link opens read-only in a fresh browser context.
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

test('client-side routes fall back to the app', async () => {
  const res = await fetch(`${kleio.url}/d/some-dashboard`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<html/);
});

/** 64 hex digits per fake account: what a browser's salted hashes look like. */
const hashes = (n, salt) => Array.from({ length: n }, (_, i) => (salt + i.toString(16)).padStart(64, '0'));

test('a published dashboard opens read-only at its share link', async () => {
  const cluster = (id, level, parent, name, size, accounts, position) => ({
    id, level, parent, name, summary: `People asked for help with ${name.toLowerCase()}.`,
    size, account_hashes: hashes(accounts, id.replace(/[^0-9a-f]/g, '')), position,
  });
  const submission = {
    title: 'Garden questions', facet: 'request',
    clusters: [
      cluster('top-a', 1, null, 'Grow food at home', 70, 40, [0, 0]),
      cluster('a1', 0, 'top-a', 'Plant tomatoes', 40, 25, [-1, 0.5]),
      cluster('a2', 0, 'top-a', 'Water vegetable beds', 30, 15, [-0.5, -1]),
      cluster('top-b', 1, null, 'Care for house plants', 30, 20, [2, 1]),
      cluster('b1', 0, 'top-b', 'Repot succulents', 30, 20, [2, 1]),
      cluster('b2', 0, 'top-b', 'Email ann.lee@example.com about orchids', 12, 12, [2.5, 1.5]),
    ],
  };
  const res = await fetch(`${kleio.url}/api/v1/dashboards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(submission) });
  assert.equal(res.status, 201);
  const published = await res.json();
  assert.deepEqual(published.removed.map((r) => r.id), ['b2']);

  // A fresh context: no cookies, no storage, only the link.
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${kleio.url}${published.url}`);
  await page.getByRole('heading', { name: 'Garden questions' }).waitFor({ timeout: 60_000 });
  await page.getByText(/read-only dashboard/).waitFor();
  const items = page.getByRole('region', { name: 'Top-level clusters' }).getByRole('listitem');
  assert.equal(await items.count(), 2);
  assert.match(await items.first().textContent(), /Grow food at home.*70 conversations/);
  assert.equal(await page.getByText(/ann\.lee/).count(), 0, 'the removed cluster is not shown');
  assert.equal(await page.locator('input[type=file]').count(), 0, 'no upload on a dashboard');
  const coloured = await page.getByLabel('Cluster map').evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
  assert.ok(coloured > 1000, `only ${coloured} drawn pixels`);
  await page.screenshot({ path: path.join(artifacts, 'dashboard.png'), fullPage: true });
  assert.deepEqual(errors, []);

  await page.goto(`${kleio.url}/d/AAAAAAAAAAAAAAAAAAAAAA`);
  await page.getByText(/404/).waitFor({ timeout: 30_000 });
  await context.close();
});
