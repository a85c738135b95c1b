// dynamodb-admin (npm `dynamodb-admin`, the most used local DynamoDB GUI) against ddbd, driven in
// Debian's headless Chromium as a user would: the table list, the Create Table form (with a global
// index), creating, editing and deleting an item in its editor, scan and query (on the table and on
// the index) through its search form, the Get, Meta and TTL tabs, purging and deleting a table.
// Every step asserts what the page shows, and what ddbd then holds.
//
// Its Create Table form sends ReadCapacityUnits as the string "3": DynamoDB answers
// SerializationException, and so does ddbd by default (the first test shows the page's error);
// `ddbd --lenient-numbers` accepts it as DynamoDB Local does, and the rest runs with it.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';

import { DeleteItemCommand, DescribeTableCommand, DescribeTimeToLiveCommand, GetItemCommand, ListTablesCommand,
  PutItemCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';

import { createTable, freePort, makeClients, startServer, stopServer } from '../js/helpers.mjs';
import { launchBrowser, startProgram, stopProgram } from './browser.mjs';

const ADMIN = createRequire(import.meta.url).resolve('dynamodb-admin/dist/dynamodb-admin.js');

/** ddbd with `ddbdArgs`, dynamodb-admin pointed at it by DYNAMO_ENDPOINT, and a browser page. */
async function startStack(ddbdArgs) {
  const stack = {};
  stack.server = await startServer(['--in-memory', ...ddbdArgs]);
  stack.client = makeClients(stack.server.endpoint).client;
  const port = await freePort();
  stack.base = `http://127.0.0.1:${port}`;
  stack.admin = await startProgram(ADMIN, ['--host', '127.0.0.1', '--port', String(port)],
    { DYNAMO_ENDPOINT: stack.server.endpoint, AWS_REGION: 'us-east-1' }, `${stack.base}/assets/css/bootstrap.min.css`);
  stack.chromium = await launchBrowser();
  stack.page = await stack.chromium.browser.newPage();
  stack.dialogs = [];
  stack.page.on('dialog', (d) => { stack.dialogs.push(d.message()); d.accept(); });
  return stack;
}

async function stopStack(stack) {
  if (stack.chromium) await stack.chromium.close();
  await stopProgram(stack.admin);
  await stopServer(stack.server);
}

/** Fills dynamodb-admin's Create Table form; `index` adds one secondary index. */
async function fillCreateTable(stack, { name, hash, range, rangeType, index }) {
  const { page } = stack;
  await page.goto(`${stack.base}/create-table`);
  await page.type('#TableName', name);
  await page.type('#HashAttributeName', hash);
  if (range) {
    await page.type('#RangeAttributeName', range);
    await page.select('select[name=RangeAttributeType]', rangeType);
  }
  if (index) {
    await page.click('#new-index');
    await page.type('input[name=secondary-index-1-IndexName]', index.name);
    await page.type('input[name=secondary-index-1-HashAttributeName]', index.hash);
    await page.select('select[name=secondary-index-1-HashAttributeType]', 'S');
  }
}

/** The error banner's text ('' while there is none). */
function errorText(page) {
  return page.$eval('#error-wrapper', (e) => e.textContent.trim());
}

/** The table list on the home page: [{ name, count }]. */
async function tableList(stack) {
  await stack.page.goto(`${stack.base}/`);
  return stack.page.$$eval('#table-list .list-group-item', (items) => items.map((li) => ({
    name: li.dataset.tableName,
    count: li.querySelector('.badge-secondary').textContent.trim(),
  })));
}

/** Waits for the items page to render its results; resolves to { columns, rows, error, showing }. */
async function renderedItems(page) {
  await page.waitForFunction(() => document.querySelector('#table-placeholder').classList.contains('d-none') ||
    document.querySelector('#error-wrapper').textContent.trim() !== '', { timeout: 10000 });
  return page.evaluate(() => ({
    error: document.querySelector('#error-wrapper').textContent.trim(),
    columns: [...document.querySelectorAll('#actions-row th')].map((th) => th.textContent.trim()),
    rows: [...document.querySelectorAll('#items-container tr')].map((tr) =>
      [...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent.trim())),
    showing: document.querySelector('.item-count').textContent.replace(/\s+/g, ' ').trim(),
    noResults: !document.querySelector('.no-results').classList.contains('d-none'),
  }));
}

/** Opens the items page, sets the search form (operation, index, key/filter rows) and submits it. */
async function search(stack, table, { operation = 'scan', index, filters = [] }) {
  const { page } = stack;
  await page.goto(`${stack.base}/tables/${table}`);
  await renderedItems(page);
  await page.select('select[name=operationType]', operation);
  if (index) await page.select('select[name=queryableSelection]', index);
  for (const f of filters) {
    // a key row dynamodb-admin added for the query (hash and range key), or a new filter row
    const filled = await page.evaluate((key, value, type, operator) => {
      for (const row of document.querySelectorAll('#filters-table tr')) {
        if (row.querySelector('.filter-row-key').value === key) {
          row.querySelector('.filter-row-value').value = value;
          if (type) row.querySelector('.filter-row-type').value = type;
          if (operator) row.querySelector('.filter-row-operator').value = operator;
          return true;
        }
      }
      return false;
    }, f.key, f.value, f.type, f.operator);
    if (!filled) {
      await page.evaluate((key, value, type, operator) => {
        let row = [...document.querySelectorAll('#filters-table tr')].find((r) => r.querySelector('.filter-row-key').value === '');
        if (!row) {
          document.querySelector('#add-filter').click();
          row = document.querySelector('#filters-table tr:last-child');
        }
        row.querySelector('.filter-row-key').value = key;
        row.querySelector('.filter-row-value').value = value;
        row.querySelector('.filter-row-type').value = type;
        row.querySelector('.filter-row-operator').value = operator;
      }, f.key, f.value, f.type || 'S', f.operator || '=');
    }
  }
  await Promise.all([page.waitForNavigation(), page.click('#form button[type=submit]')]);
  return renderedItems(page);
}

const editorValue = (page) => page.evaluate(() => JSON.parse(editor.getValue()));

async function getItem(client, TableName, owner, name) {
  const { Item } = await client.send(new GetItemCommand({
    TableName, Key: { owner: { S: owner }, name: { S: name } }, ConsistentRead: true,
  }));
  return Item;
}

describe('dynamodb-admin against ddbd without --lenient-numbers', () => {
  let stack;
  before(async () => { stack = await startStack([]); });
  after(async () => { await stopStack(stack); });

  test("Create Table shows DynamoDB's SerializationException and creates nothing", async () => {
    await fillCreateTable(stack, { name: 'strict_pets', hash: 'owner' });
    await stack.page.click('#saveButton');
    await stack.page.waitForFunction(() => document.querySelector('#error-wrapper').textContent.trim() !== '');
    assert.equal(await errorText(stack.page), 'class java.lang.String can not be converted to an Long');
    assert.match(stack.page.url(), /\/create-table$/);
    const { TableNames } = await stack.client.send(new ListTablesCommand({}));
    assert.deepEqual(TableNames, []);
  });
});

describe('dynamodb-admin against ddbd --lenient-numbers', () => {
  let stack;
  const T = 'admin_pets';
  before(async () => { stack = await startStack(['--lenient-numbers']); });
  after(async () => {
    if (stack?.admin) process.stderr.write(stack.admin.output().split('\n').filter((l) => /Error|Exception/.test(l)).join('\n'));
    await stopStack(stack);
  });

  test('the table list shows the tables with their item counts', async () => {
    const other = await createTable(stack.client, 'listed');
    await stack.client.send(new PutItemCommand({ TableName: other, Item: { pk: { S: 'a' } } }));
    const tables = await tableList(stack);
    assert.deepEqual(tables, [{ name: other, count: '1' }]);
    assert.equal(await errorText(stack.page), '');
  });

  test('Create Table through the form, with a global secondary index', async () => {
    await fillCreateTable(stack, { name: T, hash: 'owner', range: 'name', rangeType: 'S', index: { name: 'byBreed', hash: 'breed' } });
    await Promise.all([stack.page.waitForNavigation(), stack.page.click('#saveButton')]);
    assert.equal(stack.page.url(), `${stack.base}/`); // the form goes back to the list when it succeeded
    const listed = await stack.page.$$eval('#table-list .list-group-item', (items) => items.map((li) => li.dataset.tableName));
    assert.ok(listed.includes(T), `${T} not in ${listed}`);
    const { Table } = await stack.client.send(new DescribeTableCommand({ TableName: T }));
    assert.deepEqual(Table.KeySchema, [{ AttributeName: 'owner', KeyType: 'HASH' }, { AttributeName: 'name', KeyType: 'RANGE' }]);
    assert.equal(Table.ProvisionedThroughput.ReadCapacityUnits, 3); // the form's "3", read as the number 3
    assert.equal(Table.ProvisionedThroughput.WriteCapacityUnits, 3);
    assert.equal(Table.GlobalSecondaryIndexes[0].IndexName, 'byBreed');
    assert.equal(Table.GlobalSecondaryIndexes[0].ProvisionedThroughput.ReadCapacityUnits, 3);
  });

  test('Create item in the editor, then edit it', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}/tables/${T}/add-item`);
    assert.deepEqual(await editorValue(page), { owner: '', name: '' }); // a template from the key schema
    await page.evaluate(() => editor.setValue(JSON.stringify({ owner: 'alice', name: 'Tom', breed: 'tabby', age: 3 })));
    await Promise.all([page.waitForNavigation(), page.click('#saveButton')]);
    assert.equal(decodeURIComponent(page.url()), `${stack.base}/tables/${T}/items/alice,Tom`);
    assert.deepEqual(await editorValue(page), { owner: 'alice', name: 'Tom', breed: 'tabby', age: 3 });
    assert.deepEqual(await getItem(stack.client, T, 'alice', 'Tom'),
      { owner: { S: 'alice' }, name: { S: 'Tom' }, breed: { S: 'tabby' }, age: { N: '3' } });

    // edit: the page PUTs the editor's JSON and shows what GetItem then answers
    await page.evaluate(() => editor.setValue(JSON.stringify({ owner: 'alice', name: 'Tom', breed: 'tabby', age: 4, toys: ['ball'] })));
    const saved = page.waitForResponse((r) => r.request().method() === 'PUT');
    await page.click('#saveButton');
    assert.equal((await saved).status(), 200);
    await page.waitForFunction(() => JSON.parse(editor.getValue()).age === 4);
    assert.deepEqual(await editorValue(page), { owner: 'alice', name: 'Tom', breed: 'tabby', age: 4, toys: ['ball'] });
    assert.equal(await errorText(page), '');
    const item = await getItem(stack.client, T, 'alice', 'Tom');
    assert.deepEqual(item.age, { N: '4' });
    assert.deepEqual(item.toys, { L: [{ S: 'ball' }] });
  });

  test('scan, scan with a filter, query on the key and on the index', async () => {
    for (const [owner, name, breed, age] of [['alice', 'Felix', 'siamese', 5], ['bob', 'Salem', 'tabby', 8]]) {
      await stack.client.send(new PutItemCommand({ TableName: T, Item: {
        owner: { S: owner }, name: { S: name }, breed: { S: breed }, age: { N: String(age) } } }));
    }
    const all = await search(stack, T, {});
    assert.equal(all.error, '');
    assert.deepEqual(all.columns.slice(0, 3), ['Actions', 'owner', 'name']); // key attributes first
    assert.deepEqual(all.rows.map((r) => r.slice(0, 2).join('/')).sort(), ['"alice"/"Felix"', '"alice"/"Tom"', '"bob"/"Salem"']);
    assert.match(all.showing, /showing 1 - 3/);

    const old = await search(stack, T, { filters: [{ key: 'age', type: 'N', operator: '>', value: '4' }] });
    assert.equal(old.error, '');
    assert.deepEqual(old.rows.map((r) => r[1]).sort(), ['"Felix"', '"Salem"']);

    const alice = await search(stack, T, { operation: 'query', filters: [{ key: 'owner', value: 'alice' }] });
    assert.equal(alice.error, '');
    assert.deepEqual(alice.rows.map((r) => r[1]), ['"Felix"', '"Tom"']); // in range key order

    const prefix = await search(stack, T, { operation: 'query',
      filters: [{ key: 'owner', value: 'alice' }, { key: 'name', operator: 'begins_with', value: 'T' }] });
    assert.equal(prefix.error, '');
    assert.deepEqual(prefix.rows.map((r) => r[1]), ['"Tom"']);

    const tabbies = await search(stack, T, { operation: 'query', index: 'byBreed', filters: [{ key: 'breed', value: 'tabby' }] });
    assert.equal(tabbies.error, '');
    assert.deepEqual(tabbies.rows.map((r) => r[1]).sort(), ['"Salem"', '"Tom"']);

    const none = await search(stack, T, { operation: 'query', filters: [{ key: 'owner', value: 'nobody' }] });
    assert.equal(none.error, '');
    assert.ok(none.noResults);
  });

  test('the Get, Meta and TTL tabs', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}/tables/${T}/get`);
    await page.type('input[name=hash]', 'bob');
    await page.type('input[name=range]', 'Salem');
    await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
    assert.equal(page.url(), `${stack.base}/tables/${T}/items/bob,Salem`);
    assert.deepEqual(await editorValue(page), { owner: 'bob', name: 'Salem', breed: 'tabby', age: 8 });

    const meta = await page.goto(`${stack.base}/tables/${T}/meta`);
    assert.equal(meta.status(), 200);
    const described = await editorValue(page); // DescribeTable's Table, in a read-only editor
    assert.equal(described.TableName, T);
    assert.equal(described.ItemCount, 3);
    assert.equal(described.GlobalSecondaryIndexes[0].IndexName, 'byBreed');

    await stack.client.send(new UpdateTimeToLiveCommand({ TableName: T,
      TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires' } }));
    const ttl = await page.goto(`${stack.base}/tables/${T}/ttl`);
    assert.equal(ttl.status(), 200);
    const ttlText = await page.$eval('body', (b) => b.innerText);
    assert.match(ttlText, /expires/);
    assert.match(ttlText, /ENABLED/);
    const { TimeToLiveDescription } = await stack.client.send(new DescribeTimeToLiveCommand({ TableName: T }));
    assert.equal(TimeToLiveDescription.TimeToLiveStatus, 'ENABLED');
  });

  test('Delete an item from its page', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}/tables/${T}/items/alice,Tom`);
    await Promise.all([page.waitForNavigation(), page.click('button.btn-danger')]);
    assert.equal(page.url(), `${stack.base}/tables/${T}`);
    const left = await renderedItems(page);
    assert.equal(left.error, '');
    assert.deepEqual(left.rows.map((r) => r[1]).sort(), ['"Felix"', '"Salem"']);
    assert.equal(await getItem(stack.client, T, 'alice', 'Tom'), undefined);
  });

  test('numeric keys, a local index, and paging through more items than a page holds', async () => {
    const { page } = stack;
    await fillCreateTable(stack, { name: 'admin_scores', hash: 'game', range: 'score', rangeType: 'N' });
    await page.select('select[name=HashAttributeType]', 'N');
    await page.click('#new-index');
    await page.type('input[name=secondary-index-1-IndexName]', 'byPlayer');
    await page.select('select[name=secondary-index-1-IndexType]', 'local');
    await page.type('input[name=secondary-index-1-HashAttributeName]', 'game');
    await page.select('select[name=secondary-index-1-HashAttributeType]', 'N');
    await page.type('input[name=secondary-index-1-RangeAttributeName]', 'player');
    await page.select('select[name=secondary-index-1-RangeAttributeType]', 'S');
    await Promise.all([page.waitForNavigation(), page.click('#saveButton')]);
    assert.equal(page.url(), `${stack.base}/`, await errorText(page));
    const { Table } = await stack.client.send(new DescribeTableCommand({ TableName: 'admin_scores' }));
    assert.equal(Table.LocalSecondaryIndexes[0].IndexName, 'byPlayer');
    assert.deepEqual(Table.LocalSecondaryIndexes[0].KeySchema.map((k) => k.AttributeName), ['game', 'player']);

    for (let i = 0; i < 30; i++) {
      await stack.client.send(new PutItemCommand({ TableName: 'admin_scores', Item: {
        game: { N: '7' }, score: { N: String(i) }, player: { S: `p${String(i).padStart(2, '0')}` } } }));
    }
    // the first page holds 25 items; "Next Page" continues from the 25th's key
    const first = await search(stack, 'admin_scores', { operation: 'query', filters: [{ key: 'game', type: 'N', value: '7' }] });
    assert.equal(first.error, '');
    assert.equal(first.rows.length, 25);
    assert.deepEqual(first.rows.map((r) => Number(r[1])), [...Array(25).keys()]);
    const next = await page.$eval('.page-link-next', (a) => a.href);
    await page.goto(next);
    const second = await renderedItems(page);
    assert.equal(second.error, '');
    assert.deepEqual(second.rows.map((r) => Number(r[1])), [25, 26, 27, 28, 29]);

    // an item with a numeric key opens, is edited and deleted by its page
    await page.goto(`${stack.base}/tables/admin_scores/items/7,29`);
    assert.deepEqual(await editorValue(page), { game: 7, score: 29, player: 'p29' });
    await Promise.all([page.waitForNavigation(), page.click('button.btn-danger')]);
    const { Item } = await stack.client.send(new GetItemCommand({ TableName: 'admin_scores',
      Key: { game: { N: '7' }, score: { N: '29' } } }));
    assert.equal(Item, undefined);
  });

  test('Purge and Delete from the table list', async () => {
    const { page } = stack;
    let tables = await tableList(stack);
    assert.deepEqual(tables.find((t) => t.name === T), { name: T, count: '2' });
    // Purge (BatchWriteItem of every key a projected Scan found), after the browser's confirm()
    await Promise.all([page.waitForNavigation(), page.evaluate((t) => purgeTable(t), T)]);
    assert.equal(await errorText(page), '');
    const purged = await stack.client.send(new DescribeTableCommand({ TableName: T }));
    assert.equal(purged.Table.ItemCount, 0);
    await stack.client.send(new DeleteItemCommand({ TableName: T, Key: { owner: { S: 'x' }, name: { S: 'y' } } }));

    const link = await page.$(`#table-list .list-group-item[data-table-name="${T}"] .badge-danger`);
    await Promise.all([page.waitForNavigation(), link.click()]);
    assert.ok(stack.dialogs.some((m) => m === `Are you sure you want to delete table "${T}"?`), stack.dialogs.join('; '));
    tables = await stack.page.$$eval('#table-list .list-group-item', (items) => items.map((li) => li.dataset.tableName));
    assert.ok(!tables.includes(T), `${T} still listed: ${tables}`);
    const { TableNames } = await stack.client.send(new ListTablesCommand({}));
    assert.ok(!TableNames.includes(T));
  });
});
