// The Tables screen's import of a NoSQL Workbench model (issue 76, item 2), in Debian's headless
// Chromium, by keyboard: real public models (tests/compat/seed_workbench, README.md names their
// sources) chosen in the file field and imported with Enter; each table, index and item the server
// then holds is compared through the SDK with the model file, as tests/compat/test_seed_workbench.py
// compares --seed's. A model whose sample data is not DynamoDB JSON shows the API's own refusal.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';

import { makeClients } from '../js/helpers.mjs';
import { scanAll, startStack, step, stopStack, tabTo, waitText } from './stack.mjs';

const { DescribeTableCommand, ListTablesCommand, QueryCommand } = createRequire(new URL('../js/helpers.mjs', import.meta.url))(
  '@aws-sdk/client-dynamodb');

const MODELS = new URL('../compat/seed_workbench/', import.meta.url).pathname;
const model = (name) => JSON.parse(fs.readFileSync(path.join(MODELS, name), 'utf8'));

const keySchema = (keys) => [['PartitionKey', 'HASH'], ['SortKey', 'RANGE']].filter(([k]) => keys[k])
  .map(([k, type]) => ({ AttributeName: keys[k].AttributeName, KeyType: type }));
const sorted = (items) => items.map((i) => JSON.stringify(i, Object.keys(i).sort())).sort();

/** The model's items of table t (its TableData's, then each facet's; the last of a key kept). */
function itemsOf(t) {
  const key = keySchema(t.KeyAttributes).map((k) => k.AttributeName);
  const byKey = new Map();
  for (const it of [...(t.TableData || []), ...(t.TableFacets || []).flatMap((f) => f.TableData || [])]) {
    byKey.set(JSON.stringify(key.map((k) => it[k])), it);
  }
  return [...byKey.values()];
}

/** Every table of the model as the server describes and scans it, against the file. */
async function checkModel(client, m) {
  for (const t of m.DataModel) {
    const d = (await client.send(new DescribeTableCommand({ TableName: t.TableName }))).Table;
    assert.deepEqual(d.KeySchema, keySchema(t.KeyAttributes));
    const billing = t.BillingMode ?? 'PROVISIONED';
    assert.equal(d.BillingModeSummary?.BillingMode ?? 'PROVISIONED', billing);
    const cap = t.ProvisionedCapacitySettings?.ProvisionedThroughput ?? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
    if (billing === 'PROVISIONED') assert.equal(d.ProvisionedThroughput.ReadCapacityUnits, cap.ReadCapacityUnits);
    const got = Object.fromEntries((d.GlobalSecondaryIndexes || []).map((g) => [g.IndexName, g]));
    assert.deepEqual(Object.keys(got).sort(), (t.GlobalSecondaryIndexes || []).map((g) => g.IndexName).sort());
    for (const g of t.GlobalSecondaryIndexes || []) {
      assert.deepEqual(got[g.IndexName].KeySchema, keySchema(g.KeyAttributes));
      assert.equal(got[g.IndexName].Projection.ProjectionType, (g.Projection ?? { ProjectionType: 'ALL' }).ProjectionType);
      assert.deepEqual([...(got[g.IndexName].Projection.NonKeyAttributes || [])].sort(), [...(g.Projection?.NonKeyAttributes || [])].sort());
    }
    const want = itemsOf(t);
    assert.ok(want.length > 0);
    assert.deepEqual(sorted(await scanAll(client, t.TableName)), sorted(want));
  }
}

/** Chooses `file` in the model field and presses Enter on Import model, as a keyboard user does. */
async function importFile(page, file) {
  const input = await page.$('#model-file');
  await input.uploadFile(path.join(MODELS, file));
  await tabTo(page, '#model-import');
  await page.keyboard.press('Enter');
}

describe('console: import a NoSQL Workbench model', () => {
  let stack;
  let client;
  before(async () => {
    stack = await startStack([]);
    client = makeClients(stack.server.endpoint).client;
    await stack.page.goto(`${stack.base}#/tables`);
    await stack.page.waitForSelector('#model-file');
  });
  after(async () => stopStack(stack));

  test('real models of three authors: every table, index and item as the file has them', async () => {
    const { page } = stack;
    const files = ['BankModel.json', 'RecurringPaymentsSchema.json', 'AnOnlineShop_facets.json'];
    for (const file of files) {
      await step(stack, `import-${file}`, async () => {
        const m = model(file);
        const items = m.DataModel.reduce((n, t) => n + itemsOf(t).length, 0);
        const tables = m.DataModel.length;
        await importFile(page, file);
        await waitText(page, '#model-status', `Model ${m.ModelName}: ${tables} table${tables === 1 ? '' : 's'} created, ${items} items put`);
        await checkModel(client, m);
        // the list shows the new tables
        for (const t of m.DataModel) await waitText(page, '#table-list', t.TableName);
      });
    }
    const names = (await client.send(new ListTablesCommand({}))).TableNames;
    assert.deepEqual(names.sort(), ['OnlineShop', 'PaymentScheduler', 'ReoccuringPayments', 'TransactionHistory']);
  });

  test('its facets on the table\'s overview; its saved queries among the saved operations, run by Enter', async () => {
    const { page } = stack;
    await step(stack, 'facets', async () => {
      await page.goto(`${stack.base}#/table/OnlineShop`);
      await page.waitForSelector('#facets tbody tr');
      const rows = await page.$$eval('#facets tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      const facets = model('AnOnlineShop_facets.json').DataModel[0].TableFacets;
      assert.deepEqual(rows, facets.map((f) => [f.FacetName, f.KeyAttributeAlias.PartitionKeyAlias, f.KeyAttributeAlias.SortKeyAlias,
        f.NonKeyAttributes.join(', ')]));
    });
    await step(stack, 'saved-query', async () => {
      await page.goto(`${stack.base}#/tables`);
      await page.waitForSelector('#model-file');
      await importFile(page, 'FlightsFares.json');
      await waitText(page, '#model-status', 'Model Reservations: 1 table created');
      await page.goto(`${stack.base}#/items/data`);
      await page.waitForSelector('#saved-list');
      const name = 'Get flights and fares';
      assert.deepEqual(await page.$$eval('#saved-list option', (os) => os.map((o) => o.value)), [name]);
      await tabTo(page, '#saved-list');
      await page.keyboard.press('Enter'); // loads the saved operation and runs it
      const q = model('FlightsFares.json').DataModel[0].SavedQuery[name];
      const want = await client.send(new QueryCommand({ TableName: 'data', KeyConditionExpression: 'PK = :p AND SK BETWEEN :a AND :b',
        ExpressionAttributeValues: { ':p': { S: q.PK }, ':a': { S: q.SK.values[0] }, ':b': { S: q.SK.values[1] } } }));
      assert.equal(want.Count, 4);
      await page.waitForFunction((n) => document.querySelectorAll('#results tbody tr').length === n, { timeout: 30000 }, want.Count);
      const sks = await page.$$eval('#results tbody tr', (trs) => trs.map((tr) => tr.querySelectorAll('td.val')[1].firstChild.textContent));
      assert.deepEqual(sks.sort(), want.Items.map((i) => i.SK.S).sort());
    });
  });

  test('a model whose sample data is not DynamoDB JSON: the API\'s refusal shown', async () => {
    const { page } = stack;
    await step(stack, 'import-refused', async () => {
      await page.goto(`${stack.base}#/tables`);
      await page.waitForSelector('#model-file');
      await importFile(page, 'GamePlayerProfilesSchema.json');
      await waitText(page, '[role=alert]', 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
      await waitText(page, '#model-status', 'GamePlayerProfilesSchema.json: stopped');
    }, [/status of 400/]);
  });

  test('a file that is not a model is named so', async () => {
    const { page } = stack;
    await step(stack, 'import-not-a-model', async () => {
      await importFile(page, 'README.md');
      await waitText(page, '[role=alert]', 'not JSON');
    });
  });
});
