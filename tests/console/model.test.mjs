// A table's Model tab (issue 76, item 2), in Debian's headless Chromium, by keyboard: a NoSQL
// Workbench model as the Workbench's visualizer shows it. Real public models (tests/compat/
// seed_workbench, README.md names their sources) given to --seed: each facet's items under its key
// aliases, compared with the model file; the aggregate view, every item under its partition in
// sort-key order, compared with an SDK Scan; the model's saved query run as an access pattern, its
// consumed capacity the SDK's for the same Query and its cost from GET /ddbd/usage's price table,
// on a provisioned table and an on-demand one. And a model imported on the Tables screen, on a
// server without --admin: its facets and access pattern from this browser, the cost said to need
// the price table. Under --auth, the Items screen's page capacity: a key without rights=admin is
// not sent to the door, a saved operation's run is priced.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';

import { makeClients } from '../js/helpers.mjs';
import { showValue } from '../../server/console/assets/dom.js';
import { readPrice, scanAll, startStack, step, stopStack, tabTo, waitText } from './stack.mjs';

const { QueryCommand } = createRequire(new URL('../js/helpers.mjs', import.meta.url))('@aws-sdk/client-dynamodb');

const MODELS = new URL('../compat/seed_workbench/', import.meta.url).pathname;
const model = (name) => JSON.parse(fs.readFileSync(path.join(MODELS, name), 'utf8'));
const utf8 = (v) => Buffer.from(v.S, 'utf8');
const byKey = (k) => (a, b) => Buffer.compare(utf8(a[k]), utf8(b[k]));

/** The aggregate view as the page shows it: [[pk, [[sk, [attribute texts]]]]], in its order. */
const aggregateOnPage = (page) => page.$$eval('#aggregate-table tbody.partition', (groups) => groups.map((g) => [
  g.querySelector('th.pk').textContent,
  [...g.querySelectorAll('tr')].map((tr) => [tr.querySelector('td.sk').textContent, [...tr.querySelectorAll('span.agg-attr')].map((s) => s.textContent)]),
]));

/** The same from the SDK's scan: partitions in UTF-8 order of their key, each one's items so by SK. */
function aggregateOf(items) {
  const parts = new Map();
  for (const it of items) parts.set(it.PK.S, [...(parts.get(it.PK.S) || []), it]);
  return [...parts.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))).map((pk) => [pk,
    parts.get(pk).sort(byKey('SK')).map((it) => [it.SK.S, Object.keys(it).filter((n) => n !== 'PK' && n !== 'SK').sort()
      .map((n) => `${n} ${showValue(it[n])}`)])]);
}

/** Each facet as the page shows it: its heading, column heads, and its items' key cells. */
const facetsOnPage = (page) => page.$$eval('#facet-views section.facet', (ss) => ss.map((s) => ({
  name: s.dataset.facet,
  heads: [...s.querySelectorAll('thead th')].map((th) => th.textContent),
  keys: [...s.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent)),
})));

/** The same from the model file: the facet's own sample items, in key order. */
const facetsOf = (t) => t.TableFacets.map((f) => ({
  name: f.FacetName,
  heads: [`${f.KeyAttributeAlias.PartitionKeyAlias} (PK)`, `${f.KeyAttributeAlias.SortKeyAlias} (SK)`, ...f.NonKeyAttributes],
  keys: [...f.TableData].sort((a, b) => Buffer.compare(utf8(a.PK), utf8(b.PK)) || Buffer.compare(utf8(a.SK), utf8(b.SK)))
    .map((it) => [it.PK.S, it.SK.S]),
}));

/** Opens the Model tab of `table` by keyboard: the Overview, then Tab to "Model" and Enter. */
async function openModel(stack, table) {
  const { page } = stack;
  await page.goto(`${stack.base}#/table/${table}`);
  await page.waitForSelector('#overview');
  await tabTo(page, '#tab-model');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#aggregate-table', { timeout: 30000 });
}

const FARES = 'Get flights and fares';
const faresQuery = (table) => {
  const q = model('FlightsFares.json').DataModel[0].SavedQuery[FARES];
  return { TableName: table, KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :sk AND :sk2', ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
    ExpressionAttributeValues: { ':pk': { S: q.PK }, ':sk': { S: q.SK.values[0] }, ':sk2': { S: q.SK.values[1] } }, ReturnConsumedCapacity: 'TOTAL' };
};

/** Runs the fares access pattern by keyboard on the Model tab; its result line. */
async function runFares(page) {
  await tabTo(page, `button[aria-label="Run ${FARES}"]`);
  await page.keyboard.press('Enter');
  const sel = `tr[data-pattern="${FARES}"] .pattern-result`;
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.includes('RCU'), { timeout: 30000 }, sel);
  return page.$eval(sel, (el) => el.textContent);
}

describe('console: a --seed model\'s facets, aggregate view and access patterns', () => {
  let stack;
  let client;
  let dir;
  before(async () => {
    // FlightsFares as it is (no BillingMode: provisioned, 5 and 5), and a copy billed on demand
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-model-'));
    const onDemand = model('FlightsFares.json');
    Object.assign(onDemand.DataModel[0], { TableName: 'fares', BillingMode: 'PAY_PER_REQUEST' });
    fs.writeFileSync(path.join(dir, 'fares.json'), JSON.stringify(onDemand));
    stack = await startStack(['--admin', ...['AnOnlineShop_facets.json', 'RecurringPaymentsSchema.json', 'FlightsFares.json']
      .flatMap((f) => ['--seed', path.join(MODELS, f)]), '--seed', path.join(dir, 'fares.json')]);
    client = makeClients(stack.server.endpoint).client;
  });
  after(async () => {
    await stopStack(stack);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const [file, table] of [['AnOnlineShop_facets.json', 'OnlineShop'], ['RecurringPaymentsSchema.json', 'ReoccuringPayments']]) {
    test(`${file}: its facets under their key aliases, and every item under its partition`, async () => step(stack, `model-${table}`, async () => {
      const { page } = stack;
      const t = model(file).DataModel[0];
      await openModel(stack, table);
      await waitText(page, '#model-from', `From model ${model(file).ModelName} (--seed ${path.join(MODELS, file)})`);
      assert.deepEqual(await facetsOnPage(page), facetsOf(t));
      const items = await scanAll(client, table);
      const parts = aggregateOf(items);
      assert.deepEqual(await aggregateOnPage(page), parts);
      assert.equal(await page.$eval('#aggregate-count', (el) => el.textContent),
        `${parts.length} partition${parts.length === 1 ? '' : 's'}, ${items.length} items`);
      // the overview names the seeded model's facets too
      await page.goto(`${stack.base}#/table/${table}`);
      await page.waitForSelector('#facets tbody tr');
      assert.deepEqual(await page.$$eval('#facets tbody tr td:first-child', (tds) => tds.map((td) => td.textContent)),
        t.TableFacets.map((f) => f.FacetName));
    }));
  }

  test('a saved query run as an access pattern: the SDK\'s consumed capacity, priced from /ddbd/usage', async () => {
    const { page } = stack;
    const prices = (await (await fetch(`${stack.server.endpoint}/ddbd/usage`)).json()).prices.tableClasses
      .find((r) => r.tableClass === 'STANDARD');
    for (const table of ['data', 'fares']) {
      await step(stack, `pattern-${table}`, async () => {
        await openModel(stack, table);
        const shown = await runFares(page);
        const want = await client.send(new QueryCommand(faresQuery(table)));
        assert.equal(want.Count, 4);
        const units = want.ConsumedCapacity.CapacityUnits;
        assert.ok(units > 0);
        const price = readPrice(units, prices);
        assert.equal(shown, table === 'data'
          ? `4 items · ${units} RCU of the table's 5 provisioned read capacity units a second · on demand ${price}`
          : `4 items · ${units} RCU · ${price}`);
        // its items shown below, the Query's own
        const keys = await page.$$eval('#pattern-items tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
        assert.deepEqual(keys, want.Items.map((i) => `${i.PK.S} · ${i.SK.S}`));
      });
    }
  });
});

describe('console: an imported model on a server without --admin', () => {
  let stack;
  before(async () => {
    stack = await startStack([]);
    await stack.page.goto(`${stack.base}#/tables`);
    await stack.page.waitForSelector('#model-file');
  });
  after(async () => stopStack(stack));

  test('its facets and access pattern from this browser; the cost said to need the price table', async () => step(stack, 'model-imported', async () => {
    const { page } = stack;
    for (const file of ['AnOnlineShop_facets.json', 'FlightsFares.json']) {
      await (await page.$('#model-file')).uploadFile(path.join(MODELS, file));
      await tabTo(page, '#model-import');
      await page.keyboard.press('Enter');
      await waitText(page, '#model-status', `Model ${model(file).ModelName}: 1 table created`);
    }
    await openModel(stack, 'OnlineShop');
    await waitText(page, '#model-from', 'From the model imported in this browser.');
    assert.deepEqual(await facetsOnPage(page), facetsOf(model('AnOnlineShop_facets.json').DataModel[0]));
    await openModel(stack, 'data');
    const shown = await runFares(page);
    assert.match(shown, /^4 items · [0-9.]+ RCU of the table's 5 provisioned read capacity units a second · no price: the price table is GET \/ddbd\/usage's, read only with --admin/);
  }));
});

describe('console: the seeded models under --auth', () => {
  let stack;
  let dir;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-model-'));
    fs.writeFileSync(path.join(dir, 'keys'), 'AKIDADMIN adminsecret 000000000000 name=admin rights=admin\n'
      + 'AKIDREADER readersecret 000000000000 name=reader allow=read\n');
    stack = await startStack(['--auth', path.join(dir, 'keys'), '--admin', '--seed', path.join(MODELS, 'AnOnlineShop_facets.json')]);
  });
  after(async () => {
    await stopStack(stack);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function signIn(page, id, secret) {
    await page.waitForSelector('#sign-in');
    await page.type('#key-id', id);
    await page.type('#key-secret', secret);
    await page.keyboard.press('Enter');
    await waitText(page, '#who', `key ${id}`);
  }

  test('a key without rights=admin: asked once, said so, the aggregate view still drawn', async () => step(stack, 'model-auth-reader', async () => {
    const { page } = stack;
    await page.goto(stack.base);
    await signIn(page, 'AKIDREADER', 'readersecret');
    await openModel(stack, 'OnlineShop');
    await waitText(page, '#model-from', 'this key may not read the seeded ones (GET /ddbd/models asks rights=admin)');
    assert.equal(await page.$('#facet-views'), null);
    assert.equal(await page.$$eval('#aggregate-table tbody.partition tr', (trs) => trs.length), 20);
    // the overview and the tab again: not asked again (one refused request in all)
    await page.goto(`${stack.base}#/table/OnlineShop`);
    await page.waitForSelector('#overview');
    assert.equal(await page.$('#facets'), null);
    await openModel(stack, 'OnlineShop');
  }, [/status of 400 .*\/ddbd\/models"/]));

  test('a key with rights=admin: the seeded model\'s facets', async () => step(stack, 'model-auth-admin', async () => {
    const { page } = stack;
    await page.click('#who button'); // sign out
    await signIn(page, 'AKIDADMIN', 'adminsecret');
    await openModel(stack, 'OnlineShop');
    await waitText(page, '#model-from', 'From model AnOnlineShop');
    assert.deepEqual(await facetsOnPage(page), facetsOf(model('AnOnlineShop_facets.json').DataModel[0]));
  }));
  /** The Items screen of OnlineShop, its first page read and its consumed capacity said. */
  async function itemsCapacity(page) {
    await page.goto(`${stack.base}#/items/OnlineShop`);
    await waitText(page, '#page-info', 'Page 1: ');
    await waitText(page, '#page-capacity', 'RCU');
    return page.$eval('#page-capacity', (el) => el.textContent);
  }

  test('the Items screen: a page\'s units for any key, the price table asked for a saved operation\'s run only',
    async () => step(stack, 'model-auth-items', async () => {
      const { page } = stack;
      // a key without rights=admin: the units, no request to the door (a refusal would be a console error)
      await page.click('#who button');
      await signIn(page, 'AKIDREADER', 'readersecret');
      assert.match(await itemsCapacity(page), /^Consumed by this page's 1 request: [0-9.]+ RCU.* · no price: under --auth the price table \(GET \/ddbd\/usage, rights=admin\) is read for a saved operation's run$/);
      // the admin key: a saved operation run from its list is priced
      await page.click('#who button');
      await signIn(page, 'AKIDADMIN', 'adminsecret');
      await itemsCapacity(page);
      await page.evaluate(() => document.activeElement.blur());
      await page.keyboard.press('s');
      await page.keyboard.type('first page');
      await page.keyboard.press('Enter');
      await page.evaluate(() => document.activeElement.blur());
      await page.keyboard.press('o');
      await page.keyboard.press('Enter');
      await waitText(page, '#page-capacity', 'per million runs');
      assert.match(await page.$eval('#page-capacity', (el) => el.textContent),
        /^Consumed by this page's 1 request: 0\.5 RCU of the table's 5 provisioned read capacity units a second · on demand \$[0-9.]+ per run · \$[0-9.]+ per million runs$/);
    }));
});
