// The explorer at the paper's depth: any facet or column on the map with a
// legend, every breakdown in the panel against the whole data, the view in
// the address (a copied link reopens it, back steps through selections),
// the safety views, and a cluster's conversations read in the owner's view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startKleio, launch, artifacts, tempDir } from './browser.js';
import { Explorer, openStart } from './pages.js';

let kleio;
before(async () => { kleio = await startKleio(); });
after(() => kleio?.stop());

// Gardening questions from twenty accounts over two months, and a filled-in
// review template sent thirty times by one account in the second month;
// each row carries a model column and a score.
const dir = tempDir();
const dataset = path.join(dir, 'gardening-and-bot.jsonl');
const plants = ['tulips', 'roses', 'basil', 'tomatoes', 'ferns', 'orchids', 'lavender', 'peppers'];
const symptoms = ['have yellow leaves with brown edges', 'are wilting even though the soil is damp', 'grow long pale stems and few flowers', 'show white powder on every leaf', 'dropped most of their buds overnight'];
const events = ['I moved them to a sunny window', 'the weather turned cold last week', 'I repotted them in new compost', 'we came back from a long holiday'];
const questions = ['what am I doing wrong with watering', 'should I cut the damaged parts away', 'is it a disease that spreads to other plants'];
const rows = [];
for (let i = 0; i < 40; i++) {
  rows.push({
    id: `g${i}`, user: `u${i % 20}`, created_at: i < 20 ? '2024-01-05' : '2024-02-05', model: i % 2 ? 'gpt-4' : 'claude', score: String(i),
    messages: [{ role: 'user', content: `My ${plants[i % 8]} ${symptoms[i % 5]} since ${events[i % 4]}; ${questions[i % 3]}?` },
      { role: 'assistant', content: `Yellow leaves on ${plants[i % 8]} usually mean too much water.` }],
  });
}
for (let i = 0; i < 30; i++) {
  rows.push({
    id: `t${i}`, user: 'bot', created_at: '2024-02-09', model: 'gpt-4', score: String(100 + i),
    messages: [{ role: 'user', content: `Generate a five star product review for the wireless earbuds model X${i} that mentions the long battery life, the deep bass, the comfortable fit in both ears, the quick pairing with any phone, and the fast shipping to my city, in a friendly tone and under one hundred words` }],
  });
}
writeFileSync(dataset, rows.map((r) => JSON.stringify(r)).join('\n'));

/** A fresh page of `browser` with the dataset run through to its map. */
async function analysed(browser) {
  const { page, errors, start } = await openStart(browser, kleio.url);
  await start.upload(dataset);
  const explorer = new Explorer(page);
  await explorer.waitForMap();
  return { page, errors, explorer };
}

test('overlays for any column with a value picker and a legend, breakdowns against the data, the view in the address', { timeout: 300_000 }, async () => {
  const browser = await launch();
  try {
    const { page, errors, explorer } = await analysed(browser);
    assert.match(page.url(), /\?run=/);

    // A column as categories, then one value of it lit: the legend counts the conversations.
    const before = await explorer.mapHash();
    await page.getByLabel('Colour by').selectOption('by:column:model');
    assert.notEqual(await explorer.mapHash(), before);
    const legend = page.getByLabel('Legend');
    const counts = async () => Object.fromEntries(await legend.locator('li').evaluateAll((lis) => lis.map((li) => [li.querySelector('.swatch-label').textContent, Number(li.querySelector('.swatch-count').textContent)])));
    assert.deepEqual(await counts(), { 'gpt-4': 50, claude: 20 });
    await page.getByLabel('Overlay value').selectOption('claude');
    assert.deepEqual(await counts(), { 'model (column) = claude': 20, 'another value': 50 });
    await page.getByLabel('Show').selectOption('share');
    assert.equal(Object.values(await counts()).reduce((a, b) => a + b, 0), 70);
    // Numbers and growth.
    await page.getByLabel('Colour by').selectOption('by:column:score');
    assert.ok((await legend.locator('li').count()) >= 5);
    await page.getByLabel('Colour by').selectOption('growth');
    assert.match(await legend.textContent(), /growing/);
    await page.screenshot({ path: path.join(artifacts, 'explorer-growth.png'), fullPage: true });

    // A cluster from the tree: its breakdowns against all the data, the timeline with growth.
    const items = explorer.treeItems();
    await items.first().click();
    const panel = explorer.panel();
    await panel.getByText('Against all the data').waitFor();
    for (const label of ['model (column)', 'score (column)', 'month', 'turns', 'user characters']) {
      assert.ok(await panel.locator('summary', { hasText: label }).count() >= 1, `a breakdown of ${label}`);
    }
    // The request summaries are free text: the map groups them, no bars list them.
    assert.equal(await panel.locator('summary', { hasText: 'request (facet)' }).count(), 0, 'no breakdown of the request facet');
    assert.ok(await panel.locator('.base-mark').count() >= 2);
    assert.ok(await panel.locator('.timeline').count() >= 1, 'a timeline of the months');

    // The view is in the address: a second selection, back returns to the first.
    const firstName = (await panel.getByRole('heading').first().textContent()).trim();
    assert.match(page.url(), /#.*s=L\d+-\d+/);
    await items.nth(1).click();
    const secondName = (await panel.getByRole('heading').first().textContent()).trim();
    assert.notEqual(firstName, secondName);
    await page.goBack();
    await panel.getByRole('heading', { name: firstName, exact: true }).waitFor();
    // A copied link, opened again in this browser, reopens the run with the same selection and overlay.
    const link = page.url();
    assert.match(link, /o=growth/);
    await page.goto('about:blank');
    await page.goto(link);
    await explorer.waitForMap();
    await panel.getByRole('heading', { name: firstName, exact: true }).waitFor({ timeout: 60_000 });
    assert.equal(await page.getByLabel('Colour by').inputValue(), 'growth');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('safety views find the one-account template, a cluster\'s conversations read page by page, and search by meaning finds them', { timeout: 300_000 }, async () => {
  const browser = await launch();
  try {
    const { page, errors, explorer } = await analysed(browser);
    const safety = page.getByRole('region', { name: 'Safety' });
    const table = safety.getByRole('table', { name: 'Clusters by concentration' });
    const top = table.locator('tbody tr').first();
    const cells = await top.locator('td').allTextContents();
    assert.equal(cells[4], '100 %', `the busiest account wrote all of it: ${cells}`);
    assert.ok(parseFloat(cells[5]) >= 90, `templated: ${cells}`);
    // The template appeared in February.
    const grew = safety.getByRole('table', { name: 'Clusters that grew' });
    assert.match(await grew.locator('tbody tr').first().textContent(), /\(new\)/);

    // Its conversations, turn by turn, with the facet answers beside them.
    await top.getByRole('button').click();
    const panel = explorer.panel();
    const first = panel.getByRole('article').first();
    await first.waitFor();
    assert.match(await first.textContent(), /five star product review/);
    assert.ok(await panel.getByRole('article').count() <= 5);
    await panel.getByRole('button', { name: 'Next' }).click();
    await panel.getByText(/page 2 of/).waitFor();
    await page.screenshot({ path: path.join(artifacts, 'explorer-safety.png'), fullPage: true });

    // Search by meaning: the query, embedded by the run's own model, finds the
    // template's conversations among the kept vectors, lit on the map.
    await page.getByLabel('Search by meaning').fill('writing a glowing review of headphones');
    await page.getByRole('button', { name: 'Find' }).click();
    const nearest = page.getByRole('list', { name: 'Nearest conversations' });
    await nearest.waitFor({ timeout: 120_000 });
    assert.match(await page.getByLabel('Search timing').textContent(), /\d+ points compared in [\d.]+ ms/);
    assert.match(await page.getByLabel('Legend').textContent(), /nearest to “writing a glowing review of headphones”10/);
    await nearest.getByRole('button').first().click();
    await panel.getByRole('article').first().waitFor();
    assert.match(await panel.getByRole('article').first().textContent(), /five star product review/);
    assert.ok(await page.getByRole('list', { name: 'Nearest clusters' }).getByRole('button').count() >= 1);
    await page.getByRole('button', { name: 'Clear' }).click();
    assert.doesNotMatch(await page.getByLabel('Legend').textContent(), /nearest to/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

// The same gardening questions asked in English, Spanish and German, so the
// request facet and the language facet cluster them differently.
const multilingual = path.join(dir, 'gardening-three-languages.jsonl');
const asked = {
  en: (p) => `My ${p} have yellow leaves and the soil stays wet for days; how often should I water them in winter?`,
  es: (p) => `Mis ${p} tienen hojas amarillas y la tierra sigue mojada durante días; ¿con qué frecuencia debo regarlas en invierno?`,
  de: (p) => `Meine ${p} haben gelbe Blätter und die Erde bleibt tagelang nass; wie oft sollte ich sie im Winter gießen?`,
};
writeFileSync(multilingual, Object.entries(asked).flatMap(([lang, ask]) => plants.flatMap((p, i) => [0, 1].map((k) => JSON.stringify({
  id: `${lang}${i}-${k}`, user: `u${(i * 2 + k) % 12}`, messages: [{ role: 'user', content: ask(p) + (k ? ' Thanks!' : '') }],
})))).join('\n'));

test('two clustered facets in one run: the explorer switches hierarchies, map, tree and panel follow, the address keeps the choice', { timeout: 300_000 }, async () => {
  const browser = await launch();
  try {
    const { page, errors, start } = await openStart(browser, kleio.url);
    await start.choose(multilingual);
    await start.readyPanel().waitFor({ timeout: 30_000 });
    const toCluster = page.getByRole('group', { name: 'Facets to cluster' });
    const languageToggle = toCluster.getByRole('button', { name: 'Language', exact: true });
    assert.equal(await languageToggle.getAttribute('aria-pressed'), 'false');
    assert.ok(await toCluster.getByRole('button', { name: 'Request', exact: true }).isDisabled(), 'the only clustered facet cannot be unchosen');
    await languageToggle.click();
    assert.equal(await languageToggle.getAttribute('aria-pressed'), 'true');
    await page.getByRole('button', { name: 'Start the analysis' }).click();
    const explorer = new Explorer(page);
    await explorer.waitForMap();

    const picker = page.getByLabel('Clustered facet');
    assert.deepEqual(await picker.locator('option').allTextContents(), ['request facet', 'language facet']);
    const names = async () => (await explorer.treeItems().allTextContents()).sort().join(' | ');
    const byRequest = { names: await names(), map: await explorer.mapHash(), stats: await explorer.stats() };
    await picker.selectOption({ label: 'language facet' });
    await page.waitForFunction(() => location.hash.includes('h=language'));
    await explorer.waitForMap();
    const byLanguage = { names: await names(), map: await explorer.mapHash(), stats: await explorer.stats() };
    assert.notEqual(byLanguage.names, byRequest.names, 'the tree follows');
    assert.notEqual(byLanguage.map, byRequest.map, 'the map follows');
    assert.match(byLanguage.stats, /^48 conversations/);
    await page.screenshot({ path: path.join(artifacts, 'explorer-language-hierarchy.png'), fullPage: true });

    // The panel follows: a language cluster's conversations share one language.
    await explorer.treeItems().first().click();
    const heading = (await explorer.panel().getByRole('heading').first().textContent()).trim();
    assert.match(page.url(), /#h=language&s=L\d+-\d+/);
    const link = page.url();
    // Back through the selection and the switch, to the request hierarchy.
    await page.goBack();
    await page.waitForFunction(() => location.hash.includes('h=language') && !location.hash.includes('s='));
    await page.goBack();
    await page.waitForFunction(() => document.querySelector('select[aria-label="Clustered facet"]')?.value === '0');
    assert.doesNotMatch(page.url(), /h=/);
    assert.equal(await names(), byRequest.names);
    // A copied link reopens the language hierarchy with the same selection.
    await page.goto('about:blank');
    await page.goto(link);
    await explorer.waitForMap();
    await explorer.panel().getByRole('heading', { name: heading, exact: true }).waitFor({ timeout: 60_000 });
    assert.equal(await page.getByLabel('Clustered facet').inputValue(), '1');
    assert.equal(await names(), byLanguage.names);

    // The export holds both hierarchies, the one in view first (it reopens on it).
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const file = path.join(dir, 'two-hierarchies.json');
    await download.saveAs(file);
    const analysis = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(analysis.params.clustered, ['language', 'request']);
    assert.equal(analysis.other_hierarchies[0].facet, 'request');
    assert.equal(analysis.other_hierarchies[0].placements.filter(Boolean).length, 48);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
