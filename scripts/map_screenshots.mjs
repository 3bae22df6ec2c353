// Screenshots of maps whose names a person should be able to read, for
// docs/eval: the demo's (the app's own demo dataset) and a saved analysis's
// (`kleio analyze` output, opened as a user opens an exported analysis).
// Each page is shot whole with the largest top-level cluster selected, so
// the map's labels, the tree and that cluster's panel (its name, summary
// and children's names) show.
//   node scripts/map_screenshots.mjs OUT_DIR [NAME=ANALYSIS_JSON ...]
// scripts/map-screenshots runs it for HWU64.
import path from 'node:path';
import { startKleio, launch } from '../e2e/tests/browser.js';
import { openStart, Explorer } from '../e2e/tests/pages.js';

const [out, ...analyses] = process.argv.slice(2);
const kleio = await startKleio();
const browser = await launch();
try {
  const shots = [['demo', null], ...analyses.map((a) => a.split('='))];
  for (const [name, file] of shots) {
    const { page, errors, start } = await openStart(browser, kleio.url);
    await page.setViewportSize({ width: 1400, height: 1000 });
    if (file) await start.choose(file);
    else await page.getByRole('button', { name: 'Try the demo dataset' }).click();
    const explorer = new Explorer(page);
    await explorer.waitForMap();
    await explorer.treeItems().first().click();
    await explorer.panel().waitFor();
    await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
    if (errors.length > 0) throw new Error(`the page threw: ${errors.join('; ')}`);
    console.log(`${name}: ${path.join(out, `${name}.png`)}`);
    await page.close();
  }
} finally {
  await browser.close();
  kleio.stop();
}
