// The app end to end in headless Chromium; see bench/app-e2e.
// 1. N conversations from ../shared/data, chosen through "Upload dataset" and
//    analysed with the offline analyst and MiniLM on the CPU backend: the
//    time from choosing the file to the drawn map, and each stage's time,
//    and the page's long tasks meanwhile (the Long Tasks API: every task of
//    over 50 ms on the page's thread, with the stage that was open when it
//    was reported).
//    CLUSTER (optional, e.g. "task" or "task,language") names built-in
//    open-text facets clustered besides the request, each into its own
//    hierarchy from the same run.
// 2. A map of POINTS conversations (the demo analysis, copied with jitter,
//    opened as an exported analysis): frame times while dragging it.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startKleio, launch, tempDir } from '../e2e/tests/browser.js';

const root = path.resolve(import.meta.dirname, '..');
const [n, points] = [parseInt(process.argv[2] ?? '10000', 10), parseInt(process.argv[3] ?? '100000', 10)];
const alsoClustered = (process.argv[4] ?? '').split(',').filter(Boolean);
const facetLabel = (id) => id[0].toUpperCase() + id.slice(1);
const dir = tempDir();

// Round-robin over four datasets, so the mix does not depend on N.
const sources = ['banking77/normalized/test.jsonl', 'hwu64/normalized/all-00000.jsonl', 'arena_hard_prompts/normalized/arena-hard-v2.0.jsonl',
  'oasst1_en_validation/normalized/conversations.jsonl', 'banking77/normalized/train.jsonl', 'hwu64/normalized/all-00001.jsonl']
  .map((f) => readFileSync(path.join(root, '../shared/data', f), 'utf8').split('\n').filter((l) => l.trim()));
const rows = [];
for (let i = 0; rows.length < n && sources.some((s) => i < s.length); i++) {
  for (const s of sources) if (i < s.length && rows.length < n) rows.push(s[i]);
}
const dataset = path.join(dir, `bench-${rows.length}.jsonl`);
writeFileSync(dataset, rows.join('\n'));

const demo = JSON.parse(readFileSync(path.join(root, 'dist/demo/analysis.json'), 'utf8'));
const placed = demo.conversations.filter((c) => c.position);
const conversations = [];
for (let i = 0; i < points; i++) {
  const c = placed[i % placed.length];
  const jitter = () => (Math.sin(i * 12.9898 + conversations.length) * 43758.5453 % 1) * 0.3;
  conversations.push({ ...c, id: `${c.id}-${i}`, position: [c.position[0] + jitter(), c.position[1] + jitter()] });
}
const big = path.join(dir, `map-${points}.json`);
writeFileSync(big, JSON.stringify({ ...demo, conversations }));

/** Records the page's long tasks in `window.kleioLongTasks`, from before the app loads. */
function observeLongTasks() {
  window.kleioLongTasks = [];
  new PerformanceObserver((list) => {
    const open = [...document.querySelectorAll('.stages li')].find((li) => !/done in|waiting/.test(li.textContent));
    const status = document.querySelector('[aria-label="Run progress"] [role=status]')?.textContent;
    const during = open?.querySelector('.stage-name')?.textContent ?? (document.querySelector('[aria-label="Cluster map"]') ? 'the explorer' : status || 'before the run');
    for (const task of list.getEntries()) window.kleioLongTasks.push({ ms: task.duration, at: task.startTime - window.kleioChosenAt, during });
  }).observe({ type: 'longtask' });
}

/** Part 1: choose the dataset, start, wait for the map; then back to the start. */
async function fileToMap(page) {
  await page.evaluate(() => { window.kleioLongTasks = []; window.kleioChosenAt = performance.now(); });
  const started = Date.now();
  await page.getByLabel('Upload dataset').setInputFiles(dataset);
  for (const facet of alsoClustered) {
    await page.getByLabel(facetLabel(facet), { exact: true }).check();
    await page.getByRole('group', { name: 'Facets to cluster' }).getByRole('button', { name: facetLabel(facet), exact: true }).click();
  }
  await page.getByRole('button', { name: 'Start the analysis' }).click();
  await page.getByLabel('Cluster map').waitFor({ timeout: 4 * 3600_000 });
  const total = (Date.now() - started) / 1000;
  const stages = await page.getByLabel('Stage times').textContent();
  const clustered = ['request', ...alsoClustered].join(' and ');
  console.log(`app, ${rows.length} conversations, offline analyst, MiniLM on the CPU, clustered by ${clustered}: file to map ${total.toFixed(1)} s; ${stages}`);
  // The explorer's first paint ends the run; a second more catches its tasks.
  await page.waitForTimeout(1000);
  const tasks = (await page.evaluate(() => window.kleioLongTasks)).sort((a, b) => b.ms - a.ms);
  const sum = tasks.reduce((t, x) => t + x.ms, 0);
  const worst = tasks.slice(0, 8).map((t) => `${t.ms.toFixed(0)} ms (${t.during}, ${(t.at / 1000).toFixed(1)} s after the file was chosen)`).join(', ');
  console.log(`  the page's thread: ${tasks.length} tasks over 50 ms, ${(sum / 1000).toFixed(1)} s in all; the longest: ${worst || 'none'}`);

  await page.getByRole('button', { name: 'New run' }).click();
}

const kleio = await startKleio();
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.addInitScript(observeLongTasks);
  await page.goto(kleio.url);
  await page.getByLabel('Upload dataset').waitFor({ timeout: 60_000 });
  await page.getByLabel('Device').selectOption('cpu');
  if (rows.length > 0) await fileToMap(page);
  if (points > 0) {
    const opened = Date.now();
    await page.getByLabel('Upload dataset').setInputFiles(big);
    await page.getByLabel('Cluster map').waitFor({ timeout: 600_000 });
    const openSeconds = (Date.now() - opened) / 1000;
    const frames = await page.getByLabel('Cluster map').evaluate(async (canvas) => {
      const r = canvas.getBoundingClientRect();
      const at = (type, dx) => canvas.dispatchEvent(new MouseEvent(type, { clientX: r.left + r.width / 2 + dx, clientY: r.top + r.height / 2, bubbles: true }));
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      at('mousedown', 0);
      await frame();
      const times = [];
      let last = performance.now();
      for (let i = 1; i <= 120; i++) {
        at('mousemove', (i % 40) * 4);
        await frame();
        const now = performance.now();
        times.push(now - last);
        last = now;
      }
      at('mouseup', 0);
      return times;
    });
    frames.sort((a, b) => a - b);
    const pct = (p) => frames[Math.min(frames.length - 1, Math.floor(p * frames.length))].toFixed(1);
    console.log(`app, a ${points}-point map (opened in ${openSeconds.toFixed(1)} s): frame time while dragging p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, max ${frames[frames.length - 1].toFixed(1)} ms over ${frames.length} frames`);
  }
} finally {
  await browser.close();
  kleio.stop();
}
