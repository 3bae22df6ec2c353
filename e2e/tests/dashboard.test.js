// Published dashboards: the proxy's gate removes what may not be shared,
// and the share link opens read-only in a fresh browser context, to be
// explored (map, tree, breakdowns, search) with its privacy report; the
// publisher's browser lists what it published and deletes it.
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
  const items = page.getByRole('tree').getByRole('treeitem');
  assert.equal(await items.count(), 2, 'the top level, closed');
  assert.match(await items.first().textContent(), /Grow food at home 70 · 70\.0%/);
  // The proxy's report counts what it withheld, and names none of it.
  const report = page.getByRole('table', { name: 'Withheld at each level' });
  assert.match(await report.getByRole('row', { name: /level 0/ }).textContent(), /3 of 4.*1 clusters, 12 conversations \(1 for the privacy audit\)/);
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

/** A point of the map's canvas where a disc is drawn, as page coordinates. */
async function discPoint(page) {
  const canvas = page.getByLabel('Cluster map');
  const box = await canvas.boundingBox();
  const at = await canvas.evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    // A fully drawn disc pixel, away from the labels' dark text and white halo.
    for (let y = 0; y < c.height; y += 3) {
      for (let x = 0; x < c.width; x += 3) {
        const i = 4 * (y * c.width + x);
        const [r, g, b, a] = [d[i], d[i + 1], d[i + 2], d[i + 3]];
        if (a > 150 && Math.max(r, g, b) - Math.min(r, g, b) > 60) return [x / c.width, y / c.height];
      }
    }
    return null;
  });
  assert.ok(at, 'a disc on the map');
  return [box.x + at[0] * box.width, box.y + at[1] * box.height];
}

test('a run published from the app: the minimums previewed, the dashboard explored in a fresh context, its report, deleted from the list', { timeout: 300_000 }, async () => {
  const owner = await browser.newContext();
  const page = await owner.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(kleio.url);
  await page.getByRole('button', { name: 'Try the demo dataset' }).click();
  await page.getByLabel('Cluster map').waitFor({ timeout: 120_000 });
  await page.getByRole('button', { name: 'Prepare dashboard' }).click();
  const minimums = page.getByRole('table', { name: 'What each minimum keeps' });
  const clustersAt = async (name) => Number(await minimums.getByRole('row', { name }).getByRole('cell').first().textContent());
  const previewed = await clustersAt(/this run's/);
  const stricter = await clustersAt(/^25 accounts/);
  assert.ok(previewed > 0, "the run's own minimum keeps clusters");
  assert.ok(stricter <= previewed, 'a stricter minimum keeps no more');
  await page.screenshot({ path: path.join(artifacts, 'publish-preview.png'), fullPage: true });
  await page.getByRole('button', { name: 'Send to the proxy' }).click();
  const link = page.getByRole('status').getByRole('link');
  await link.waitFor({ timeout: 60_000 });
  const url = await link.getAttribute('href');

  // Someone else, with only the link.
  const reader = await browser.newContext();
  const shared = await reader.newPage();
  shared.on('pageerror', (e) => errors.push(e.message));
  await shared.goto(`${kleio.url}${url}`);
  await shared.getByText(/read-only dashboard/).waitFor({ timeout: 60_000 });
  // The report's clusters shown, level by level, add up to what the preview said the run's minimum keeps.
  const rows = shared.getByRole('table', { name: 'Withheld at each level' }).getByRole('row', { name: /level \d+/ });
  let shown = 0;
  for (const row of await rows.all()) shown += Number((await row.getByRole('cell').first().textContent()).match(/^(\d+) of/)[1]);
  assert.equal(shown, previewed);
  await shared.screenshot({ path: path.join(artifacts, 'dashboard-report.png'), fullPage: true });

  // Zoom until the labels are a lower level's.
  const labels = async () => (await shared.getByRole('list', { name: 'Labels on the map' }).getByRole('listitem').allTextContents()).sort().join('|');
  const top = await labels();
  const [x, y] = await discPoint(shared);
  await shared.mouse.move(x, y);
  for (let i = 0; i < 4 && (await labels()) === top; i++) await shared.mouse.wheel(0, -400);
  assert.notEqual(await labels(), top, 'a deeper level is labelled after zooming in');
  await shared.screenshot({ path: path.join(artifacts, 'dashboard-zoomed.png'), fullPage: true });
  await shared.getByRole('button', { name: 'Reset zoom' }).click();

  // The tree selects, and the panel draws the breakdowns against the dashboard's.
  const first = shared.getByRole('tree').getByRole('treeitem').first();
  const name = (await first.locator('.name').textContent()).trim();
  await first.click();
  const panel = shared.getByRole('region', { name: 'Cluster details' });
  await panel.getByRole('heading', { name }).waitFor();
  const language = panel.getByRole('figure', { name: 'Language' });
  assert.ok(await language.locator('.bar-row').count() >= 1);
  assert.match(await language.textContent(), /\d+% vs \d+%/);
  await first.press('ArrowRight');
  assert.equal(await first.getAttribute('aria-expanded'), 'true');
  // The map selects too.
  const [mx, my] = await discPoint(shared);
  await shared.mouse.click(mx, my);
  await panel.getByRole('heading', { level: 2 }).waitFor();
  // Search over names and summaries.
  const word = name.split(/\s+/).find((w) => w.length > 3) ?? name;
  await shared.getByLabel('Search clusters').fill(word);
  await shared.getByRole('list', { name: 'Search results' }).getByRole('button').first().click();
  await panel.getByRole('heading', { level: 2 }).waitFor();
  await shared.screenshot({ path: path.join(artifacts, 'dashboard-selected.png'), fullPage: true });

  // The publisher deletes it from the start page's list; the link is gone.
  await page.getByRole('button', { name: 'New run' }).click();
  const list = page.getByRole('region', { name: 'Published dashboards' });
  await list.getByRole('link', { name: 'Kleio demo' }).waitFor({ timeout: 30_000 });
  await list.getByRole('button', { name: 'Delete dashboard' }).click();
  await list.getByText(/None yet/).waitFor({ timeout: 30_000 });
  const gone = await fetch(`${kleio.url}/api/v1/dashboards/${url.split('/').pop()}`);
  assert.equal(gone.status, 404);
  assert.deepEqual(errors, []);
  await owner.close();
  await reader.close();
});
