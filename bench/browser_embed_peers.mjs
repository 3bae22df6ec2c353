// Kleio's embedding in headless Chromium (fp32, the default, and its int8
// option) against transformers.js's on the same texts and the same machine;
// see bench/browser-embed-peers.
//   node bench/browser_embed_peers.mjs MODEL_DIR TEXTS_FILE OUT_JSON
// MODEL_DIR is bench/onnx_export.py's output. transformers.js is served with
// its onnxruntime-web files from this script's own origin, with the headers
// that make the page cross-origin isolated (onnxruntime's threads need it),
// and no model hub: `env.allowRemoteModels` is off.
import { createReadStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKleio, launch } from '../e2e/tests/browser.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const [modelDir, textsFile, outJson] = process.argv.slice(2);
const texts = readFileSync(textsFile, 'utf8').split('\n').filter((t) => t.length > 0);
// transformers.js pads each call's texts to the longest, so it is given
// them sorted by length and cut into batches of at most this many padded
// tokens; each configuration is timed at every budget and keeps its best
// (on this machine 256 to 1,024 were within 3 % of each other, 2,048 about
// 10 % slower, all texts in one call 30 % slower). Kleio batches by itself.
const BATCH_BUDGETS = [256, 512, 1024, 2048];

const roots = {
  '/transformers/': path.join(here, 'node_modules/@huggingface/transformers/dist'),
  '/ort/': path.join(here, 'node_modules/onnxruntime-web/dist'),
  '/models/all-MiniLM-L6-v2/': modelDir,
};
const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html' };

function serve() {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    };
    if (url.pathname === '/') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' });
      res.end('<!doctype html><meta charset="utf-8"><title>transformers.js</title>');
      return;
    }
    const prefix = Object.keys(roots).find((p) => url.pathname.startsWith(p));
    const file = prefix && path.join(roots[prefix], path.normalize(decodeURIComponent(url.pathname.slice(prefix.length))));
    if (!file || !file.startsWith(roots[prefix]) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': types[path.extname(file)] || 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Cosine of each pair of unit vectors: min and mean. */
function agreement(a, b) {
  const cosines = a.map((v, i) => {
    let dot = 0, na = 0, nb = 0;
    for (let j = 0; j < v.length; j++) {
      dot += v[j] * b[i][j];
      na += v[j] * v[j];
      nb += b[i][j] * b[i][j];
    }
    return dot / Math.sqrt(na * nb);
  });
  const worst = cosines.indexOf(Math.min(...cosines));
  return { min: cosines[worst], mean: cosines.reduce((s, c) => s + c, 0) / cosines.length, worst_text: worst };
}

const results = { texts: texts.length, batch_budgets: BATCH_BUDGETS, kleio: null, kleio_int8: null, transformers_js: [] };
const browser = await launch();
const kleio = await startKleio();
const server = await serve();
try {
  for (const precision of ['fp32', 'int8']) {
    const page = await browser.newPage();
    await page.goto(kleio.url);
    await page.waitForFunction(() => window.wasmBindings?.embed, null, { timeout: 60_000 });
    // The warm-up is a whole pass over the texts, on both sides: the engines
    // compile a module's hot functions again, optimised, while it runs, and
    // onnxruntime grows its memory arena on the first large batches.
    const warm = JSON.parse(await page.evaluate(([t, p]) => window.wasmBindings.embed(t, 'minilm', 'cpu', p), [texts, precision]));
    const run = await page.evaluate(async ([t, p]) => {
      const start = performance.now();
      const out = JSON.parse(await window.wasmBindings.embed(t, 'minilm', 'cpu', p));
      return { seconds: (performance.now() - start) / 1000, vectors: out.vectors };
    }, [texts, precision]);
    const entry = { device: warm.device, seconds: run.seconds, texts_per_s: texts.length / run.seconds, vectors: run.vectors };
    if (precision === 'fp32') results.kleio = entry;
    else {
      entry.cosine_to_fp32 = agreement(run.vectors, results.kleio.vectors);
      results.kleio_int8 = entry;
    }
    const agree = precision === 'int8' ? `; cosine to Kleio's fp32 vectors min ${entry.cosine_to_fp32.min.toFixed(4)}, mean ${entry.cosine_to_fp32.mean.toFixed(4)}` : '';
    console.log(`Kleio ${precision} (${warm.device}): ${texts.length} texts in ${run.seconds.toFixed(1)} s = ${entry.texts_per_s.toFixed(1)} texts/s${agree}`);
    await page.close();
  }
  const origin = `http://127.0.0.1:${server.address().port}`;
  for (const dtype of ['fp32', 'q8']) {
    for (const threads of [1, 2]) {
      // A fresh page for each: onnxruntime fixes its thread count when it first loads.
      const page = await browser.newPage();
      await page.goto(`${origin}/`);
      const run = await page.evaluate(async ([t, dtype, threads, budgets]) => {
        const { pipeline, env } = await import('/transformers/transformers.min.js');
        env.allowRemoteModels = false;
        env.allowLocalModels = true;
        env.localModelPath = '/models/';
        env.useBrowserCache = false;
        env.backends.onnx.wasm.wasmPaths = '/ort/';
        env.backends.onnx.wasm.numThreads = threads;
        const extractor = await pipeline('feature-extraction', 'all-MiniLM-L6-v2', { dtype, device: 'wasm' });
        const options = { pooling: 'mean', normalize: true };
        // sentence-transformers truncates MiniLM's input at 256 tokens; the tokenizer must too.
        const longest = t.reduce((a, b) => (a.length >= b.length ? a : b));
        const truncatedTo = extractor.tokenizer(longest, { padding: true, truncation: true }).input_ids.dims[1];
        // The batches are planned outside the timing (Kleio's time includes its planning).
        const lengths = t.map((text) => Math.min(extractor.tokenizer.encode(text).length, 256));
        const order = t.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
        const timings = [];
        let vectors;
        for (const [pass, budget] of [[0, budgets[1]], ...budgets.map((b) => [1, b])]) {
          const batches = [];
          let current = [];
          for (const i of order) {
            if (current.length > 0 && lengths[i] * (current.length + 1) > budget) {
              batches.push(current);
              current = [];
            }
            current.push(i);
          }
          if (current.length > 0) batches.push(current);
          vectors = new Array(t.length);
          const start = performance.now();
          for (const batch of batches) {
            const rows = (await extractor(batch.map((i) => t[i]), options)).tolist();
            batch.forEach((i, k) => (vectors[i] = rows[k]));
          }
          // Pass 0 is the warm-up.
          if (pass > 0) timings.push({ budget, seconds: (performance.now() - start) / 1000 });
        }
        const best = timings.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
        return { ...best, timings, vectors, isolated: self.crossOriginIsolated, truncatedTo };
      }, [texts, dtype, threads, BATCH_BUDGETS]);
      if (run.truncatedTo > 256) throw new Error(`transformers.js kept ${run.truncatedTo} tokens of the longest text, not 256`);
      if (threads > 1 && !run.isolated) throw new Error('the transformers.js page is not cross-origin isolated, so onnxruntime cannot use threads');
      const agree = agreement(run.vectors, results.kleio.vectors);
      results.transformers_js.push({ dtype, threads, best_budget: run.budget, seconds: run.seconds, texts_per_s: texts.length / run.seconds, timings: run.timings, cosine_to_kleio: agree });
      console.log(`transformers.js 4.3.2 ${dtype} (onnxruntime-web wasm, ${threads} thread${threads > 1 ? 's' : ''}, batches of ${run.budget} tokens, the best of ${BATCH_BUDGETS.join('/')}): ${texts.length} texts in ${run.seconds.toFixed(1)} s = ${(texts.length / run.seconds).toFixed(1)} texts/s; cosine to Kleio's vectors min ${agree.min.toFixed(4)}, mean ${agree.mean.toFixed(4)}`);
      await page.close();
    }
  }
  for (const [name, ours] of [['Kleio fp32', results.kleio], ['Kleio int8', results.kleio_int8]]) {
    for (const dtype of ['fp32', 'q8']) {
      const best = results.transformers_js.filter((r) => r.dtype === dtype).sort((a, b) => b.texts_per_s - a.texts_per_s)[0];
      const ratio = ours.texts_per_s / best.texts_per_s;
      ours[`ratio_to_best_${dtype}`] = ratio;
      console.log(`${name} against the best transformers.js ${dtype} (${best.threads} thread${best.threads > 1 ? 's' : ''}): ${ours.texts_per_s.toFixed(1)} / ${best.texts_per_s.toFixed(1)} texts/s = ${ratio.toFixed(2)}x`);
    }
  }
  delete results.kleio.vectors;
  delete results.kleio_int8.vectors;
  writeFileSync(outJson, JSON.stringify(results, null, 2));
} finally {
  server.close();
  await browser.close();
  kleio.stop();
}
