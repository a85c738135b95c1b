// The console's daily work (issue 65, item 5), in Debian's headless Chromium, each action by its key:
// the list of keys ('?'); a Query on a global index by its key names, the sort key's conditions
// offered with its name ('i'); saved operations ('s', 'o') and the history of those sent, run again
// ('h'), a write too; the page and the whole result downloaded as DynamoDB JSON, plain JSON and CSV,
// a long read stopped ('e'); two items ('c', and the rows' Compare) and two tables ('t') compared.
// What the page downloads is read from the download folder; what it changes, through the SDK.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';

import { makeClients } from '../js/helpers.mjs';
import { setValue, startStack, step, stopStack, tabTo, text, waitText } from './stack.mjs';

const { BatchWriteItemCommand, CreateTableCommand, DeleteItemCommand, DeleteTableCommand, GetItemCommand, ScanCommand } = createRequire(
  new URL('../js/helpers.mjs', import.meta.url))('@aws-sdk/client-dynamodb');

const BIG = '12345678901234567890123456789012345678'; // 38 digits: past a double, exact in DynamoDB
const ORDERS = [
  { customer: { S: 'c1' }, order: { N: '1' }, status: { S: 'open' }, placed: { N: '1' }, city: { S: 'Oslo' }, note: { S: 'plain' } },
  { customer: { S: 'c1' }, order: { N: '2' }, status: { S: 'open' }, placed: { N: '2' }, city: { S: 'Oslo' }, total: { N: BIG },
    tags: { SS: ['a', 'b'] }, m: { M: { x: { N: '1' } } }, bin: { B: 'AAH+/w==' } },
  { customer: { S: 'c1' }, order: { N: '3' }, status: { S: 'shipped' }, placed: { N: '3' }, note: { S: 'a, "quoted"\nline' } },
  { customer: { S: 'c1' }, order: { N: '4' }, status: { S: 'open' }, placed: { N: '3' } },
  { customer: { S: 'c2' }, order: { N: '1' }, status: { S: 'open' }, placed: { N: '4' } },
  { customer: { S: 'c2' }, order: { N: '2' }, status: { S: 'shipped' }, placed: { N: '2' } },
  { customer: { S: 'c3' }, order: { N: '1' }, city: { S: 'Rome' } },
];
// the same but c3/1 (only in Orders), c9/1 (only here) and c2/1's placed (differs)
const COPY = [...ORDERS.filter((it) => it.customer.S !== 'c3').map((it) => (it.customer.S === 'c2' && it.order.N === '1'
  ? { ...it, placed: { N: '5' } } : it)), { customer: { S: 'c9' }, order: { N: '1' } }];

const ordersTable = (name) => new CreateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [{ AttributeName: 'customer', AttributeType: 'S' }, { AttributeName: 'order', AttributeType: 'N' },
    { AttributeName: 'status', AttributeType: 'S' }, { AttributeName: 'placed', AttributeType: 'N' }, { AttributeName: 'city', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }, { AttributeName: 'order', KeyType: 'RANGE' }],
  GlobalSecondaryIndexes: [
    { IndexName: 'byStatus', Projection: { ProjectionType: 'ALL' },
      KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'placed', KeyType: 'RANGE' }] },
    { IndexName: 'byCity', Projection: { ProjectionType: 'ALL' }, KeySchema: [{ AttributeName: 'city', KeyType: 'HASH' }] }] });

async function putAll(client, table, items) {
  for (let i = 0; i < items.length; i += 25) {
    await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
}

/** The key cells (customer/order) of the rows on screen, sorted: ['c1/2', 'c1/4']. */
const rowKeys = (page) => page.$$eval('#results tbody tr', (rows) => rows.map((r) => {
  const [c, o] = r.querySelectorAll('td.val');
  return `${c.firstChild.textContent}/${o.firstChild.textContent}`;
}).sort());

/** Waits until the rows on screen are `want`, then checks them: a new result replaces the last as it
    renders, and its page line ("Page 1: 2 items") may read as the last one's did. */
async function waitRows(page, want) {
  await page.waitForFunction((w) => JSON.stringify([...document.querySelectorAll('#results tbody tr')].map((r) => {
    const [c, o] = r.querySelectorAll('td.val');
    return c && o ? `${c.firstChild.textContent}/${o.firstChild.textContent}` : '';
  }).sort()) === w, { timeout: 30000 }, JSON.stringify(want)).catch(() => {});
  assert.deepEqual(await rowKeys(page), want);
}

/** Presses the button `label` of the row whose key is customer/order. */
async function rowButton(page, key, label) {
  const done = await page.$$eval('#results tbody tr', (rows, k, l) => {
    const tr = rows.find((r) => {
      const [c, o] = r.querySelectorAll('td.val');
      return `${c.firstChild.textContent}/${o.firstChild.textContent}` === k;
    });
    const b = tr && [...tr.querySelectorAll('button')].find((x) => x.textContent === l);
    b?.click();
    return Boolean(b);
  }, key, label);
  assert.ok(done, `no row ${key} with ${label}`);
}

/** The SDK's items as the API's JSON has them (binary as base64). */
const wire = (x) => JSON.parse(JSON.stringify(x, (k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v)));

const focused = (page) => page.evaluate(() => document.activeElement?.id);

/** Presses `key` until the focused select's value is `want`. */
async function pressUntil(page, key, want) {
  for (let i = 0; i < 12; i++) {
    if (await page.evaluate(() => document.activeElement.value) === want) return;
    await page.keyboard.press(key);
  }
  throw new Error(`${key} never reached ${want}`);
}

describe('console, daily work: every action by its key', () => {
  let stack;
  let client;
  const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-console-downloads-'));

  /** The file the page downloaded as `name` (waited for, read, then removed for the next). */
  async function downloaded(name) {
    const file = path.join(downloads, name);
    // there, and whole: Chromium may show the name before its bytes are written (a CI run read an
    // empty CSV under load), so its size must be non-zero and the same two polls running
    const size = () => (fs.existsSync(file) ? fs.statSync(file).size : -1);
    for (let i = 0, last = -2; i < 1200; i++) {
      const now = size();
      if (now > 0 && now === last) break;
      last = now;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(fs.existsSync(file), `${name} not downloaded: ${fs.readdirSync(downloads)}`);
    const body = fs.readFileSync(file, 'utf8');
    fs.rmSync(file);
    return body;
  }

  before(async () => {
    stack = await startStack([]);
    client = makeClients(stack.server.endpoint).client;
    await stack.chromium.browser.defaultBrowserContext().setDownloadBehavior({ policy: 'allow', downloadPath: downloads });
    await client.send(ordersTable('Orders'));
    await client.send(ordersTable('OrdersCopy'));
    await client.send(new CreateTableCommand({ TableName: 'Keyless', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
    await putAll(client, 'Orders', ORDERS);
    await putAll(client, 'OrdersCopy', COPY);
  });
  after(async () => {
    await stopStack(stack);
    fs.rmSync(downloads, { recursive: true, force: true });
  });

  test('? lists every key the screen answers', async () => step(stack, 'daily-keys', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/items/Orders`);
    await waitText(page, '#page-info', 'Page 1: 7 items');
    assert.equal(await page.$eval('#shortcuts', (el) => el.open), false);
    await page.keyboard.press('?');
    assert.equal(await page.$eval('#shortcuts', (el) => el.open), true);
    assert.deepEqual(await page.$$eval('#shortcuts tbody kbd', (ks) => ks.map((k) => k.textContent)),
      ['?', ']', '[', 'r', 'i', 's', 'o', 'h', 'e', 'c', 't', 'g', 'n']);
    assert.match(await text(page, '#shortcuts'), /h\s*history of the operations sent/);
    await page.keyboard.press('?');
    assert.equal(await page.$eval('#shortcuts', (el) => el.open), false);
  }));

  test('i: a Query on a global index by its key names, the sort key\'s conditions by name', async () => step(stack, 'daily-index', async () => {
    const { page } = stack;
    await page.keyboard.press('i');
    assert.equal(await focused(page), 'index');
    assert.equal(await page.$eval('#mode', (el) => el.value), 'Query');
    assert.equal(await text(page, '#pk-label'), 'Partition key customer (S)');
    assert.equal(await text(page, '#sk-label'), 'Sort key order (N)');
    await pressUntil(page, 'ArrowDown', 'byStatus');
    assert.equal(await text(page, '#pk-label'), 'Partition key status (S)');
    assert.equal(await text(page, '#sk-label'), 'Sort key placed (N)');
    // every condition offered with the key's name; begins_with not on a number (DynamoDB refuses it)
    assert.deepEqual(await page.$$eval('#sk-op option', (os) => os.map((o) => [o.value, o.textContent, o.disabled])), [
      ['=', 'placed = value', false], ['<', 'placed < value', false], ['<=', 'placed <= value', false], ['>', 'placed > value', false],
      ['>=', 'placed >= value', false], ['begins_with', 'begins_with(placed, value)', true], ['between', 'placed between value and value', false]]);
    assert.equal(await page.$eval('#sk-value2', (el) => el.closest('label').hidden), true); // "and" only for between
    await tabTo(page, '#pk-value');
    await page.keyboard.type('open');
    await page.keyboard.press('Tab');
    await pressUntil(page, 'ArrowDown', 'between');
    await page.keyboard.press('Tab');
    await page.keyboard.type('2');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'sk-value2');
    await page.keyboard.type('3');
    await page.keyboard.press('Enter');
    await waitText(page, '#page-info', 'Page 1: 2 items');
    await waitRows(page, ['c1/2', 'c1/4']);
    // an index without a sort key: no sort key to offer
    await page.focus('#index');
    await pressUntil(page, 'ArrowDown', 'byCity');
    assert.equal(await text(page, '#pk-label'), 'Partition key city (S)');
    assert.equal(await page.$eval('#sk-op', (el) => el.closest('label').hidden), true);
    await tabTo(page, '#pk-value');
    await page.$eval('#pk-value', (el) => { el.value = ''; });
    await page.keyboard.type('Oslo');
    await page.keyboard.press('Enter');
    await waitText(page, '#page-info', 'Page 1: 2 items');
    await waitRows(page, ['c1/1', 'c1/2']);
  }));

  test('c: two items side by side, by keyboard and by the rows\' Compare', async () => step(stack, 'daily-compare-items', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/items/Orders`);
    await page.reload();
    await waitText(page, '#page-info', 'Page 1: 7 items');
    await page.keyboard.press('c');
    assert.equal(await focused(page), 'cmp-a-pk');
    await page.keyboard.type('c1');
    await page.keyboard.press('Tab');
    await page.keyboard.type('1');
    await page.keyboard.press('Tab');
    await page.keyboard.type('c1');
    await page.keyboard.press('Tab');
    await page.keyboard.type('2');
    await page.keyboard.press('Enter');
    await waitText(page, '#cmp-items-info', 'A and B: 2 differ, 1 only in A, 4 only in B, 3 same');
    const rows = () => page.$$eval('#cmp-items-out tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.deepEqual(await rows(), [
      ['customer', 'c1', 'c1', 'same'], ['order', '1', '2', 'differ'], ['bin', '', 'b64:AAH+/w==', 'only in B'], ['city', 'Oslo', 'Oslo', 'same'],
      ['m', '', '{x: 1}', 'only in B'], ['note', 'plain', '', 'only in A'], ['placed', '1', '2', 'differ'], ['status', 'open', 'open', 'same'],
      ['tags', '', '{a, b}', 'only in B'], ['total', '', BIG, 'only in B']]);
    // a row's Compare picks A, another's B
    await rowButton(page, 'c1/1', 'Compare');
    await waitText(page, '#cmp-items-info', 'A: customer = "c1", order = "1"; now B');
    await rowButton(page, 'c1/3', 'Compare');
    await waitText(page, '#cmp-items-info', 'A and B: 4 differ, 1 only in A, 1 same');
    assert.deepEqual((await rows()).map((r) => [r[0], r[3]]), [['customer', 'same'], ['order', 'differ'], ['city', 'only in A'],
      ['note', 'differ'], ['placed', 'differ'], ['status', 'differ']]);
    // a key no item has
    await page.$eval('#cmp-b-pk', (el) => { el.value = 'nobody'; });
    await page.click('#cmp-items-run');
    await waitText(page, '#cmp-items .error', 'no item has key B');
  }));

  test('t: this table with another, matched by key, within a bound', async () => step(stack, 'daily-compare-tables', async () => {
    const { page } = stack;
    await page.focus('#next-page').catch(() => {}); // out of the fields, so that t is a key
    await page.evaluate(() => document.activeElement.blur());
    await page.keyboard.press('t');
    await page.waitForFunction(() => document.activeElement?.id === 'cmp-table', { timeout: 30000 });
    assert.deepEqual(await page.$$eval('#cmp-table option', (os) => os.map((o) => o.value)), ['Keyless', 'OrdersCopy']);
    await pressUntil(page, 'ArrowDown', 'OrdersCopy');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'cmp-bound');
    await page.keyboard.press('Enter');
    await waitText(page, '#cmp-tables-info', 'A = Orders (7 items read, all), B = OrdersCopy (7 items read, all): '
      + '1 only in A, 1 only in B, 1 differ, 5 the same');
    assert.equal(await text(page, '#cmp-only-a li'), 'customer = "c3", order = "1"');
    assert.equal(await text(page, '#cmp-only-b li'), 'customer = "c9", order = "1"');
    assert.equal(await text(page, '#cmp-differ summary'), 'customer = "c2", order = "1": placed (differ)');
    // bounded: only the items read are compared, and it says so
    await setValue(page, '#cmp-bound', '3');
    await page.click('#cmp-tables-run');
    await waitText(page, '#cmp-tables-info', 'stopped at 3 items a table');
    assert.match(await text(page, '#cmp-tables-info'), /^A = Orders \(3 items read\), B = OrdersCopy \(3 items read\)/);
    // tables whose keys differ cannot be matched item by item
    await page.select('#cmp-table', 'Keyless');
    await page.click('#cmp-tables-run');
    await waitText(page, '#cmp-tables .error', 'the keys differ: Orders has customer (S), order (N), Keyless has id (S)');
  }));

  test('e: the page and the whole result as DynamoDB JSON, plain JSON and CSV', async () => step(stack, 'daily-export', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/items/Orders`);
    await page.reload();
    await page.waitForSelector('#run');
    await setValue(page, '#limit', '2');
    await page.click('#run');
    await waitText(page, '#page-info', 'Page 1: 2 items');
    await page.keyboard.press('e');
    assert.equal(await focused(page), 'export-format');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'export-run');
    await page.keyboard.press('Enter');
    // the page on screen, as the API answered it
    const first = wire((await client.send(new ScanCommand({ TableName: 'Orders', Limit: 2 }))).Items);
    assert.deepEqual(JSON.parse(await downloaded('Orders-scan-page1.json')), first);
    await waitText(page, '#export-info', 'Orders-scan-page1.json: 2 items (page 1)');
    // the whole result as CSV: every page, a column for every name, the key first
    await page.keyboard.press('e');
    await pressUntil(page, 'ArrowDown', 'csv');
    await page.keyboard.press('Tab');
    await pressUntil(page, 'ArrowDown', 'all');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const csv = await downloaded('Orders-scan-all.csv');
    await waitText(page, '#export-info', 'Orders-scan-all.csv: 7 items (every page: 1 request)');
    const lines = csv.split('\r\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 8);
    const header = lines[0].split(',');
    assert.deepEqual(header.slice(0, 2), ['customer', 'order']);
    assert.deepEqual([...header].sort(), ['bin', 'city', 'customer', 'm', 'note', 'order', 'placed', 'status', 'tags', 'total']);
    const row = (c, o) => lines.find((l) => l.startsWith(`${c},${o},`));
    const cells = (line) => Object.fromEntries(header.map((n, i) => [n, line.match(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)[i].replace(/,$/, '')]));
    assert.deepEqual(cells(row('c1', '2')), { customer: 'c1', order: '2', status: 'open', placed: '2', city: 'Oslo', total: BIG,
      tags: '"[""a"",""b""]"', m: '"{""x"":1}"', bin: 'AAH+/w==', note: '' });
    assert.ok(csv.includes('c1,3,') && csv.includes('"a, ""quoted""\nline"'), csv);
    // plain JSON: numbers as their digits, binary as base64 text
    await page.keyboard.press('e');
    await pressUntil(page, 'ArrowUp', 'plain');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const plain = await downloaded('Orders-scan-all.plain.json');
    assert.equal(JSON.parse(plain).length, 7);
    assert.ok(plain.includes(`"total":${BIG}`) && plain.includes('"bin":"AAH+/w=="') && plain.includes('"m":{"x":1}'), plain);
  }));

  test('e: a whole result of many requests, and one stopped after its first', async () => step(stack, 'daily-export-stop', async () => {
    const { page } = stack;
    // 1,200 items of 1 KB: more than one Scan answer (each at most 1 MB)
    await client.send(new CreateTableCommand({ TableName: 'Wide', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
    await putAll(client, 'Wide', Array.from({ length: 1200 }, (_, i) => ({ id: { S: `w${i}` }, pad: { S: 'x'.repeat(1000) } })));
    await page.goto(`${stack.base}#/items/Wide`);
    await waitText(page, '#page-info', 'Page 1: 50 items');
    await page.select('#export-scope', 'all');
    await page.click('#export-run');
    assert.equal(JSON.parse(await downloaded('Wide-scan-all.json')).length, 1200);
    await waitText(page, '#export-info', 'Wide-scan-all.json: 1200 items (every page: 2 requests)');
    // Stop pressed while the first request is held: the file holds that page, named partial
    let held;
    const seen = new Promise((resolve) => {
      stack.onRequest = (req) => {
        if (!held && req.method() === 'POST' && /\.Scan$/.test(req.headers()['x-amz-target'] || '')) { held = req; resolve(); } else req.continue();
      };
    });
    await page.setRequestInterception(true);
    page.on('request', stack.onRequest);
    try {
      await page.click('#export-run');
      await seen;
      await page.click('#export-stop');
      await held.continue();
      const part = JSON.parse(await downloaded('Wide-scan-all-partial.json'));
      assert.ok(part.length > 0 && part.length < 1200, String(part.length));
      await waitText(page, '#export-info', `Wide-scan-all-partial.json: ${part.length} items (stopped, the pages read: 1 request)`);
    } finally {
      page.off('request', stack.onRequest);
      await page.setRequestInterception(false);
    }
    await client.send(new DeleteTableCommand({ TableName: 'Wide' }));
  }));

  test('s and o: an operation saved by keyboard, then run from the list after a reload', async () => step(stack, 'daily-saved', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/items/Orders`);
    await page.reload();
    await page.waitForSelector('#mode');
    await page.select('#mode', 'Query');
    await page.type('#pk-value', 'c1');
    await page.select('#sk-op', '>=');
    await page.type('#sk-value', '3');
    await page.focus('#run');
    await page.keyboard.press('s');
    assert.equal(await focused(page), 'saved-name');
    await page.keyboard.type('late c1');
    await page.keyboard.press('Enter');
    assert.equal(await page.$eval('#saved-list', (el) => el.value), 'late c1');
    await page.reload();
    await waitText(page, '#page-info', 'Page 1: 7 items');
    await page.keyboard.press('o');
    assert.equal(await focused(page), 'saved-list');
    await page.keyboard.press('Enter');
    await waitText(page, '#page-info', 'Page 1: 2 items');
    await waitRows(page, ['c1/3', 'c1/4']);
    assert.equal(await page.$eval('#pk-value', (el) => el.value), 'c1');
  }));

  test('h: the history of the operations sent, kept over a reload and run again; a write too', async () => step(stack, 'daily-history', async () => {
    const { page } = stack;
    await page.click('#history-clear');
    assert.equal(await text(page, '#history-list'), '(nothing sent yet)');
    await page.select('#mode', 'Query');
    await page.select('#index', '');
    await page.$eval('#pk-value', (el) => { el.value = ''; });
    await page.type('#pk-value', 'c2');
    await page.$eval('#sk-value', (el) => { el.value = ''; });
    await page.click('#run');
    await waitText(page, '#page-info', 'Page 1: 2 items');
    await page.type('#get-pk', 'c1');
    await page.type('#get-sk', '3');
    await page.keyboard.press('Enter');
    await waitText(page, '#page-info', 'The item of that key');
    await page.evaluate(() => document.activeElement.blur());
    await page.keyboard.press('n');
    await setValue(page, '#item-json', JSON.stringify({ customer: { S: 'c5' }, order: { N: '1' }, note: { S: 'replayed' } }));
    await page.focus('#item-json');
    await page.keyboard.down('Control');
    await page.keyboard.press('Enter');
    await page.keyboard.up('Control');
    await page.waitForFunction(() => !document.querySelector('#editor'), { timeout: 30000 });
    await page.reload();
    await waitText(page, '#page-info', 'Page 1: 8 items');
    const lines = () => page.$$eval('#history-list option', (os) => os.map((o) => o.textContent.replace(/^\S+ /, '')));
    assert.deepEqual(await lines(), ['PutItem: customer = "c5", order = "1"', 'GetItem: customer = "c1", order = "3"',
      'Query: customer = "c2"']);
    // what is kept: the requests, never the key they were signed with
    const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('ddbd.history.Orders')));
    for (const e of kept) assert.deepEqual(Object.keys(e).filter((k) => !['at', 'op', 'input', 'form', 'keys'].includes(k)), []);
    assert.deepEqual(kept[2].input, { TableName: 'Orders', KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': 'customer' },
      ExpressionAttributeValues: { ':pk': { S: 'c2' } }, Limit: 50 });
    // the Query run again, by keyboard: the form shows it, and it moves to the top
    await page.keyboard.press('h');
    assert.equal(await focused(page), 'history-list');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await waitText(page, '#page-info', 'Page 1: 2 items');
    await waitRows(page, ['c2/1', 'c2/2']);
    assert.deepEqual([await page.$eval('#mode', (el) => el.value), await page.$eval('#pk-value', (el) => el.value)], ['Query', 'c2']);
    assert.deepEqual((await lines())[0], 'Query: customer = "c2"');
    // a write sent again, once its confirmation (naming the key) is accepted
    await client.send(new DeleteItemCommand({ TableName: 'Orders', Key: { customer: { S: 'c5' }, order: { N: '1' } } }));
    await page.keyboard.press('h');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await waitText(page, '#status', 'PutItem sent again');
    assert.equal(stack.dialogs.at(-1), 'Send PutItem of customer = "c5", order = "1" again?');
    const again = await client.send(new GetItemCommand({ TableName: 'Orders', Key: { customer: { S: 'c5' }, order: { N: '1' } } }));
    assert.deepEqual(again.Item.note, { S: 'replayed' });
    await client.send(new DeleteItemCommand({ TableName: 'Orders', Key: { customer: { S: 'c5' }, order: { N: '1' } } }));
  }));
});
