// k-means and the 2-D layout in headless Chromium: Kleio's WebAssembly
// (window.wasmBindings.kmeans / .layout, what a run in the app uses) against
// umap-js and the WebAssembly UMAP of the embedding-atlas package, on the
// same vectors, in the same page. See bench/run.
//   node bench/browser_cluster.mjs DIM OUTDIR KS ITERATIONS FILE...
// Each FILE is raw f32 vectors; OUTDIR receives each layout (raw f32, x y per
// point) for bench/score_layouts.py, and results.json with the timings.
// KLEIO_BENCH_WEBGPU=1 gives Chromium a WebGPU adapter and asks Kleio for it.
import { createReadStream, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { startKleio, launch } from '../e2e/tests/browser.js';

const [dim, outDir, ks, iterations, ...files] = process.argv.slice(2);
const here = import.meta.dirname;
const peers = {
  '/umap-js.js': path.join(here, 'node_modules/umap-js/lib/umap-js.min.js'),
  '/embedding-atlas/': path.join(here, 'node_modules/embedding-atlas/dist/'),
};
const webgpu = process.env.KLEIO_BENCH_WEBGPU === '1';
const device = webgpu ? 'gpu' : 'cpu';
const minutes = Number(process.env.KLEIO_BENCH_PEER_MINUTES || 30);
mkdirSync(outDir, { recursive: true });

const kleio = await startKleio();
// The vectors and the peers' files come from a server of the benchmark's own:
// handing 150 MB through the browser's debugging protocol crashes the page.
const filesServer = createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost').pathname;
  const send = (file, type) => {
    res.writeHead(200, { 'content-type': type, 'access-control-allow-origin': '*' });
    createReadStream(file).pipe(res);
  };
  if (url.startsWith('/vectors/')) return send(files[Number(url.split('/').pop())], 'application/octet-stream');
  for (const [prefix, file] of Object.entries(peers)) {
    if (url === prefix) return send(file, 'text/javascript');
    if (prefix.endsWith('/') && url.startsWith(prefix)) return send(path.join(file, path.basename(url)), 'text/javascript');
  }
  res.writeHead(404, { 'access-control-allow-origin': '*' });
  res.end('not a benchmark file');
});
await new Promise((resolve) => filesServer.listen(0, '127.0.0.1', resolve));
const filesUrl = `http://127.0.0.1:${filesServer.address().port}`;
const browser = await launch({ webgpu });
const results = [];
try {
  // The app's content security policy allows only its own origin; the benchmark's files come from another.
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  page.setDefaultTimeout(minutes * 60_000);
  await page.goto(kleio.url);
  await page.waitForFunction(() => window.wasmBindings?.layout, null, { timeout: 120_000 });
  await page.addScriptTag({ url: `${filesUrl}/umap-js.js` });
  const agent = await browser.version();
  console.log(`Chromium ${agent}, ${webgpu ? 'with a WebGPU adapter' : 'no GPU'}`);

  for (const [f, file] of files.entries()) {
    const n = readFileSync(file).length / 4 / Number(dim);
    await page.evaluate(async (url) => {
      window.benchVectors = new Float32Array(await (await fetch(url)).arrayBuffer());
    }, `${filesUrl}/vectors/${f}`);
    for (const k of ks.split(',').map(Number)) {
      const r = await page.evaluate(async ([d, k, it, dev]) => {
        const start = performance.now();
        const out = JSON.parse(await window.wasmBindings.kmeans(window.benchVectors, d, k, it, 0, dev));
        return { ms: performance.now() - start, device: out.device, iterations: out.iterations, inertia: out.inertia };
      }, [Number(dim), k, Number(iterations), device]);
      results.push({ what: 'kmeans', n, k, tool: 'kleio', seconds: r.ms / 1000, iterations: r.iterations, inertia: r.inertia, device: r.device });
      console.log(`browser kmeans n=${n} k=${k}: kleio ${(r.ms / 1000).toFixed(2)} s (${r.iterations} it, inertia ${r.inertia.toFixed(1)}) on ${r.device}`);
    }
    const layouts = {
      kleio: async ([d, dev]) => {
        const start = performance.now();
        const out = JSON.parse(await window.wasmBindings.layout(window.benchVectors, d, 0, dev));
        return { ms: performance.now() - start, knnMs: out.knn_ms, device: out.device, positions: out.positions };
      },
      'umap-js': async ([d]) => {
        const x = window.benchVectors;
        const rows = [];
        for (let i = 0; i < x.length / d; i++) rows.push(Array.from(x.subarray(i * d, (i + 1) * d)));
        // Cosine, as the others use; the vectors are unit length.
        const cosine = (a, b) => {
          let s = 0;
          for (let i = 0; i < a.length; i++) s += a[i] * b[i];
          return 1 - s;
        };
        const start = performance.now();
        const umap = new window.UMAP.UMAP({ nComponents: 2, nNeighbors: 15, minDist: 0, distanceFn: cosine });
        const y = umap.fit(rows);
        return { ms: performance.now() - start, device: 'JavaScript', positions: y.flat() };
      },
      'embedding-atlas': async ([d, , filesUrl]) => {
        const { createUMAP } = await import(`${filesUrl}/embedding-atlas/umap.js`);
        const x = window.benchVectors;
        const start = performance.now();
        const umap = await createUMAP(x.length / d, d, 2, x, { metric: 'cosine', nNeighbors: 15, minDist: 0 });
        await umap.run();
        const positions = Array.from(umap.embedding);
        const ms = performance.now() - start;
        umap.destroy();
        return { ms, device: 'WebAssembly', positions };
      },
    };
    for (const [tool, fn] of Object.entries(layouts)) {
      let r;
      try {
        r = await page.evaluate(fn, [Number(dim), device, filesUrl]);
      } catch (e) {
        console.log(`browser layout n=${n}: ${tool} failed or ran past ${minutes} min: ${String(e).split('\n')[0]}`);
        results.push({ what: 'layout', n, tool, failed: String(e).split('\n')[0] });
        continue;
      }
      const out = path.join(outDir, `layout-${n}-${tool}.f32`);
      writeFileSync(out, Buffer.from(new Float32Array(r.positions).buffer));
      results.push({ what: 'layout', n, tool, seconds: r.ms / 1000, knn_seconds: r.knnMs ? r.knnMs / 1000 : undefined, device: r.device, layout: out, vectors: file });
      console.log(`browser layout n=${n}: ${tool} ${(r.ms / 1000).toFixed(2)} s${r.knnMs ? ` (kNN ${(r.knnMs / 1000).toFixed(2)} s)` : ''} on ${r.device}`);
    }
  }
} finally {
  writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 1));
  await browser.close();
  filesServer.close();
  kleio.stop();
}
