// Page objects: what a person sees and does, by role and label.
import { createHash } from 'node:crypto';

export class StartPage {
  constructor(page, url) { this.page = page; this.url = url; }
  async open() {
    await this.page.goto(this.url);
    await this.page.getByLabel('Upload dataset').waitFor({ timeout: 60_000 });
  }
  /** Chooses a file; the app then shows what it holds and what a run would cost. */
  async choose(file) { await this.page.getByLabel('Upload dataset').setInputFiles(file); }
  readyPanel() { return this.page.getByRole('region', { name: 'Ready to analyse' }); }
  async upload(file) {
    await this.choose(file);
    await this.page.getByRole('button', { name: 'Start the analysis' }).click();
  }
  /** Waits until the row of `stage` in the run's bars reads like `pattern`. */
  async waitForStage(stage, pattern, timeout) {
    await this.page.waitForFunction(([name, source]) => [...document.querySelectorAll('li.stage')]
      .some((li) => li.querySelector('.stage-name').textContent === name && new RegExp(source).test(li.querySelector('.stage-count').textContent)),
    [stage, pattern.source], { timeout });
  }
  /** An entry of the earlier runs kept in this browser, by file name. */
  earlierRun(name) {
    return this.page.getByRole('region', { name: 'Earlier runs' }).getByRole('listitem').filter({ hasText: name });
  }
  /**
   * Reloads the page once the run's embedding has begun (every facet answer
   * is kept by then, so a resume has work to take up) and returns the run's
   * entry in the earlier-runs list, which the reload shows.
   */
  async interruptOnceEmbedding(name) {
    await this.waitForStage('embedding', /^(?!waiting$)/, 120_000);
    await this.page.reload();
    const run = this.earlierRun(name);
    await run.waitFor({ timeout: 60_000 });
    return run;
  }
  /**
   * Watches the run's bars until the map is up; returns each stage seen under
   * way or done, with every count its bar read meanwhile.
   */
  async watchStages() {
    const seen = new Map();
    const region = this.page.getByRole('region', { name: 'Run progress' });
    await region.waitFor({ timeout: 60_000 });
    while (!(await this.page.getByLabel('Cluster map').count())) {
      if (await this.page.getByRole('alert').count()) throw new Error(await this.page.getByRole('alert').textContent());
      const rows = await region.locator('li.stage').evaluateAll((lis) => lis.map((li) => [li.querySelector('.stage-name').textContent, li.querySelector('.stage-count').textContent]))
        .catch(() => []);
      for (const [stage, text] of rows) if (text !== 'waiting') seen.set(stage, (seen.get(stage) ?? new Set()).add(text));
      await this.page.waitForTimeout(100);
    }
    return seen;
  }
}

/** A fresh page of `browser` on the start at `url`, collecting the page's uncaught errors. */
export async function openStart(browser, url) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const start = new StartPage(page, url);
  await start.open();
  return { page, errors, start };
}

export class Explorer {
  constructor(page) { this.page = page; }
  map() { return this.page.getByLabel('Cluster map'); }
  async waitForMap() { await this.map().waitFor({ timeout: 600_000 }); }
  async stats() { return this.page.locator('.explorer .stats').first().textContent(); }
  /** The finished run's time per stage, as "stage seconds" pairs. */
  async stageTimes() { return this.page.getByLabel('Stage times').textContent(); }
  treeItems() { return this.page.getByRole('tree').getByRole('treeitem'); }
  panel() { return this.page.getByRole('region', { name: 'Cluster details' }); }
  async colouredPixels() {
    return this.map().evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200)) n++;
      return n;
    });
  }
  async mapHash() {
    const url = await this.map().evaluate((c) => c.toDataURL());
    return createHash('sha256').update(url).digest('hex');
  }
}
