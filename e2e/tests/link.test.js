// Opening a dataset by its link: the browser fetches the file itself (the
// proxy never does), with progress and Cancel; a site that does not allow
// other sites to read its files, and a site the proxy's policy does not
// list, are refused with a message that says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startKleio, launch, artifacts } from './browser.js';
import { StartPage } from './pages.js';

const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(root, 'core/tests/data');
let kleio;
const servers = {};

/** A static file server for the fixtures, with or without CORS; /slow/NAME trickles the file. */
function fileServer({ cors }) {
  const server = createServer((req, res) => {
    const slow = req.url.startsWith('/slow/');
    const name = path.basename(req.url.split('?')[0]);
    let body;
    try { body = readFileSync(path.join(fixtures, name)); } catch { res.writeHead(404); res.end('not found'); return; }
    const headers = { 'content-type': 'application/octet-stream', 'content-length': String(slow ? body.length * 1000 : body.length) };
    if (cors) headers['access-control-allow-origin'] = '*';
    res.writeHead(200, headers);
    if (!slow) { res.end(body); return; }
    // A large file arriving slowly: a chunk every 100 ms until the client goes.
    const timer = setInterval(() => res.write(body), 100);
    res.on('close', () => clearInterval(timer));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

before(async () => {
  servers.cors = await fileServer({ cors: true });
  servers.plain = await fileServer({ cors: false });
  kleio = await startKleio({ env: { KLEIO_DATASET_ORIGINS: `${servers.cors.url} ${servers.plain.url}` } });
});
after(() => {
  kleio?.stop();
  for (const s of Object.values(servers)) s.server.close();
});

async function openLink(page, url) {
  await page.getByLabel('Open a link').fill(url);
  await page.getByRole('button', { name: 'Open link' }).click();
}

test('a link to a file on an allowed site opens like an upload; elsewhere it is refused with the reason', { timeout: 180_000 }, async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const start = new StartPage(page, kleio.url);
    await start.open();

    await openLink(page, `${servers.cors.url}/files/wildchat.snappy.parquet`);
    const ready = start.readyPanel();
    await ready.waitFor({ timeout: 60_000 });
    assert.match(await ready.getByRole('heading').textContent(), /wildchat\.snappy\.parquet/);
    await ready.getByText(/\d+ conversations, 1 rows skipped; accounts known/).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Choose another file' }).click();

    await openLink(page, `${servers.plain.url}/files/wildchat.jsonl.gz`);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });
    assert.match(await alert.textContent(), /wildchat\.jsonl\.gz: .*no CORS header/);

    await openLink(page, 'https://datasets.example.org/wildchat.parquet');
    await page.getByRole('alert').filter({ hasText: 'opens links only from' }).waitFor({ timeout: 10_000 });
    assert.match(await page.getByRole('alert').textContent(), new RegExp(`opens links only from ${servers.cors.url.replace(/[.:/]/g, '\\$&')}`));

    // A download under way shows its bytes and rows and can be cancelled.
    await openLink(page, `${servers.cors.url}/slow/wildchat.jsonl`);
    const download = page.getByRole('status', { name: 'Download' });
    await download.waitFor({ timeout: 30_000 });
    // Bytes arrive, "0.2 MB of 41.0 MB", and JSON Lines rows as lines, "about 82 rows", counting up.
    await page.waitForFunction(() => {
      const text = document.querySelector('.download')?.textContent ?? '';
      const m = text.match(/([\d.]+) MB of ([\d.]+) MB/);
      const rows = text.match(/about (\d+) rows/);
      return m && Number(m[1]) > 0 && Number(m[2]) > 40 && rows && Number(rows[1]) >= 41;
    }, null, { timeout: 30_000 });
    await page.screenshot({ path: path.join(artifacts, 'open-link-download.png'), fullPage: true });
    await page.getByRole('button', { name: 'Cancel download' }).click();
    await page.getByRole('alert').filter({ hasText: 'cancelled' }).waitFor({ timeout: 10_000 });
    assert.equal(await download.count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
