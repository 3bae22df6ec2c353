// A dashboard of 2,000 published base clusters (under 50 parents and 5 top
// clusters, every breakdown filled in): its size on the wire, gzipped and
// not, and the time to its first paint in headless Chromium on a cold cache.
//   node bench/dashboard_paint.mjs [OUT.json]
// Needs the built app (bash scripts/build); starts its own `kleio serve`.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { startKleio, launch } from '../e2e/tests/browser.js';

const BASE = 2000, MIDDLE = 50, TOP = 5, RUNS = 3;

/** A small seeded generator (mulberry32), so every run publishes the same dashboard. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const verbs = ['Plan', 'Fix', 'Explain', 'Write', 'Compare', 'Translate', 'Summarise', 'Design', 'Debug', 'Review'];
const things = ['garden beds', 'tax forms', 'python scripts', 'cover letters', 'travel routes', 'lesson plans', 'sql queries', 'bread recipes', 'workout routines', 'poems about rain',
  'budget sheets', 'css layouts', 'chemistry notes', 'job interviews', 'birthday speeches', 'chess openings', 'song lyrics', 'bash commands', 'history essays', 'marketing emails'];
const ways = ['step by step', 'for beginners', 'in plain words', 'with examples', 'quickly', 'for a class', 'in detail', 'for work', 'at home', 'for a friend'];

function submission() {
  const rand = random(7);
  let account = 0;
  const hashes = (n) => Array.from({ length: n }, () => (account++).toString(16).padStart(64, '0'));
  const breakdown = (size) => {
    const split = (values) => {
      const out = {};
      let left = size;
      values.forEach((v, i) => {
        const n = i === values.length - 1 ? left : Math.floor(left * rand() * 0.7);
        if (n > 0) out[v] = n;
        left -= n;
      });
      return out;
    };
    const counts = { language: split(['en', 'ja', 'de', 'fr', 'es']), turns: split(['1', '2', '3', '4', '10+']), concern: split(['1', '2', '3', '4', '5']), month: split(['2024-01', '2024-02', '2024-03', '2024-04']) };
    const accounts = Object.fromEntries(Object.entries(counts).map(([f, vs]) => [f, Object.fromEntries(Object.entries(vs).map(([v, n]) => [v, n]))]));
    return { breakdowns: counts, breakdown_accounts: accounts };
  };
  const clusters = [];
  const sum = (a, b) => a + b;
  for (let t = 0; t < TOP; t++) clusters.push({ id: `t${t}`, level: 2, parent: null, children: [] });
  for (let m = 0; m < MIDDLE; m++) clusters.push({ id: `m${m}`, level: 1, parent: `t${m % TOP}`, children: [] });
  for (let b = 0; b < BASE; b++) {
    const size = 10 + Math.floor(rand() * 190);
    clusters.push({
      id: `b${b}`, level: 0, parent: `m${b % MIDDLE}`, size, account_hashes: hashes(Math.min(size, 5 + Math.floor(rand() * 20))),
      position: [rand() * 20 - 10, rand() * 20 - 10], name: `${verbs[b % 10]} ${things[Math.floor(b / 10) % 20]} ${ways[Math.floor(b / 200) % 10]}`,
      ...breakdown(size),
    });
  }
  // Parents hold their children's sizes, accounts, mean positions and breakdowns.
  for (const level of [1, 2]) {
    for (const p of clusters.filter((c) => c.level === level)) {
      const kids = clusters.filter((c) => c.parent === p.id);
      p.size = kids.map((k) => k.size).reduce(sum, 0);
      p.account_hashes = kids.flatMap((k) => k.account_hashes);
      p.position = [0, 1].map((i) => kids.map((k) => k.position[i] * k.size).reduce(sum, 0) / p.size);
      p.name = `${kids[0].name.split(' ').slice(0, 3).join(' ')} and more`;
      p.breakdowns = {};
      for (const k of kids) {
        for (const [f, vs] of Object.entries(k.breakdowns)) {
          p.breakdowns[f] ??= {};
          for (const [v, n] of Object.entries(vs)) p.breakdowns[f][v] = (p.breakdowns[f][v] ?? 0) + n;
        }
      }
      p.breakdown_accounts = p.breakdowns;
    }
  }
  for (const c of clusters) {
    delete c.children;
    c.summary = `People asked for help to ${c.name.toLowerCase()}.`;
  }
  return { title: 'Two thousand clusters', facet: 'request', clusters };
}

/** The body's size on the wire, asking for gzip or not. */
function transferBytes(url, gzip) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, (res) => {
      let n = 0;
      res.on('data', (c) => { n += c.length; });
      res.on('end', () => resolve(n));
    }).on('error', reject);
  });
}

const kleio = await startKleio();
try {
  const body = JSON.stringify(submission());
  const started = performance.now();
  const res = await fetch(`${kleio.url}/api/v1/dashboards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const published = await res.json();
  if (res.status !== 201) throw new Error(`publishing failed: ${res.status} ${JSON.stringify(published).slice(0, 300)}`);
  const publishMs = performance.now() - started;
  const api = `${kleio.url}/api/v1/dashboards/${published.id}`;
  const [plain, gzipped] = [await transferBytes(api, false), await transferBytes(api, true)];

  const paints = [];
  for (let run = 0; run < RUNS; run++) {
    const browser = await launch();
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${kleio.url}${published.url}`);
      // Painted: the tree is listed and the map's canvas has drawn discs.
      const painted = await page.waitForFunction(() => {
        const canvas = document.querySelector('canvas[aria-label="Cluster map"]');
        if (!canvas || !document.querySelector('[role=treeitem]')) return null;
        const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < d.length; i += 4000) if (d[i] > 0) return performance.now();
        return null;
      }, null, { timeout: 120_000, polling: 'raf' });
      const paintMs = await painted.jsonValue();
      const jsonMs = await page.evaluate(() => performance.getEntriesByType('resource').find((r) => r.name.includes('/api/v1/dashboards/'))?.responseEnd ?? null);
      paints.push({ paint_ms: Math.round(paintMs), dashboard_json_ms: Math.round(jsonMs), render_ms: Math.round(paintMs - jsonMs) });
    } finally {
      await browser.close();
    }
  }
  const median = (k) => paints.map((p) => p[k]).sort((a, b) => a - b)[Math.floor(paints.length / 2)];
  const result = {
    clusters: published.published, removed: published.removed.length, submission_kb: Math.round(body.length / 1024), publish_ms: Math.round(publishMs),
    dashboard_kb: Math.round(plain / 1024), dashboard_gzip_kb: Math.round(gzipped / 1024),
    first_paint_ms: median('paint_ms'), json_arrived_ms: median('dashboard_json_ms'), render_ms: median('render_ms'), runs: paints,
  };
  console.log(JSON.stringify(result, null, 2));
  if (process.argv[2]) writeFileSync(process.argv[2], JSON.stringify(result, null, 2));
} finally {
  kleio.stop();
}
