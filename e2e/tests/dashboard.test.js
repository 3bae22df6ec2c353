// Published dashboards: the proxy's gate removes what may not be shared,
// and the share link opens read-only in a fresh browser context, to be
// explored (map, tree, breakdowns, search) with its privacy report; the
// publisher's browser lists what it published and deletes it; a dashboard
// downloads as a static site that works with no proxy, and embeds in a page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startKleio, launch, artifacts, tempDir } from './browser.js';

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

/** Two top-level clusters of two children each, one child naming a person. */
function gardenSubmission() {
  const cluster = (id, level, parent, name, size, accounts, position) => ({
    id, level, parent, name, summary: `People asked for help with ${name.toLowerCase()}.`,
    size, account_hashes: hashes(accounts, id.replace(/[^0-9a-f]/g, '')), position,
  });
  return {
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
}

test('a published dashboard opens read-only at its share link', async () => {
  const submission = gardenSubmission();
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
  assert.match(await report.getByRole('row', { name: /level 0/ }).textContent(), /3 of 4.*1 cluster, 12 conversations \(1 for the privacy audit\)/);
  assert.equal(await page.getByText(/ann\.lee/).count(), 0, 'the removed cluster is not shown');
  assert.equal(await page.locator('input[type=file]').count(), 0, 'no upload on a dashboard');
  await page.getByRole('region', { name: 'Compare' }).getByText(/published without breakdowns/).waitFor();
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
    // A fully drawn disc pixel, away from the labels' dark text and white
    // halo, and inside its disc (so are the pixels a few steps around it),
    // not on an edge a click could miss.
    const drawn = (x, y) => {
      const i = 4 * (y * c.width + x);
      const [r, g, b, a] = [d[i], d[i + 1], d[i + 2], d[i + 3]];
      return a > 150 && Math.max(r, g, b) - Math.min(r, g, b) > 60;
    };
    const step = 4;
    for (let y = step; y < c.height - step; y += 3) {
      for (let x = step; x < c.width - step; x += 3) {
        if (drawn(x, y) && drawn(x - step, y) && drawn(x + step, y) && drawn(x, y - step) && drawn(x, y + step)) return [x / c.width, y / c.height];
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
  await panel.getByRole('heading', { name, exact: true }).waitFor();
  const language = panel.getByRole('figure', { name: 'Language' });
  assert.ok(await language.locator('.bar-row').count() >= 1);
  assert.match(await language.textContent(), /\d+% vs \d+%/);
  // Languages read by name; the dashboard itself carries their codes.
  const languages = await language.locator('.bar-label').allTextContents();
  assert.ok(languages.includes('English') && languages.every((l) => l === 'other' || /^[A-Z]/.test(l)), `${languages}`);
  await first.press('ArrowRight');
  assert.equal(await first.getAttribute('aria-expanded'), 'true');
  // The map selects too.
  const [mx, my] = await discPoint(shared);
  await shared.mouse.click(mx, my);
  await panel.getByRole('heading', { level: 2 }).waitFor();
  // Compare from the aggregates: a value's share against the dashboard's, and two means.
  const compare = shared.getByRole('region', { name: 'Compare' });
  await compare.getByLabel('Breakdown').selectOption('language');
  assert.match(await compare.textContent(), /\d+ of \d+ conversations with a value \(\d+\.\d %\) have/);
  await compare.getByLabel('Across').selectOption('turns');
  const dots = compare.getByRole('img', { name: 'Clusters by the means of two facets' }).locator('circle');
  assert.ok(await dots.count() >= 2, 'clusters placed by their means');
  // The last dot is drawn on top of any it overlaps.
  await dots.last().click();
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

/** A static host for a folder under a sub-path, as GitHub Pages serves a project, and one page more. */
function staticHost(dir, prefix, extraPage) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json', '.txt': 'text/plain' };
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://host');
    if (url.pathname === '/embed.html') { res.writeHead(200, { 'content-type': 'text/html' }); res.end(extraPage()); return; }
    if (!url.pathname.startsWith(prefix)) { res.writeHead(404); res.end(); return; }
    const name = url.pathname.slice(prefix.length) || 'index.html';
    try {
      const body = readFileSync(path.join(dir, path.normalize(name).replace(/^(\.\.[/\\])+/, '')));
      res.writeHead(200, { 'content-type': types[path.extname(name)] ?? 'application/octet-stream' });
      res.end(body);
    } catch { res.writeHead(404); res.end(); }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

test('a dashboard downloaded as a site opens from a static host with no proxy, and embeds in another page', { timeout: 180_000 }, async () => {
  const res = await fetch(`${kleio.url}/api/v1/dashboards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(gardenSubmission()) });
  const published = await res.json();

  const context = await browser.newContext({ acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: kleio.url });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${kleio.url}${published.url}`);
  const share = page.getByRole('region', { name: 'Share' });
  await share.waitFor({ timeout: 60_000 });
  const snippet = await share.getByLabel('Embed snippet').inputValue();
  assert.match(snippet, new RegExp(`^<iframe src="${kleio.url}/d/${published.id}" title="Garden questions \\(a Kleio dashboard\\)" width="100%" height="\\d+"`));
  await share.getByRole('button', { name: 'Copy snippet' }).click();
  await share.getByRole('status').getByText('Copied the snippet.').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), snippet);
  const [download] = await Promise.all([page.waitForEvent('download'), share.getByRole('link', { name: 'Download as a site' }).click()]);
  assert.equal(download.suggestedFilename(), `kleio-dashboard-${published.id}.zip`);
  const dir = tempDir();
  const zip = path.join(dir, 'site.zip');
  await download.saveAs(zip);
  execFileSync('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', zip, path.join(dir, 'site')]);
  writeFileSync(path.join(dir, 'embed.html'), `<!doctype html><title>A class page</title><h1>This week</h1>${snippet}`);
  const host = await staticHost(path.join(dir, 'site'), '/classroom/', () => readFileSync(path.join(dir, 'embed.html'), 'utf8'));
  try {
    // Someone opens the site on a static host: nothing is asked of the proxy.
    const reader = await browser.newContext();
    const site = await reader.newPage();
    site.on('pageerror', (e) => errors.push(e.message));
    const asked = [];
    site.on('request', (r) => asked.push(r.url()));
    await site.goto(`${host.url}/classroom/`);
    await site.getByRole('heading', { name: 'Garden questions' }).waitFor({ timeout: 60_000 });
    await site.getByText(/exported from Kleio/).waitFor();
    assert.equal(await site.getByRole('tree').getByRole('treeitem').count(), 2);
    await site.getByRole('table', { name: 'Withheld at each level' }).waitFor();
    assert.equal(await site.getByRole('region', { name: 'Share' }).count(), 0, 'nothing to share from a copy');
    assert.deepEqual(asked.filter((u) => !u.startsWith(host.url)), [], 'every request to the static host');
    await site.screenshot({ path: path.join(artifacts, 'dashboard-static-site.png'), fullPage: true });

    // A class page on another origin embeds the proxy's dashboard with the snippet.
    await site.goto(`${host.url}/embed.html`);
    await site.frameLocator('iframe').getByRole('heading', { name: 'Garden questions' }).waitFor({ timeout: 60_000 });
    await site.screenshot({ path: path.join(artifacts, 'dashboard-embedded.png'), fullPage: true });
    await reader.close();
  } finally {
    host.server.close();
  }
  assert.deepEqual(errors, []);
  await context.close();
});
