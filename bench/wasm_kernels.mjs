// Runs bench/wasm-kernels' two builds in headless Chromium; see bench/wasm-kernels.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launch } from '../e2e/tests/browser.js';

const dir = process.argv[2];
const [m, k, n] = [1920, 384, 1536];
const browser = await launch();
try {
  const page = await browser.newPage();
  for (const variant of ['plain', 'relaxed']) {
    const bytes = [...readFileSync(path.join(dir, `${variant}.wasm`))];
    const rates = await page.evaluate(async ([bytes, m, k, n]) => {
      const { instance } = await WebAssembly.instantiate(new Uint8Array(bytes));
      const exports = instance.exports;
      const buffers = exports.setup(m, k, n);
      const out = {};
      for (const name of ['f32_product', 'i16_product', 'i8_product'].filter((x) => exports[x])) {
        // Two calls to let the engine optimise the function, then the best of five.
        exports[name](buffers);
        exports[name](buffers);
        let best = Infinity;
        for (let i = 0; i < 5; i++) {
          const start = performance.now();
          exports[name](buffers);
          best = Math.min(best, (performance.now() - start) / 1000);
        }
        out[name] = (2 * m * k * n) / best / 1e9;
      }
      return out;
    }, [bytes, m, k, n]);
    for (const [name, rate] of Object.entries(rates)) console.log(`${variant} SIMD build, ${name}: ${rate.toFixed(1)} GFLOP/s`);
  }
} finally {
  await browser.close();
}
