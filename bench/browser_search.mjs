// Search by meaning in headless Chromium: the explorer's nearest-points
// search (window.wasmBindings.nearest) over N random unit vectors of 384
// dimensions (MiniLM's), the query embedded already; the best of five.
//   node bench/browser_search.mjs [N]        (default 100000)
import { startKleio, launch } from '../e2e/tests/browser.js';

const n = Number(process.argv[2] || 100_000);
const dim = 384;
const kleio = await startKleio();
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(kleio.url);
  await page.waitForFunction(() => window.wasmBindings && window.wasmBindings.nearest, null, { timeout: 120_000 });
  const result = await page.evaluate(([n, dim]) => {
    // A seeded generator, so every run searches the same points.
    let s = 12345;
    const next = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 - 0.5; };
    const unit = (v) => { const norm = Math.hypot(...v); return v.map((x) => x / norm); };
    const vectors = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) vectors.set(unit(Array.from({ length: dim }, next)), i * dim);
    const query = new Float32Array(unit(Array.from({ length: dim }, next)));
    const times = [];
    let hits;
    for (let round = 0; round < 5; round++) {
      const out = JSON.parse(window.wasmBindings.nearest(vectors, dim, query, 200));
      times.push(out.ms);
      hits = out.hits.length;
    }
    return { best_ms: Math.min(...times), times, hits };
  }, [n, dim]);
  console.log(JSON.stringify({ points: n, dim, ...result }));
} finally {
  await browser.close();
  kleio.stop();
}
