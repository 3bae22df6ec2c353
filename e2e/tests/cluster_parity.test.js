// k-means and the neighbour graph on the browser's WebGPU device (burn
// tensors, Chromium's SwiftShader adapter) agree with the CPU path in
// WebAssembly: the same labels from the same seed, and layouts of the same
// quality. Through the page API a run uses (wasmBindings.kmeans / .layout).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKleio, evaluateInApp } from './browser.js';

let kleio;
before(async () => { kleio = await startKleio(); });
after(() => kleio?.stop());

/** Unit vectors around a few directions, from a fixed seed (mulberry32). */
function points(n, dim, groups) {
  let s = 12345;
  const rand = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const dirs = Array.from({ length: groups }, () => Array.from({ length: dim }, () => rand() - 0.5));
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const v = dirs[i % groups].map((d) => d + 0.5 * (rand() - 0.5));
    const norm = Math.hypot(...v);
    v.forEach((e, j) => (x[i * dim + j] = e / norm));
  }
  return Array.from(x);
}

const inBrowser = (webgpu, fn, args) => evaluateInApp(kleio.url, { webgpu, binding: 'kmeans' }, fn, args);

const n = 600, dim = 16;
const x = points(n, dim, 8);

test('k-means on WebGPU gives the CPU labels from the same seed', { timeout: 600_000 }, async () => {
  const run = async ([x, dim, device]) => JSON.parse(await window.wasmBindings.kmeans(new Float32Array(x), dim, 8, 40, 3, device));
  const cpu = await inBrowser(false, run, [x, dim, 'cpu']);
  const gpu = await inBrowser(true, run, [x, dim, 'gpu']);
  assert.match(cpu.device, /CPU/);
  assert.match(gpu.device, /GPU/);
  const differ = cpu.labels.filter((l, i) => l !== gpu.labels[i]).length;
  assert.ok(differ <= 1, `${differ} of ${n} labels differ`);
  assert.ok(Math.abs(cpu.inertia - gpu.inertia) / cpu.inertia < 1e-3, `inertia ${gpu.inertia} vs ${cpu.inertia}`);
});

test('the layout from WebGPU neighbours keeps each group together, as on the CPU', { timeout: 600_000 }, async () => {
  const run = async ([x, dim, device]) => JSON.parse(await window.wasmBindings.layout(new Float32Array(x), dim, 1, device));
  const cpu = await inBrowser(false, run, [x, dim, 'cpu']);
  const gpu = await inBrowser(true, run, [x, dim, 'gpu']);
  assert.match(gpu.device, /GPU/);
  assert.equal(cpu.positions.length, 2 * n);
  assert.equal(gpu.positions.length, 2 * n);
  // The same points are neighbours in both layouts: each point's group
  // (i % 8) dominates its 10 nearest points on the map, on either device.
  for (const out of [cpu, gpu]) {
    let same = 0;
    for (let i = 0; i < n; i++) {
      const d = [];
      for (let j = 0; j < n; j++) if (j !== i) d.push([Math.hypot(out.positions[2 * i] - out.positions[2 * j], out.positions[2 * i + 1] - out.positions[2 * j + 1]), j]);
      d.sort((a, b) => a[0] - b[0]);
      same += d.slice(0, 10).filter(([, j]) => j % 8 === i % 8).length;
    }
    assert.ok(same / (10 * n) > 0.9, `${out.device}: ${same / (10 * n)} of map neighbours share the group`);
  }
});
