// Times wasmBindings.embed in headless Chromium; see bench/browser-embed.
import { readFileSync } from 'node:fs';
import { startKleio, launch } from '../e2e/tests/browser.js';

const [model, file, device] = process.argv.slice(2);
// KLEIO_PRECISION=int8: the CPU's dense products in integers (the run setting of that name).
const precision = process.env.KLEIO_PRECISION || 'fp32';
const texts = readFileSync(file, 'utf8').split('\n').filter((t) => t.length > 0);
const kleio = await startKleio();
const browser = await launch({ webgpu: device === 'gpu' });
try {
  const page = await browser.newPage();
  // KLEIO_SIMD=plain: the embedding workers' plain SIMD build instead of the relaxed one.
  if (process.env.KLEIO_SIMD === 'plain') await page.addInitScript(() => localStorage.setItem('kleio.simd', 'plain'));
  await page.goto(kleio.url);
  await page.waitForFunction(() => window.wasmBindings?.embed, null, { timeout: 60_000 });
  // Loads the model (and compiles kernels on a GPU) outside the timing.
  const warm = JSON.parse(await page.evaluate(([m, d, p]) => window.wasmBindings.embed(['warm up'], m, d, p), [model, device, precision]));
  const seconds = await page.evaluate(async ([t, m, d, p]) => {
    const start = performance.now();
    await window.wasmBindings.embed(t, m, d, p);
    return (performance.now() - start) / 1000;
  }, [texts, model, device, precision]);
  console.log(`${model} in Chromium on ${warm.device}: ${texts.length} texts in ${seconds.toFixed(1)} s = ${(texts.length / seconds).toFixed(1)} texts/s`);
} finally {
  await browser.close();
  kleio.stop();
}
