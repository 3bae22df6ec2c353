// Public datasets as they are published, opened in the browser: a Parquet
// file and a gzip-compressed JSON Lines file run to the map; a sample of a
// Parquet file reads only the row groups it draws from; a layout Kleio
// does not know is read once its columns are named; a cut-off file shows
// what went wrong and keeps the rows before it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { startKleio, launch, artifacts, tempDir } from './browser.js';
import { Explorer, openStart } from './pages.js';

const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(root, 'core/tests/data');
const dir = tempDir();
let kleio;

before(async () => { kleio = await startKleio(); });
after(() => kleio?.stop());


for (const name of ['wildchat.zstd.parquet', 'wildchat.jsonl.gz']) {
  test(`${name} opens as it is published and runs to the map`, { timeout: 600_000 }, async () => {
    const browser = await launch();
    try {
      const { page, errors, start } = await openStart(browser, kleio.url);
      await start.choose(path.join(fixtures, name));
      const ready = start.readyPanel();
      await ready.waitFor({ timeout: 60_000 });
      // 41 rows: one without a user message; copies of a request counted once.
      await ready.getByText(/\d+ conversations, 1 rows skipped; accounts known\. \d+ exact copies counted once/).waitFor({ timeout: 30_000 });
      const table = page.getByRole('table', { name: "The file's first rows" });
      assert.match(await table.textContent(), /conversation_hash.*wc00000/s);
      await page.screenshot({ path: path.join(artifacts, `import-${name}.png`), fullPage: true });
      // Every row, copies included: enough conversations for a hierarchy.
      await page.getByLabel(/Keep exact copies/).check();
      await ready.getByText(/40 conversations, 1 rows skipped/).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Start the analysis' }).click();
      const explorer = new Explorer(page);
      await explorer.waitForMap();
      assert.ok(await explorer.treeItems().count() >= 1);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
      const file = path.join(dir, `${name}.json`);
      await download.saveAs(file);
      const analysis = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(analysis.import.format, name.endsWith('.parquet') ? 'parquet' : 'json_lines');
      assert.equal(analysis.import.duplicates_dropped, 0);
      assert.equal(analysis.conversations.length, 40);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
}

test('a sample of a Parquet file reads only the row groups it draws from, and its run resumes after a reload without the file', { timeout: 600_000 }, async () => {
  const browser = await launch();
  try {
    const { page, errors, start } = await openStart(browser, kleio.url);
    await start.choose(path.join(fixtures, 'wildchat.snappy.parquet'));
    const ready = start.readyPanel();
    // The footer alone gives the rows and the row groups (16 rows each).
    await ready.getByText('41 rows in 3 row groups').waitFor({ timeout: 60_000 });
    await page.getByRole('checkbox', { name: /Analyse a sample/ }).check();
    await page.getByLabel('Sample size').fill('2');
    await page.getByLabel('Sample size').press('Tab');
    await ready.getByText(/A sample of 2 of 41 rows \(seed \d+, drawn from 1 of its 3 row groups\)/).waitFor({ timeout: 30_000 });
    // Every row instead, copies kept: enough for a hierarchy, and a run to interrupt.
    await page.getByRole('checkbox', { name: /Analyse a sample/ }).uncheck();
    await page.getByLabel(/Keep exact copies/).check();
    await ready.getByText(/40 conversations, 1 rows skipped/).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Start the analysis' }).click();
    // The run kept the conversations it read, not the file: it resumes without it.
    const interrupted = await start.interruptOnceEmbedding('wildchat.snappy.parquet');
    await interrupted.getByRole('button', { name: 'Resume' }).click();
    await start.waitForStage('facets', /kept from an earlier try/, 60_000);
    const explorer = new Explorer(page);
    await explorer.waitForMap();
    assert.match(await explorer.stats(), /40 conversations/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a layout Kleio does not know is read once its columns are named', { timeout: 600_000 }, async () => {
  const rows = readFileSync(path.join(root, 'public/demo/demo.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 40).map((l, i) => {
    const r = JSON.parse(l);
    return JSON.stringify({ body: r.messages[0].content, who: `person-${i % 7}`, when: '2024-05-01T10:00:00Z' });
  });
  const file = path.join(dir, 'unknown-layout.jsonl');
  writeFileSync(file, rows.join('\n'));
  const browser = await launch();
  try {
    const { page, errors, start } = await openStart(browser, kleio.url);
    await start.choose(file);
    const ready = start.readyPanel();
    await ready.waitFor({ timeout: 60_000 });
    assert.match(await ready.getByRole('alert').textContent(), /no conversation found/);
    assert.match(await page.getByRole('table', { name: "The file's first rows" }).textContent(), /body.*when.*who/s);
    assert.ok(await page.getByRole('button', { name: 'Start the analysis' }).isDisabled());
    await page.getByLabel('Text field').fill('body');
    await page.getByLabel('Text field').press('Tab');
    await page.getByLabel('Account field').fill('who');
    await page.getByLabel('Account field').press('Tab');
    await page.getByLabel('Time field').fill('when');
    await page.getByLabel('Time field').press('Tab');
    await ready.getByText(/40 conversations, 0 rows skipped; accounts known/).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(artifacts, 'import-columns.png'), fullPage: true });
    await page.getByRole('button', { name: 'Start the analysis' }).click();
    await new Explorer(page).waitForMap();
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a cut-off download says so and keeps the rows before the cut', { timeout: 120_000 }, async () => {
  const lines = readFileSync(path.join(fixtures, 'wildchat.jsonl'));
  const gz = gzipSync(lines);
  const file = path.join(dir, 'cut.jsonl.gz');
  writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.6)));
  const parquet = readFileSync(path.join(fixtures, 'wildchat.snappy.parquet'));
  const cutParquet = path.join(dir, 'cut.parquet');
  writeFileSync(cutParquet, parquet.subarray(0, Math.floor(parquet.length * 0.6)));
  const browser = await launch();
  try {
    const { page, start } = await openStart(browser, kleio.url);
    await start.choose(file);
    const ready = start.readyPanel();
    await ready.waitFor({ timeout: 60_000 });
    assert.match(await ready.getByRole('alert').textContent(), /Only part of the file could be read \(the gzip stream is damaged or cut off/);
    await ready.getByText(/\d+ conversations/).waitFor({ timeout: 30_000 });
    assert.ok(await page.getByRole('button', { name: 'Start the analysis' }).isEnabled(), 'the rows read can still be analysed');
    await page.getByRole('button', { name: 'Choose another file' }).click();
    await start.choose(cutParquet);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 60_000 });
    assert.match(await alert.textContent(), /cut\.parquet: the Parquet file cannot be read: .*cut off/);
  } finally {
    await browser.close();
  }
});
