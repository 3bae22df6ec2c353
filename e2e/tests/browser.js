// Starting Kleio and a headless Chromium for the browser tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '../..');
const target = process.env.CARGO_TARGET_DIR || path.join(process.env.HOME, '.cache/kleio/target');
export const artifacts = path.join(root, 'e2e/artifacts');
mkdirSync(artifacts, { recursive: true });

/**
 * Starts `kleio serve` on a port the system picks (port 0), reads the
 * address it bound from its log, and waits until it answers; resolves to
 * { url, stop, log }. `env` adds to its environment.
 */
export async function startKleio({ env: extra = {} } = {}) {
  // A fresh database per server, and the offline analyst whatever keys the
  // environment holds, so the tests are the same on every machine.
  const db = path.join(mkdtempSync(path.join(tmpdir(), 'kleio-e2e-')), 'kleio.db');
  const env = { ...process.env, KLEIO_BACKEND: 'offline', NO_COLOR: '1', ...extra };
  const proc = spawn(path.join(target, 'release/kleio'), ['serve', '--addr', '127.0.0.1:0', '--dist', path.join(root, 'dist'), '--db', db], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let log = '';
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  for (let i = 0; i < 200; i++) {
    const bound = log.match(/serving .* on (http:\/\/127\.0\.0\.1:\d+)/);
    if (bound) {
      const url = bound[1];
      try {
        const res = await fetch(`${url}/api/v1/health`);
        if (res.ok) return { url, stop: () => proc.kill('SIGTERM'), log: () => log };
      } catch {}
    }
    if (proc.exitCode !== null) throw new Error(`kleio serve exited: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error(`kleio serve did not answer: ${log}`);
}

/** Headless Debian Chromium; `webgpu` adds the SwiftShader adapter. */
export async function launch({ webgpu = false } = {}) {
  const args = ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'];
  if (webgpu) args.push('--enable-unsafe-webgpu');
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args });
}

/**
 * Opens the app in a fresh headless Chromium, waits until the page API
 * `window.wasmBindings[binding]` is there, runs `fn(args)` in the page and
 * resolves to its result, failing if the page threw anything meanwhile.
 * `init`, where given, runs in the page before the app's own scripts.
 */
export async function evaluateInApp(url, { webgpu = false, binding, init }, fn, args) {
  const browser = await launch({ webgpu });
  try {
    const page = await browser.newPage();
    if (init) await page.addInitScript(init);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction((b) => window.wasmBindings?.[b], binding, { timeout: 60_000 });
    const out = await page.evaluate(fn, args);
    if (errors.length > 0) throw new Error(`the page threw: ${errors.join('; ')}`);
    return out;
  } finally {
    await browser.close();
  }
}

export function tempDir() {
  return mkdtempSync(path.join(tmpdir(), 'kleio-e2e-'));
}
