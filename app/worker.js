// Kleio's worker: runs the app's own WebAssembly module, compiled once by the
// page and sent here, so that heavy work (the sentence-transformer, k-means,
// the neighbour graph, the layout) gets a core of its own and the page stays
// responsive. The page's side is app/src/module_worker.rs; what it calls are
// the module's `worker_*` exports (app/src/embed_worker.rs,
// app/src/compute_worker.rs).
let bindings = null;
// One message at a time, in the order they came: a model must be loaded
// before the first texts are embedded.
let queue = Promise.resolve();

self.onmessage = ({ data }) => {
  queue = queue.then(() => handle(data));
};

async function handle(message) {
  try {
    if (message.kind === 'start') {
      bindings = await import(message.glue);
      await bindings.default({ module_or_path: message.module });
      self.postMessage({ kind: 'answer', value: null });
      return;
    }
    const call = bindings?.[message.name];
    if (message.kind !== 'call' || !/^worker_\w+$/.test(message.name ?? '') || typeof call !== 'function') {
      throw new Error(`unknown request ${JSON.stringify(message.kind)} ${JSON.stringify(message.name)}`);
    }
    // A function that reports progress takes a callback after its arguments.
    const args = message.progress ? [...message.args, (n) => self.postMessage({ kind: 'progress', n })] : message.args;
    const value = await call(...args);
    // Typed arrays (vectors, positions) move to the page instead of being copied.
    self.postMessage({ kind: 'answer', value }, ArrayBuffer.isView(value) ? [value.buffer] : []);
  } catch (e) {
    self.postMessage({ kind: 'failed', message: String(e?.message ?? e) });
  }
}
