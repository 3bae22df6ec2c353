// The app end to end, through its page objects: upload, a run with progress
// per stage, the map, the tree, the panel, overlays, search, export,
// publish and the share link, a broken file; once on Chromium's WebGPU
// adapter and once without, each time naming the device the run used.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startKleio, launch, artifacts, tempDir } from './browser.js';
import { StartPage, Explorer, openStart } from './pages.js';

const root = path.resolve(import.meta.dirname, '../..');
let kleio;
const dir = tempDir();
// Small uploads: the first conversations of the demo dataset. The WebGPU run
// gets fewer, since Chromium's adapter here (SwiftShader) emulates a GPU on
// the CPU and embeds about 0.2 texts/s.
const demoRows = readFileSync(path.join(root, 'public/demo/demo.jsonl'), 'utf8').split('\n');
const sample = (n) => {
  const file = path.join(dir, `sample-${n}.jsonl`);
  writeFileSync(file, demoRows.slice(0, n).join('\n'));
  return file;
};
const broken = path.join(dir, 'broken.jsonl');
writeFileSync(broken, 'this is { not a dataset\n\u0000\u0001 binary');


before(async () => { kleio = await startKleio(); });
after(() => kleio?.stop());

for (const webgpu of [true, false]) {
  const name = webgpu ? 'webgpu' : 'cpu';
  test(`an uploaded file runs through every stage to a map and a tree (${name})`, { timeout: 900_000 }, async () => {
    const browser = await launch({ webgpu });
    try {
      const { page, errors, start } = await openStart(browser, kleio.url);
      await start.upload(sample(webgpu ? 30 : 90));
      const seen = await start.watchStages();
      assert.ok(seen.has('embedding'), `the embedding bar was never seen moving: ${[...seen.keys()]}`);
      const explorer = new Explorer(page);
      await explorer.waitForMap();
      const times = await explorer.stageTimes();
      for (const stage of ['import', 'facets', 'embedding', 'clustering', 'naming', 'hierarchy', 'projection', 'audit']) {
        assert.match(times, new RegExp(`${stage} \\d+\\.\\d s`), times);
      }
      const stats = await explorer.stats();
      assert.match(stats, webgpu ? /on GPU|on software GPU/ : /on CPU .* in \d+ Web Workers?/, stats);
      assert.ok(await explorer.colouredPixels() > 300);
      assert.ok(await explorer.treeItems().count() >= 2);
      await page.screenshot({ path: path.join(artifacts, `run-${name}.png`), fullPage: true });
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
}

test('the demo: tree selects the panel, overlays, search, export, publish and share', { timeout: 300_000 }, async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ acceptDownloads: true });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const res = await page.goto(kleio.url);
    assert.match(res.headers()['content-security-policy'], /default-src 'self'/);
    await page.getByText(/analyst: offline/).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Try the demo dataset' }).click();
    const explorer = new Explorer(page);
    await explorer.waitForMap();
    assert.ok(await explorer.colouredPixels() > 500);

    // Tree → panel, and keyboard navigation opens a branch.
    const first = explorer.treeItems().first();
    const name = (await first.locator('.name').textContent()).trim();
    await first.click();
    await explorer.panel().getByRole('heading', { name, exact: true }).waitFor();
    assert.equal(await first.getAttribute('aria-selected'), 'true');
    await first.press('ArrowRight');
    assert.equal(await first.getAttribute('aria-expanded'), 'true');
    await page.screenshot({ path: path.join(artifacts, 'demo-selected.png'), fullPage: true });

    // An overlay changes the colours.
    const before = await explorer.mapHash();
    await page.getByLabel('Colour by').selectOption('by:language');
    assert.notEqual(await explorer.mapHash(), before);

    // Search finds the selected cluster by a word of its name and selects it.
    const word = name.split(/\s+/).find((w) => w.length > 3) ?? name;
    await page.getByLabel('Search clusters').fill(word);
    const hit = page.getByRole('list', { name: 'Search results' }).getByRole('button').first();
    await hit.waitFor();
    await hit.click();

    // Exports.
    for (const [button, file] of [['Export JSON', 'kleio-analysis.json'], ['Export CSV', 'kleio-assignments.csv'], ['Export PNG', 'kleio-map.png']]) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
      assert.equal(download.suggestedFilename(), file);
      await download.saveAs(path.join(artifacts, file));
    }
    const exported = JSON.parse(readFileSync(path.join(artifacts, 'kleio-analysis.json'), 'utf8'));
    assert.ok(exported.clusters.length > 2);

    // Publish: what leaves is shown first, then the proxy's verdict and the link.
    await page.getByRole('button', { name: 'Prepare dashboard' }).click();
    await page.getByRole('region', { name: 'What will leave the browser' }).waitFor();
    await page.getByRole('button', { name: 'Send to the proxy' }).click();
    const link = page.getByRole('status').getByRole('link');
    await link.waitFor({ timeout: 60_000 });
    const url = await link.getAttribute('href');
    assert.match(url, /^\/d\/[A-Za-z0-9_-]{22}$/);
    const context = await browser.newContext();
    const shared = await context.newPage();
    await shared.goto(`${kleio.url}${url}`);
    await shared.getByText(/read-only dashboard/).waitFor({ timeout: 60_000 });
    assert.equal(await shared.locator('input[type=file]').count(), 0);
    await shared.screenshot({ path: path.join(artifacts, 'demo-shared.png'), fullPage: true });
    await context.close();
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('compare: clusters surely over and under a value\'s base rate, and placed by two facet means with where they disagree', { timeout: 120_000 }, async () => {
  const browser = await launch();
  try {
    const { page, errors } = await openStart(browser, kleio.url);
    await page.getByRole('button', { name: 'Try the demo dataset' }).click();
    const explorer = new Explorer(page);
    await explorer.waitForMap();
    const compare = page.getByRole('region', { name: 'Compare' });
    await compare.getByRole('combobox', { name: 'Facet', exact: true }).selectOption({ label: 'detected language' });
    const value = compare.getByRole('combobox', { name: 'Value', exact: true });
    // The demo holds a few non-English conversations; pick the most common of them.
    const second = await value.locator('option').nth(1).getAttribute('value');
    await value.selectOption(second);
    // With no minimum, every cluster whose whole interval lies off the base rate is listed, both ways.
    await compare.getByLabel('Fewest counted conversations').fill('1');
    await compare.getByLabel('Fewest counted conversations').dispatchEvent('change');
    const table = compare.getByRole('table', { name: 'Over-represented clusters' });
    const ratios = (await table.locator('tbody tr td:last-child').allTextContents()).map((t) => parseFloat(t));
    assert.ok(ratios.length >= 1, `rows: ${ratios}`);
    assert.ok(ratios.every((r) => r > 1), `over the base rate: ${ratios}`);
    const intervals = await table.locator('tbody tr td:nth-child(3)').allTextContents();
    for (const text of intervals) {
      const [, share, low, high] = text.match(/([\d.]+) % \(([\d.]+)–([\d.]+) %\)/).map(Number);
      assert.ok(low <= share && share <= high, text);
    }
    // A rare value is surely under in no cluster (too few conversations to tell
    // a share of zero from a few per cent); the most common one is, where the
    // other languages gather.
    const top = table.locator('tbody tr').first().getByRole('button');
    const under = compare.getByRole('table', { name: 'Under-represented clusters' });
    const first = await value.locator('option').first().getAttribute('value');
    await value.selectOption(first);
    assert.ok(await under.locator('tbody tr').count() >= 1, `some clusters hold ${first} surely less often than the data`);
    await value.selectOption(second);
    const name = (await top.textContent()).trim();
    await top.click();
    await explorer.panel().getByRole('heading', { name, exact: true }).waitFor();

    // Figure 8: mean concern across, mean turns up (the demo's own columns are mostly empty).
    await compare.getByRole('combobox', { name: 'Across', exact: true }).selectOption({ label: 'concern (facet)' });
    await compare.getByRole('combobox', { name: 'Up', exact: true }).selectOption({ label: 'turns' });
    const plot = compare.getByRole('img', { name: 'Clusters by the means of two facets' });
    const dots = plot.locator('circle');
    assert.ok(await dots.count() >= 3);
    // Circles may overlap; the event goes to the one asked for.
    await dots.nth(1).dispatchEvent('click');
    assert.equal(await plot.locator('circle.chosen').count(), 1);
    const title = await dots.nth(1).locator('title').textContent();
    await explorer.panel().getByRole('heading', { name: title.split(' (')[0], exact: true }).waitFor();
    assert.equal(await plot.locator('line.diagonal').count(), 1);
    const gaps = (await compare.getByRole('table', { name: 'Clusters where the measures disagree' }).locator('tbody tr td:last-child').allTextContents())
      .map((t) => Math.abs(parseFloat(t)));
    assert.ok(gaps.length >= 3 && gaps.every((g, i) => i === 0 || gaps[i - 1] >= g), `largest gap first: ${gaps}`);
    await compare.screenshot({ path: path.join(artifacts, 'compare.png') });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('touch: a pinch zooms the map and a tap selects; an exported analysis opens again; About names the licences', { timeout: 120_000 }, async () => {
  const browser = await launch();
  try {
    const { page, errors, start } = await openStart(browser, kleio.url);
    await page.getByText('About Kleio').click();
    const about = await page.locator('details.about').textContent();
    assert.match(about, /oasst1.*Apache License 2\.0/s);
    assert.match(about, /all-MiniLM-L6-v2 and all-mpnet-base-v2, Apache License 2\.0/);
    await page.getByRole('button', { name: 'Try the demo dataset' }).click();
    const explorer = new Explorer(page);
    await explorer.waitForMap();
    const before = await explorer.mapHash();
    // Two fingers move apart around the middle of the map.
    await explorer.map().evaluate((canvas) => {
      const r = canvas.getBoundingClientRect();
      const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
      const fire = (type, spread) => {
        const touches = [-1, 1].map((side, i) => new Touch({ identifier: i, target: canvas, clientX: cx + side * spread, clientY: cy }));
        canvas.dispatchEvent(new TouchEvent(type, { touches: type === 'touchend' ? [] : touches, changedTouches: touches, bubbles: true, cancelable: true }));
      };
      fire('touchstart', 20);
      for (let s = 30; s <= 120; s += 10) fire('touchmove', s);
      fire('touchend', 120);
    });
    assert.notEqual(await explorer.mapHash(), before, 'the pinch zoomed the map');
    await page.getByRole('button', { name: 'Reset zoom' }).click();
    assert.equal(await explorer.mapHash(), before);
    // A tap on a point selects its cluster, as a click does.
    const tapped = await explorer.map().evaluate((canvas) => {
      const ctx = canvas.getContext('2d');
      const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] > 0 && d[i] < 150 && d[i + 1] < 150) {
          const px = (i / 4) % canvas.width, py = Math.floor(i / 4 / canvas.width);
          const r = canvas.getBoundingClientRect();
          const t = new Touch({ identifier: 7, target: canvas, clientX: r.left + (px + 1) * r.width / canvas.width, clientY: r.top + (py + 1) * r.height / canvas.height });
          canvas.dispatchEvent(new TouchEvent('touchstart', { touches: [t], changedTouches: [t], bubbles: true, cancelable: true }));
          canvas.dispatchEvent(new TouchEvent('touchend', { touches: [], changedTouches: [t], bubbles: true, cancelable: true }));
          return true;
        }
      }
      return false;
    });
    assert.ok(tapped);
    await explorer.panel().getByRole('heading', { level: 2 }).waitFor({ timeout: 10_000 });

    // Export the analysis, then open the file as if uploaded.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const saved = path.join(dir, 'saved-analysis.json');
    await download.saveAs(saved);
    const stats = await explorer.stats();
    await page.reload();
    await start.open();
    await start.choose(saved);
    await explorer.waitForMap();
    assert.equal(await explorer.stats(), stats);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a reload in the middle of a run resumes from the work kept, and the finished run stays listed', { timeout: 600_000 }, async () => {
  const browser = await launch();
  try {
    const { page, errors, start } = await openStart(browser, kleio.url);
    await start.upload(sample(60));
    const interrupted = await start.interruptOnceEmbedding('sample-60.jsonl');
    assert.match(await interrupted.textContent(), /interrupted/);
    await interrupted.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('region', { name: 'Run progress' }).waitFor();
    // The 60 × 3 facet answers are all taken from what the first try kept, not asked again.
    await start.waitForStage('facets', /180 kept from an earlier try/, 60_000);
    const explorer = new Explorer(page);
    await explorer.waitForMap();
    const stats = await explorer.stats();
    await page.getByRole('button', { name: 'New run' }).click();
    const finished = start.earlierRun('sample-60.jsonl');
    await finished.getByRole('button', { name: 'Open' }).waitFor({ timeout: 30_000 });
    assert.match(await finished.textContent(), /finished: 60 conversations/);
    await finished.getByRole('button', { name: 'Open' }).click();
    await explorer.waitForMap();
    assert.equal(await explorer.stats(), stats, 'the kept result is the one the run made');
    await page.screenshot({ path: path.join(artifacts, 'earlier-runs.png'), fullPage: true });
    await page.getByRole('button', { name: 'New run' }).click();
    await start.earlierRun('sample-60.jsonl').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('region', { name: 'Earlier runs' }).getByText('None yet.').waitFor({ timeout: 30_000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('work kept by another version of Kleio is dropped on resume, not mixed into the result', { timeout: 600_000 }, async () => {
  const browser = await launch();
  try {
    const { page, errors, start } = await openStart(browser, kleio.url);
    await start.upload(sample(50));
    await start.interruptOnceEmbedding('sample-50.jsonl');
    // As an earlier build would have left it: the record names another build of the pipeline.
    await page.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open('kleio');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const tx = open.result.transaction('runs', 'readwrite');
        const runs = tx.objectStore('runs');
        const keys = runs.getAllKeys();
        keys.onsuccess = () => keys.result.forEach((key) => {
          const read = runs.get(key);
          read.onsuccess = () => runs.put(JSON.stringify({ ...JSON.parse(read.result), built_by: 'an-earlier-build' }), key);
        });
        tx.oncomplete = () => { open.result.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
      };
    }));
    await page.reload();
    const interrupted = start.earlierRun('sample-50.jsonl');
    await interrupted.waitFor({ timeout: 60_000 });
    assert.match(await interrupted.textContent(), /begun by another version of Kleio: resuming runs it again/);
    await interrupted.getByRole('button', { name: 'Resume' }).click();
    await page.getByText(/begun by another version of Kleio: the work it kept was dropped/).waitFor({ timeout: 60_000 });
    // Every facet answer is made again: none is taken from the earlier build's work.
    const facets = (await start.watchStages()).get('facets') ?? new Set();
    assert.ok(facets.size > 0, 'the facets stage was seen at work');
    assert.ok([...facets].every((text) => !/kept from an earlier try/.test(text)), [...facets].join('; '));
    const explorer = new Explorer(page);
    await explorer.waitForMap();
    assert.match(await explorer.stats(), /50 conversations/);
    await page.getByRole('button', { name: 'New run' }).click();
    // The run finishes and stays listed.
    const finished = start.earlierRun('sample-50.jsonl');
    await finished.getByRole('button', { name: 'Open' }).waitFor({ timeout: 30_000 });
    assert.match(await finished.textContent(), /finished: 50 conversations/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('configure: screener, facets with a custom question, account field, minimums and int8 arithmetic shape the run', { timeout: 600_000 }, async () => {
  const browser = await launch();
  try {
    const { page, errors, start } = await openStart(browser, kleio.url);
    await start.choose(sample(80));
    const ready = start.readyPanel();
    await ready.waitFor({ timeout: 30_000 });
    await ready.getByText(/80 conversations, 0 rows skipped/).waitFor({ timeout: 30_000 });
    assert.match(await ready.textContent(), /Cost: none\. The offline analyst runs in this browser/);
    // Without an open-text facet nothing can be clustered: the start is refused with the reason.
    await page.getByLabel('Request').uncheck();
    await page.getByLabel('Language').uncheck();
    assert.match(await ready.getByRole('alert').textContent(), /at least one open-text facet/);
    assert.ok(await page.getByRole('button', { name: 'Start the analysis' }).isDisabled());
    await page.getByLabel('Task').check();
    await page.getByLabel('Language').check();
    await page.getByLabel('Concern (1–5)').uncheck();
    await page.getByLabel('Screener question (optional)').fill('Does the conversation involve programming or code?');
    await page.getByLabel('Screener question (optional)').press('Tab');
    await page.getByLabel('Custom question').fill('Which kind of work is it?');
    await page.getByLabel('Custom question').press('Tab');
    await page.getByLabel('Answer kind').selectOption('category');
    await page.getByLabel('Categories').fill('code, writing, other');
    await page.getByLabel('Categories').press('Tab');
    await page.getByLabel('Accounts per cluster').fill('2');
    await page.getByLabel('Accounts per cluster').press('Tab');
    await page.getByLabel('Account field').fill('no_such_field');
    await page.getByLabel('Account field').press('Tab');
    await ready.getByText(/each conversation counts as its own account/).waitFor();
    await page.getByLabel('Arithmetic on the CPU').selectOption('int8');
    await page.screenshot({ path: path.join(artifacts, 'configure.png'), fullPage: true });
    await page.getByRole('button', { name: 'Start the analysis' }).click();
    const explorer = new Explorer(page);
    await explorer.waitForMap();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const file = path.join(dir, 'configured.json');
    await download.saveAs(file);
    const analysis = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(analysis.params.facets.map((f) => f.id), ['task', 'language', 'custom']);
    assert.deepEqual(analysis.params.facets[2].kind, { kind: 'category', options: ['code', 'writing', 'other'] });
    assert.equal(analysis.params.privacy.min_accounts, 2);
    assert.ok(analysis.screened_out > 0 && analysis.conversations.length > 0, `screened out ${analysis.screened_out}`);
    assert.equal(analysis.conversations.length + analysis.screened_out, 80);
    assert.ok(analysis.conversations.every((c) => ['code', 'writing', 'other'].includes(c.answers.custom)), 'every answer is one of the categories');
    assert.equal(analysis.accounts_known, false);
    // Chromium has relaxed SIMD, so the embedding workers took the int8 option.
    assert.match(analysis.embedder, /^all-MiniLM-L6-v2 on CPU .* with int8 products in \d+ Web Workers?$/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a broken file gives a clear error and can be replaced', { timeout: 120_000 }, async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const start = new StartPage(page, kleio.url);
    await start.open();
    await start.choose(broken);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 60_000 });
    assert.match(await alert.textContent(), /broken\.jsonl: the file could not be imported/);
    assert.equal(await page.getByLabel('Upload dataset').count(), 1, 'the start is still there');
  } finally {
    await browser.close();
  }
});
