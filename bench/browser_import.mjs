// Reads Parquet files in headless Chromium through wasmBindings.read_file (the
// app's own reader: the footer, then only the row groups a read needs, by
// Blob.slice), with the page's renderer process's peak resident memory.
//   node bench/browser_import.mjs WHOLE.parquet LARGE.parquet SAMPLE_SIZE OUT.json
// WHOLE is read whole (rows/s, the best of two reads in one page); LARGE is
// sampled once in a fresh browser (seconds and peak memory). Run by bench/run.
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { startKleio, launch } from '../e2e/tests/browser.js';

const [whole, large, sampleSize, out] = process.argv.slice(2);

/** The largest peak resident size (VmHWM, MB) of any Chromium renderer now running. */
function rendererPeakMb() {
  let peak = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      peak = Math.max(peak, kb / 1024);
    } catch { /* the process ended meanwhile */ }
  }
  return Math.round(peak);
}

/** Opens the app in a fresh browser and reads `file` with `options` `times` times. */
async function read(kleio, file, options, times) {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(kleio.url);
    await page.waitForFunction(() => window.wasmBindings?.read_file, null, { timeout: 60_000 });
    await page.evaluate(() => {
      const input = Object.assign(document.createElement('input'), { type: 'file', id: 'bench-file' });
      document.body.append(input);
    });
    await page.setInputFiles('#bench-file', file);
    const loadedMb = rendererPeakMb();
    const reads = [];
    for (let i = 0; i < times; i++) {
      reads.push(JSON.parse(await page.evaluate((o) => window.wasmBindings.read_file(document.getElementById('bench-file').files[0], o), JSON.stringify(options))));
    }
    return { reads, loadedMb, peakMb: rendererPeakMb() };
  } finally {
    await browser.close();
  }
}

const kleio = await startKleio();
try {
  const all = await read(kleio, whole, { keep_duplicates: true }, 2);
  const best = Math.min(...all.reads.map((r) => r.ms));
  const rows = all.reads[0].report.rows_read;
  const sample = await read(kleio, large, { sample: { size: Number(sampleSize), seed: 1 }, keep_duplicates: true }, 1);
  const s = sample.reads[0];
  const result = {
    whole_rows: rows, whole_mb: +(statSync(whole).size / 1e6).toFixed(1), browser_rows_per_s: Math.round(rows / (best / 1000)),
    large_rows: s.report.sampled.rows_in_file, large_mb: +(statSync(large).size / 1e6).toFixed(1), sample: s.report.rows_read,
    row_groups: s.report.sampled.row_groups ?? null, sample_s: +(s.ms / 1000).toFixed(2),
    renderer_loaded_mb: sample.loadedMb, renderer_peak_mb: sample.peakMb,
  };
  console.log(`parquet import in Chromium (the app's reader): ${rows} rows (${result.whole_mb} MB) at ${result.browser_rows_per_s} rows/s; `
    + `a seeded sample of ${result.sample} from ${result.large_rows} rows (${result.large_mb} MB`
    + `${result.row_groups ? `, ${result.row_groups.read} of ${result.row_groups.in_file} row groups read` : ''}) in ${result.sample_s} s, `
    + `renderer peak ${result.renderer_peak_mb} MB (${result.renderer_loaded_mb} MB with the app loaded, before the read)`);
  writeFileSync(out, JSON.stringify(result));
} finally {
  kleio.stop();
}
