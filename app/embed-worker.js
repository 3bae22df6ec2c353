// Kleio's embedding worker: runs the app's own WebAssembly module, compiled
// once by the page and sent here, so that the sentence-transformer gets a
// core of its own and the page stays responsive. The messages are described
// in app/src/embed_workers.rs; the Rust side is app/src/embed_worker.rs.
let bindings = null;
// One message at a time, in the order they came: a load must finish before
// the first texts are embedded.
let queue = Promise.resolve();

self.onmessage = ({ data }) => {
  queue = queue.then(() => handle(data));
};

async function handle(message) {
  try {
    switch (message.kind) {
      case 'start':
        bindings = await import(message.glue);
        await bindings.default({ module_or_path: message.module });
        self.postMessage({ kind: 'started' });
        break;
      case 'load':
        self.postMessage({ kind: 'loaded', device: await bindings.worker_load_model(message.model, message.safetensors, message.tokenizer) });
        break;
      case 'embed': {
        const vectors = await bindings.worker_embed(message.texts, (texts) => self.postMessage({ kind: 'progress', texts }));
        self.postMessage({ kind: 'embedded', vectors }, [vectors.buffer]);
        break;
      }
      default:
        throw new Error(`unknown message ${JSON.stringify(message.kind)}`);
    }
  } catch (e) {
    self.postMessage({ kind: 'failed', message: String(e?.message ?? e) });
  }
}
