// The web console (ddbd --console, /ddbd/console) in Debian's headless Chromium, as a user drives
// it: create a table from the form, put an item holding every attribute type and edit it in the
// item editor, query with a key condition, run a PartiQL statement, watch the request-rate plot
// move, delete the item and the table; and under --auth, sign in with a read-only key and see a
// write refused with the API's own error. Each step checks what ddbd then holds through the SDK.
// On failure, a screenshot of the page goes to the build directory (console-failure-*.png);
// DDBD_CONSOLE_SHOTS=DIR saves one of each screen (docs/console.md's). The first paint's time on
// loopback is written to console-timing.json beside ddbd.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';

import { makeClients } from '../js/helpers.mjs';
import { OUT, SHOTS, setValue, startStack, step, stopStack, tabTo, text, waitText } from './stack.mjs';

// (tests/js's SDK, as helpers.mjs finds it: this folder has no node_modules of its own)
const { BatchWriteItemCommand, CreateTableCommand, ScanCommand, UpdateItemCommand, DeleteItemCommand, DeleteTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand, GetItemCommand, GetResourcePolicyCommand,
  ImportTableCommand, PutItemCommand, PutResourcePolicyCommand } = createRequire(new URL('../js/helpers.mjs', import.meta.url))(
  '@aws-sdk/client-dynamodb');

// Every attribute type, with a number past a double's precision and bytes that are not text.
const ITEM = {
  pk: { S: 'user#1' }, sk: { N: '1' },
  s: { S: 'héllo' }, n: { N: '12345678901234567890.123456789' }, b: { B: Buffer.from([0, 1, 254, 255]).toString('base64') },
  yes: { BOOL: true }, nothing: { NULL: true },
  m: { M: { a: { N: '-0.5' }, b: { L: [{ S: 'x' }] } } }, l: { L: [{ N: '1' }, { S: 'two' }, { BOOL: false }] },
  html: { S: '<img id="injected" src="x">' }, ss: { SS: ['a', 'b'] }, ns: { NS: ['1', '99999999999999999999999999999999999999'] }, bs: { BS: ['AAE=', '/w=='] },
};

/** Clicks Edit on the row of the items table that shows `what`. */
async function editRow(page, what) {
  for (const row of await page.$$('#results tbody tr')) {
    if ((await row.evaluate((r) => r.textContent)).includes(what)) return (await row.$('button')).click();
  }
  throw new Error(`no row shows ${what}`);
}

describe('console, no --auth', () => {
  let stack;
  let client;
  // --export-dir: the bucket "console-bucket" is its directory of that name
  const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-console-exports-'));
  fs.mkdirSync(path.join(exportDir, 'console-bucket'));
  // --s3-endpoint: a store that answers every request after 4 s with an empty listing, so that an
  // import from it stays in progress long enough for the Activity screen to see it
  const slowStore = http.createServer((req, res) => setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>');
  }, 4000));
  before(async () => {
    await new Promise((r) => slowStore.listen(0, '127.0.0.1', r));
    // --admin: the Usage and Faults screens (the admin door's /ddbd/usage and /ddbd/faults)
    stack = await startStack(['--admin', '--namespaces', '--export-dir', exportDir, '--s3-endpoint', `http://127.0.0.1:${slowStore.address().port}`]);
    client = makeClients(stack.server.endpoint).client;
  });
  after(async () => {
    await stopStack(stack);
    slowStore.closeAllConnections();
    slowStore.close();
    fs.rmSync(exportDir, { recursive: true, force: true });
  });

  test('first paint, on loopback', async () => {
    const { page } = stack;
    await page.goto(stack.base, { waitUntil: 'load' });
    // the tables screen drawn: its modules loaded and run, ListTables answered
    await page.waitForFunction(() => document.querySelector('#create-table'));
    const timing = await page.evaluate(() => {
      const tablesShownMs = performance.getEntriesByName('ddbd-console-ready')[0]?.startTime;
      const paint = Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]));
      const nav = performance.getEntriesByType('navigation')[0];
      return { tablesShownMs, firstPaintMs: paint['first-paint'], firstContentfulPaintMs: paint['first-contentful-paint'],
        domContentLoadedMs: nav.domContentLoadedEventEnd, loadMs: nav.loadEventEnd, bytes: nav.transferSize };
    });
    fs.writeFileSync(path.join(OUT, 'console-timing.json'), `${JSON.stringify(timing, null, 2)}\n`);
    assert.ok(timing.firstContentfulPaintMs < 1000, JSON.stringify(timing));
  });

  test('the hashes for pages without WebCrypto agree with WebCrypto\'s', async () => {
    const { page } = stack;
    const diffs = await page.evaluate(async () => {
      const { sha256, hmacSha256 } = await import('/ddbd/console/sha256.js');
      const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
      const out = [];
      for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
        const data = crypto.getRandomValues(new Uint8Array(n));
        const key = crypto.getRandomValues(new Uint8Array(n % 3 ? 20 : 100)); // keys past a block too
        const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
        if (hex(sha256(data)) !== hex(await crypto.subtle.digest('SHA-256', data))) out.push(`sha256 of ${n} bytes`);
        if (hex(hmacSha256(key, data)) !== hex(await crypto.subtle.sign('HMAC', k, data))) out.push(`hmac of ${n} bytes`);
      }
      return out;
    });
    assert.deepEqual(diffs, []);
  });

  test('create a table from the form', async () => step(stack, 'tables', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/tables`);
    await page.waitForSelector('#create-name');
    await page.type('#create-name', 'Console');
    await page.type('#create-sk', 'sk');
    await page.click('#create-stream');
    await page.select('#create-sk-type', 'N');
    await page.click('#create-table button[type=submit]');
    await waitText(page, '#table-list', 'Console');
    // the form is reset for the next table (issue 56)
    assert.deepEqual(await page.$$eval('#create-name, #create-sk, #create-stream', (els) => els.map((el) => (el.type === 'checkbox' ? el.checked : el.value))),
      ['', '', false]);
    const t = (await client.send(new DescribeTableCommand({ TableName: 'Console' }))).Table;
    assert.deepEqual(t.KeySchema, [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }]);
    assert.deepEqual(t.AttributeDefinitions.find((a) => a.AttributeName === 'sk'), { AttributeName: 'sk', AttributeType: 'N' });
    // the list: status, item count, size, key; a filter box (issue 56)
    await client.send(new PutItemCommand({ TableName: 'Console', Item: { pk: { S: 'counted' }, sk: { N: '0' } } }));
    await client.send(new CreateTableCommand({ TableName: 'Other', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }));
    await page.reload(); // (the screen is #/tables already)
    await waitText(page, '#table-list', 'Other');
    const cells = (name) => page.$$eval('#table-list tbody tr', (rows, n) => {
      const tr = rows.find((r) => r.cells[0].textContent === n);
      return tr && [...tr.cells].map((td) => td.textContent).slice(0, 5);
    }, name);
    const row = await cells('Console');
    assert.deepEqual([row[0], row[1], row[2], row[4]], ['Console', 'ACTIVE', '1', 'pk (partition), sk (sort)']);
    assert.match(row[3], /^\d+ B$/);
    assert.equal(await text(page, '#table-count'), '2 tables');
    await page.type('#table-filter', 'oth');
    await waitText(page, '#table-count', '1 of 2 tables shown');
    assert.deepEqual(await page.$$eval('#table-list tbody tr:not([hidden]) td:first-child', (tds) => tds.map((td) => td.textContent)), ['Other']);
    await client.send(new DeleteItemCommand({ TableName: 'Console', Key: { pk: { S: 'counted' }, sk: { N: '0' } } }));
    await client.send(new DeleteTableCommand({ TableName: 'Other' }));
    await page.reload();
    await waitText(page, '#table-count', '1 table');
    await page.click('#table-list a');
    await page.waitForSelector('#overview');
    assert.match(await text(page, '#overview'), /pk \(partition\), sk \(sort\)/);
  }));

  test('put and edit an item of every type, exactly', async () => step(stack, 'items', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/items/Console`);
    await page.waitForSelector('#new-item');
    await page.click('#new-item');
    await setValue(page, '#item-json', JSON.stringify(ITEM));
    await page.click('#save-item');
    await waitText(page, '#results', 'user#1');
    // values are text, never markup
    assert.equal(await page.$('#injected'), null);
    await waitText(page, '#results', '<img id="injected" src="x">');
    const got = (await client.send(new GetItemCommand({ TableName: 'Console', Key: { pk: ITEM.pk, sk: ITEM.sk } }))).Item;
    assert.equal(got.n.N, ITEM.n.N);
    assert.deepEqual([...got.b.B], [0, 1, 254, 255]);
    assert.deepEqual([...got.ns.NS].sort(), ITEM.ns.NS);
    assert.equal(got.m.M.b.L[0].S, 'x');
    assert.equal(got.nothing.NULL, true);
    // the editor shows it back exactly: the number's digits and the bytes' base64
    await page.click('#results tbody tr button');
    const shown = JSON.parse(await page.$eval('#item-json', (el) => el.value));
    assert.deepEqual(shown.n, ITEM.n);
    assert.deepEqual(shown.b, ITEM.b);
    shown.s = { S: 'edited' };
    shown.extra = { NS: ['3', '4'] };
    await setValue(page, '#item-json', JSON.stringify(shown));
    await page.click('#save-item');
    // (the editor, under its row in #results, shows the item's text too: the rows are read once it closes)
    await page.waitForSelector('#editor', { hidden: true, timeout: 30000 });
    await waitText(page, '#results', 'edited');
    const edited = (await client.send(new GetItemCommand({ TableName: 'Console', Key: { pk: ITEM.pk, sk: ITEM.sk } }))).Item;
    assert.equal(edited.s.S, 'edited');
    assert.equal(edited.n.N, ITEM.n.N);
    assert.deepEqual([...edited.bs.BS].map((b) => Buffer.from(b).toString('base64')).sort(), [...ITEM.bs.BS].sort());
    // a changed key moves the item
    await page.click('#results tbody tr button');
    const moved = JSON.parse(await page.$eval('#item-json', (el) => el.value));
    moved.sk = { N: '100' };
    await setValue(page, '#item-json', JSON.stringify(moved));
    await page.click('#save-item');
    await page.waitForSelector('#editor', { hidden: true, timeout: 30000 });
    await waitText(page, '#results', '100');
    assert.equal((await client.send(new GetItemCommand({ TableName: 'Console', Key: { pk: ITEM.pk, sk: ITEM.sk } }))).Item, undefined);
    assert.equal((await client.send(new GetItemCommand({ TableName: 'Console', Key: { pk: ITEM.pk, sk: { N: '100' } } }))).Item.s.S, 'edited');
    moved.sk = ITEM.sk;
    // (the row that shows the moved item, not the first one: on a loaded machine the first row
    // clicked while the page was redrawn was another item's, and the moved one stayed at 100)
    await page.waitForSelector('#item-json', { hidden: true });
    await editRow(page, 'edited');
    await page.waitForFunction(() => /"100"/.test(document.querySelector('#item-json')?.value || ''), { timeout: 30000 });
    await setValue(page, '#item-json', JSON.stringify(moved));
    await page.click('#save-item');
    await page.waitForFunction(() => !/\b100\b/.test(document.querySelector('#results').textContent), { timeout: 30000 });
    for (let i = 0; i < 50; i++) {
      if (!(await client.send(new GetItemCommand({ TableName: 'Console', Key: { pk: ITEM.pk, sk: { N: '100' } } }))).Item) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await client.send(new GetItemCommand({ TableName: 'Console', Key: { pk: ITEM.pk, sk: { N: '100' } } }))).Item, undefined);
    assert.equal((await client.send(new GetItemCommand({ TableName: 'Console', Key: { pk: ITEM.pk, sk: ITEM.sk } }))).Item.s.S, 'edited');
  }));

  test('an item as plain JSON, its numbers exact; binary and sets stay DynamoDB JSON', async () => step(stack, 'plain', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/items/Console`);
    await page.reload(); // a fresh screen, its first page drawn (the previous step left this one)
    await waitText(page, '#page-info', 'Page 1');
    await page.click('#new-item');
    await page.select('#item-format', 'plain');
    await setValue(page, '#item-json', '{"pk": "plain", "sk": 5, "big": 12345678901234567890.5e-3, "s": "a\\"b",\n'
      + ' "m": {"l": [1, true, null, {"x": -0.0}]}}');
    await page.click('#save-item');
    await waitText(page, '#results', 'plain');
    const got = (await client.send(new GetItemCommand({ TableName: 'Console', Key: { pk: { S: 'plain' }, sk: { N: '5' } } }))).Item;
    assert.equal(got.big.N, '12345678901234567.8905');
    assert.equal(got.s.S, 'a"b');
    assert.deepEqual(got.m.M.l.L.map((v) => Object.keys(v)[0]), ['N', 'BOOL', 'NULL', 'M']);
    // shown back as plain JSON with the stored digits
    await editRow(page, 'plain');
    await page.select('#item-format', 'plain');
    assert.match(await page.$eval('#item-json', (el) => el.value), /"big": 12345678901234567\.8905/);
    // the every-type item cannot be plain: the editor says so and stays DynamoDB JSON
    await page.goto(`${stack.base}#/items/Console`);
    await waitText(page, '#results', 'user#1');
    await editRow(page, 'edited');
    await page.select('#item-format', 'plain');
    await waitText(page, '#editor .error', 'edit this item as DynamoDB JSON');
    assert.equal(await page.$eval('#item-format', (el) => el.value), 'ddb');
    await client.send(new DeleteItemCommand({ TableName: 'Console', Key: { pk: { S: 'plain' }, sk: { N: '5' } } }));
  }));

  test('the typed item form, by keyboard: checked as typed, Ctrl+Enter saves, Esc cancels', async () => step(stack, 'item-form', async () => {
    const { page } = stack;
    const big = '12345678901234567890123456789012345678'; // 38 digits
    await page.goto(`${stack.base}#/items/Console`);
    await page.waitForSelector('#new-item');
    await page.focus('#new-item');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#item-form');
    // the first value (the partition key's) has the focus
    await page.keyboard.type('typed');
    await tabTo(page, '#item-form .attr:nth-child(2) .a-input');
    await page.keyboard.type('7');
    const addTop = '#item-form > .map > .add-attr';
    // a number one digit past DynamoDB's 38: said at once, and Ctrl+Enter refuses it
    await tabTo(page, addTop);
    await page.keyboard.press('Enter');
    await page.keyboard.type('big');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown'); // S -> N
    await page.keyboard.press('Tab');
    await page.keyboard.type(`${big}9`);
    await waitText(page, '#item-check', 'big: 39 significant digits: DynamoDB keeps 38');
    await page.keyboard.down('Control');
    await page.keyboard.press('Enter');
    await page.keyboard.up('Control');
    await waitText(page, '#editor .error', '39 significant digits');
    await page.keyboard.press('Backspace');
    await waitText(page, '#item-check', 'A valid item.');
    // a string set, one element a line
    await tabTo(page, addTop);
    await page.keyboard.press('Enter');
    await page.keyboard.type('tags');
    await page.keyboard.press('Tab');
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowDown'); // -> SS
    await page.keyboard.press('Tab');
    await page.keyboard.type('a\nb');
    // a map holding a string
    await tabTo(page, addTop);
    await page.keyboard.press('Enter');
    await page.keyboard.type('nested');
    await page.keyboard.press('Tab');
    for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowDown'); // -> M
    await tabTo(page, '#item-form .map .map .add-attr');
    await page.keyboard.press('Enter');
    await page.keyboard.type('inner');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type('deep');
    // the JSON beside it follows, the number's digits exact
    const json = JSON.parse(await page.$eval('#item-json', (el) => el.value));
    assert.deepEqual(json, { pk: { S: 'typed' }, sk: { N: '7' }, big: { N: big }, tags: { SS: ['a', 'b'] },
      nested: { M: { inner: { S: 'deep' } } } });
    await page.keyboard.down('Control');
    await page.keyboard.press('Enter');
    await page.keyboard.up('Control');
    await page.waitForSelector('#editor', { hidden: true, timeout: 30000 });
    const got = (await client.send(new GetItemCommand({ TableName: 'Console', Key: { pk: { S: 'typed' }, sk: { N: '7' } } }))).Item;
    assert.equal(got.big.N, big);
    assert.deepEqual([...got.tags.SS].sort(), ['a', 'b']);
    assert.equal(got.nested.M.inner.S, 'deep');
    // the JSON edited: the form follows, and bad base64 is said at once
    await page.goto(`${stack.base}#/items/Console`);
    await waitText(page, '#results', 'typed');
    await editRow(page, 'typed');
    await page.waitForSelector('#item-form');
    await setValue(page, '#item-json', JSON.stringify({ ...json, b: { B: 'not base64!' } }));
    await waitText(page, '#item-check', 'b: binary is written as base64');
    assert.equal(await page.$eval('#item-form .attr.invalid .a-type', (el) => el.value), 'B');
    // Esc cancels: nothing written
    await page.focus('#item-json');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#editor', { hidden: true, timeout: 30000 });
    assert.equal((await client.send(new GetItemCommand({ TableName: 'Console', Key: { pk: { S: 'typed' }, sk: { N: '7' } } }))).Item.b,
      undefined);
    // Delete names the item's key in its confirmation
    for (const row of await page.$$('#results tbody tr')) {
      if ((await row.evaluate((r) => r.textContent)).includes('typed')) await (await row.$('button.danger')).click();
    }
    await page.waitForFunction(() => !/typed/.test(document.querySelector('#results').textContent), { timeout: 30000 });
    assert.equal(stack.dialogs.at(-1), 'Delete the item pk = "typed", sk = "7"?');
  })); // the 39-digit number is refused before any request is made

  test('query with a key condition, and page a scan', async () => step(stack, 'query', async () => {
    const { page } = stack;
    for (let i = 2; i <= 5; i++) {
      await client.send(new PutItemCommand({ TableName: 'Console', Item: { pk: { S: 'user#1' }, sk: { N: String(i) } } }));
    }
    await page.goto(`${stack.base}#/items/Console`);
    await page.waitForSelector('#mode');
    await page.select('#mode', 'Query');
    await page.type('#pk-value', 'user#1');
    await page.select('#sk-op', '>=');
    await page.type('#sk-value', '3');
    await page.click('#run');
    await waitText(page, '#page-info', 'Page 1: 3 items');
    // a scan two items a page: three pages, the last one said so
    await page.select('#mode', 'Scan');
    await setValue(page, '#limit', '2');
    await page.click('#run');
    await waitText(page, '#page-info', 'Page 1: 2 items');
    await page.click('#next-page:not([disabled])');
    await waitText(page, '#page-info', 'Page 2: 2 items');
    const second = await text(page, '#results tbody');
    await page.click('#next-page:not([disabled])');
    // "1 item", not "1 items" (issue 56)
    await waitText(page, '#page-info', 'Page 3: 1 item (1 read), the last page');
    // Previous page goes back through the LastEvaluatedKeys kept, to the same items
    await page.click('#prev-page:not([disabled])');
    await waitText(page, '#page-info', 'Page 2: 2 items');
    assert.equal(await text(page, '#results tbody'), second);
    await page.click('#prev-page:not([disabled])');
    await waitText(page, '#page-info', 'Page 1: 2 items');
    assert.equal(await page.$eval('#prev-page', (el) => el.disabled), true);
    // a query that fails leaves no earlier results on screen (issue 56)
    await setValue(page, '#values', '{":x": {"N": "1"}}');
    await page.click('#run');
    await waitText(page, '#view .error', 'ValidationException');
    assert.equal(await page.$('#results table'), null);
    assert.equal(await text(page, '#page-info'), '');
    await setValue(page, '#values', '');
    // an item by its key, by keyboard (Enter submits); and a key no item has
    await page.focus('#get-pk');
    await page.keyboard.type('user#1');
    await page.keyboard.press('Tab');
    await page.keyboard.type('3');
    await page.keyboard.press('Enter');
    await waitText(page, '#page-info', 'The item of that key');
    assert.equal(await page.$$eval('#results tbody tr', (rows) => rows.length), 1);
    assert.match(await text(page, '#results tbody'), /user#1 S3 N/);
    await page.keyboard.type('3');
    await page.keyboard.press('Enter');
    await waitText(page, '#page-info', 'No item has that key.');
    assert.equal(await page.$$eval('#results tbody tr', (rows) => rows.length), 0);
  }, [/status of 400/])); // the query with a value no expression uses, run on purpose

  test('an operation saved, then loaded after a reload', async () => step(stack, 'saved', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/items/Console`);
    await page.reload(); // a fresh form (the previous step left this screen filled in)
    await page.waitForSelector('#mode');
    await page.select('#mode', 'Query');
    await page.type('#pk-value', 'user#1');
    await page.select('#sk-op', '>=');
    await page.type('#sk-value', '1');
    await page.click('#add-filter');
    await page.type('#filter-rows .f-name', 's'); // the every-type item's: the others have none
    await page.select('#filter-rows .f-op', 'attribute_not_exists');
    await page.type('#saved-name', 'two and three');
    await page.click('#saved-save');
    await page.reload();
    await page.waitForSelector('#saved-list');
    assert.equal(await page.$eval('#saved-list', (el) => el.value), 'two and three');
    await page.focus('#saved-load');
    await page.keyboard.press('Enter');
    assert.equal(await page.$eval('#pk-value', (el) => el.value), 'user#1');
    assert.equal(await page.$eval('#filter-rows .f-op', (el) => el.value), 'attribute_not_exists');
    await page.click('#run');
    await waitText(page, '#page-info', 'Page 1: 4 items (5 read)');
    await page.click('#saved-delete');
    assert.equal(await text(page, '#saved-list'), '(none saved)');
  }));

  test('a 1,000-item page: the first rows drawn at once, the rest as it scrolls', async () => step(stack, 'big-page', async () => {
    const { page } = stack;
    await client.send(new CreateTableCommand({ TableName: 'Big', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }));
    for (let i = 0; i < 1000; i += 25) {
      await client.send(new BatchWriteItemCommand({ RequestItems: { Big: Array.from({ length: 25 }, (_, j) => ({
        PutRequest: { Item: { pk: { S: `big-${i + j}` }, n: { N: String(i + j) }, m: { M: { a: { S: 'x' } } } } } })) } }));
    }
    await page.goto(`${stack.base}#/items/Big`);
    await page.waitForSelector('#run');
    await setValue(page, '#limit', '1000');
    await page.click('#run');
    await waitText(page, '#page-info', 'Page 1: 1000 items');
    // laying out 10,000 cells at once took 100-250 ms: the first 100 rows come first (docs/console.md)
    assert.equal(await page.$$eval('#results tbody tr', (rows) => rows.length), 100);
    assert.equal(await text(page, '#results .rows-note'), 'Rows 1-100 of 1000 drawn; more as you scroll.');
    for (let i = 0; i < 30 && await page.$$eval('#results tbody tr', (rows) => rows.length) < 1000; i++) {
      await page.$eval('#results tbody tr:last-child', (el) => el.scrollIntoView());
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(await page.$$eval('#results tbody tr', (rows) => rows.length), 1000);
    assert.equal(await text(page, '#results .rows-note'), '');
    // a row drawn late still answers its buttons: the confirmation names its own key
    await page.$eval('#results tbody tr:last-child button.danger', (b) => b.click());
    await page.waitForFunction(() => !document.querySelector('#page-info').textContent.includes('1000 items'), { timeout: 30000 });
    assert.match(stack.dialogs.at(-1), /^Delete the item pk = "big-\d+"\?$/);
    await client.send(new DeleteTableCommand({ TableName: 'Big' }));
  }));

  test('a filtered scan reads on to its first match; the pager is above the rows, and ] and [ page', async () =>
    step(stack, 'read-on', async () => {
      const { page } = stack;
      await client.send(new CreateTableCommand({ TableName: 'Sparse', BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }));
      for (let i = 0; i < 120; i += 25) {
        await client.send(new BatchWriteItemCommand({ RequestItems: { Sparse: Array.from({ length: Math.min(25, 120 - i) }, (_, j) => ({
          PutRequest: { Item: { pk: { S: `s-${i + j}` } } } })) } }));
      }
      // the one match is the last item in the table's scan order: two pages of 50 match nothing
      const all = await client.send(new ScanCommand({ TableName: 'Sparse' }));
      const lastKey = all.Items[all.Items.length - 1].pk;
      await client.send(new UpdateItemCommand({ TableName: 'Sparse', Key: { pk: lastKey }, UpdateExpression: 'SET hit = :t',
        ExpressionAttributeValues: { ':t': { BOOL: true } } }));
      await page.goto(`${stack.base}#/items/Sparse`);
      await page.waitForSelector('#run');
      await page.click('#add-filter');
      await page.type('#filter-rows .f-name', 'hit');
      await page.select('#filter-rows .f-op', 'attribute_exists');
      await page.click('#run');
      // "0 items (50 read)" was the first page; it now reads on, and says how far it read
      await waitText(page, '#page-info', 'Page 1: 1 item (120 read in 3 requests), the last page');
      assert.match(await text(page, '#results tbody'), new RegExp(lastKey.S));
      // Previous and Next come before the rows, in the page and in Tab order
      const before = await page.$eval('#next-page', (n) => !!(n.compareDocumentPosition(document.querySelector('#results'))
        & Node.DOCUMENT_POSITION_FOLLOWING));
      assert.equal(before, true);
      // ] and [ page from the keyboard, unless a field is being typed in
      await page.click('#filter-rows button[aria-label="Remove this filter"]');
      await setValue(page, '#limit', '50');
      await page.click('#run');
      await waitText(page, '#page-info', 'Page 1: 50 items');
      await page.focus('#run');
      await page.keyboard.press(']');
      await waitText(page, '#page-info', 'Page 2: 50 items');
      await page.keyboard.press('[');
      await waitText(page, '#page-info', 'Page 1: 50 items');
      await page.focus('#saved-name');
      await page.keyboard.press(']'); // typed into the field, not taken as Next
      assert.equal(await page.$eval('#saved-name', (el) => el.value), ']');
      await client.send(new DeleteTableCommand({ TableName: 'Sparse' }));
    }));

  test('run PartiQL', async () => step(stack, 'partiql', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/partiql`);
    await page.waitForSelector('#statement');
    await setValue(page, '#statement', 'SELECT * FROM "Console" WHERE pk = ? AND sk = ?');
    await setValue(page, '#parameters', '[{"S": "user#1"}, {"N": "1"}]');
    await page.click('#partiql-run');
    await waitText(page, '#partiql-results', 'edited');
    await setValue(page, '#statement', 'SELECT * FROM "Nope"');
    await setValue(page, '#parameters', '');
    await page.click('#partiql-run');
    await page.waitForSelector('.error');
    assert.match(await text(page, '.error'), /ResourceNotFoundException/);
  }, [/status of 400/])); // the statement on a missing table, run on purpose

  test('the request-rate plot moves', async () => step(stack, 'activity', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/activity`);
    await page.waitForSelector('#rate-plot polyline', { timeout: 30000 });
    for (let i = 0; i < 40; i++) {
      await client.send(new GetItemCommand({ TableName: 'Console', Key: { pk: ITEM.pk, sk: ITEM.sk } }));
    }
    await page.waitForFunction(() => /GetItem: [1-9]/.test(document.querySelector('#rate-legend')?.textContent || ''),
      { timeout: 30000 });
    assert.ok(Number(await page.$eval('#rate-plot', (el) => el.dataset.points)) > 0);
    // the reads' capacity, on the table's own line, and their latency
    await page.waitForFunction(() => /Console read: [1-9]/.test(document.querySelector('#capacity-legend')?.textContent || ''),
      { timeout: 30000 });
    assert.match(await text(page, '#latency-legend'), /GetItem: \d/);
    // every y axis label is whole inside its plot: "History kept" in bytes was cut at the left edge
    // ("120000000 B"); its labels now read "120 MB" (issue 65, item 4)
    const cut = await page.$$eval('svg.plot text', (ts) => ts.filter((t) => t.getBBox().x < 0).map((t) => t.textContent));
    assert.deepEqual(cut, []);
    assert.ok(await page.$$eval('#retained-plot text', (ts) => ts.some((t) => /^\d+(\.\d+)? [kMGT]?B$/.test(t.textContent))));
  }));

  test('a stream record appears in the tail', async () => step(stack, 'stream', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/stream/Console`);
    await waitText(page, '#stream-count', 'records since the tail began');
    await client.send(new PutItemCommand({ TableName: 'Console', Item: { pk: { S: 'streamed' }, sk: { N: '7' } } }));
    await waitText(page, '#stream-records tbody', 'streamed');
    await waitText(page, '#stream-count', '1 record since the tail began'); // not "1 records"
    assert.match(await text(page, '#stream-records tbody tr'), /^INSERT/);
  }));

  test('Time to Live, tags and a backup', async () => step(stack, 'settings', async () => {
    const { page } = stack;
    // the long table screen is in tabs, each its own URL (issue 56): Settings by keyboard
    await page.goto(`${stack.base}#/table/Console`);
    await page.waitForSelector('#overview');
    assert.equal(await page.$('#ttl-toggle'), null);
    await page.focus('#tab-settings');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#ttl-toggle');
    assert.equal(await page.$eval('#tab-settings', (el) => el.getAttribute('aria-current')), 'page');
    await setValue(page, '#ttl-attribute', 'expires');
    await page.click('#ttl-toggle');
    await waitText(page, '#ttl-status', 'On: items expire at the epoch seconds in expires');
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: 'Console' }));
    assert.equal(ttl.TimeToLiveDescription.AttributeName, 'expires');
    await page.type('#tag-key', 'team');
    await page.type('#tag-value', 'payments');
    await page.click('#add-tag');
    await waitText(page, '#tags', 'team = payments');
    await page.click('#tags button');
    await waitText(page, '#view', 'No tags.');
    await page.click('#ci-toggle');
    await waitText(page, '#ci-status', 'On');
    await page.goto(`${stack.base}#/table/Console/backups`);
    await page.waitForSelector('#backup-name');
    await setValue(page, '#backup-name', 'console-backup');
    await page.click('#create-backup');
    await waitText(page, '#backups', 'console-backup');
    // Restore: into the new table the form names (issue 56)
    await setValue(page, '#restore-target', 'FromBackup');
    await page.waitForSelector('#backups button[aria-label="Restore backup console-backup"]');
    await page.click('#backups button[aria-label="Restore backup console-backup"]');
    await waitText(page, '#restore-status', 'Restoring into FromBackup.');
    const restored = (await client.send(new DescribeTableCommand({ TableName: 'FromBackup' }))).Table;
    assert.equal(restored.RestoreSummary.SourceBackupArn.includes('/backup/'), true, JSON.stringify(restored.RestoreSummary));
  }));

  test('a replica added in another region, then removed (--namespaces)', async () => step(stack, 'replicas', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/table/Console/settings`);
    await waitText(page, '#replicas', 'No replicas.');
    await setValue(page, '#replica-region', 'us-west-2');
    await page.click('#add-replica');
    await waitText(page, '#replicas', 'us-west-2');
    const regions = async () => ((await client.send(new DescribeTableCommand({ TableName: 'Console' }))).Table.Replicas || [])
      .map((r) => r.RegionName);
    assert.ok((await regions()).includes('us-west-2'), JSON.stringify(await regions()));
    await page.click('#replicas button');
    for (let i = 0; i < 100 && (await regions()).includes('us-west-2'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(!(await regions()).includes('us-west-2'), JSON.stringify(await regions()));
  }));

  test('a resource policy: saved, a change made meanwhile refused, deleted', async () => step(stack, 'policy', async () => {
    const { page } = stack;
    const arn = (await client.send(new DescribeTableCommand({ TableName: 'Console' }))).Table.TableArn;
    const doc = (action) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: action, Resource: arn }] });
    await page.goto(`${stack.base}#/table/Console/settings`);
    await page.waitForSelector('#policy summary');
    assert.equal(await text(page, '#policy-status'), 'Reading…'); // read only when opened
    await page.click('#policy summary');
    await waitText(page, '#policy-status', 'No policy.');
    await setValue(page, '#policy-json', doc('dynamodb:GetItem'));
    await page.click('#policy-save');
    await waitText(page, '#policy-status', 'Revision ');
    const first = await client.send(new GetResourcePolicyCommand({ ResourceArn: arn }));
    assert.match(first.Policy, /dynamodb:GetItem/);
    assert.match(await text(page, '#policy-status'), new RegExp(first.RevisionId));
    // changed by someone else since the console read it: the console's save is refused
    const other = await client.send(new PutResourcePolicyCommand({ ResourceArn: arn, Policy: doc('dynamodb:Query') }));
    await setValue(page, '#policy-json', doc('dynamodb:Scan'));
    await page.click('#policy-save');
    await waitText(page, '#view .error', 'PolicyNotFoundException: Resource-based policy not found for the provided '
      + `ResourceArn: Requested update for policy with revision id ${first.RevisionId}, but the policy associated to target table Console `
      + `has revision id ${other.RevisionId}.`);
    assert.match((await client.send(new GetResourcePolicyCommand({ ResourceArn: arn }))).Policy, /dynamodb:Query/);
    await page.click('#policy-reload');
    await page.waitForFunction(() => /dynamodb:Query/.test(document.querySelector('#policy-json').value), { timeout: 30000 });
    await page.click('#policy-delete');
    await waitText(page, '#policy-status', 'No policy.');
    await assert.rejects(client.send(new GetResourcePolicyCommand({ ResourceArn: arn })), { name: 'PolicyNotFoundException' });
  }, [/status of 400/, /status of 400/, /status of 400/])); // no policy when opened, the refused save, none after the delete

  test('export a table, then import the export into a new table', async () => step(stack, 'export', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/table/Console/backups`);
    await page.waitForSelector('#pitr-on');
    await page.click('#pitr-on');
    await waitText(page, '#view', 'Point-in-time recovery: on.');
    // a point-in-time restore, at the latest restorable time (issue 56)
    await setValue(page, '#pitr-target', 'FromPitr');
    await page.click('#pitr-restore');
    await waitText(page, '#pitr-restore-status', 'Restoring into FromPitr.');
    assert.equal((await client.send(new DescribeTableCommand({ TableName: 'FromPitr' }))).Table.RestoreSummary.RestoreInProgress !== undefined, true);
    await waitText(page, '#exports', 'No exports.');
    const items = (await client.send(new DescribeTableCommand({ TableName: 'Console' }))).Table.ItemCount;
    await page.type('#export-bucket', 'console-bucket');
    await page.type('#export-prefix', 'from-console');
    await page.click('#export-start');
    await page.waitForFunction(() => /COMPLETED/.test(document.querySelector('#exports tbody')?.textContent || ''), { timeout: 30000 });
    const row = await page.$$eval('#exports tbody tr td', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(row.slice(4, 8), [String(items), 'console-bucket', 'from-console', 'DYNAMODB_JSON']);
    assert.ok(fs.readdirSync(path.join(exportDir, 'console-bucket', 'from-console', 'AWSDynamoDB')).length > 0);
    // its "Import into a new table" fills the Imports screen's form with its data files
    await page.click('#exports tbody a');
    await page.waitForSelector('#import-form');
    assert.match(await page.$eval('#import-prefix', (el) => el.value), /^from-console\/AWSDynamoDB\/[^/]+\/data\/$/);
    assert.equal(await page.$eval('#import-compression', (el) => el.value), 'GZIP');
    // the exported table's key comes along (issue 56): pk (S), sk (N)
    assert.deepEqual(await page.$$eval(['#import-pk', '#import-pk-type', '#import-sk', '#import-sk-type'].join(','),
      (els) => els.map((el) => el.value)), ['pk', 'S', 'sk', 'N']);
    await page.type('#import-table', 'Imported');
    await page.click('#import-start');
    await page.waitForFunction(() => /COMPLETED/.test(document.querySelector('#imports tbody')?.textContent || ''), { timeout: 30000 });
    assert.match(await text(page, '#imports tbody tr'), new RegExp(`ImportedCOMPLETED.*${items}${items}0console-bucket`));
    await page.click('#imports tbody a');
    await waitText(page, '#results', 'edited');
    const got = (await client.send(new GetItemCommand({ TableName: 'Imported', Key: { pk: ITEM.pk, sk: ITEM.sk } }))).Item;
    assert.equal(got.n.N, ITEM.n.N);
    // an import that meets a record without its Item wrapper: FAILED with DynamoDB's code and
    // message, its error counted, its table kept (issue 52); the records are in the server's log
    fs.mkdirSync(path.join(exportDir, 'console-bucket', 'unmapped'));
    fs.writeFileSync(path.join(exportDir, 'console-bucket', 'unmapped', 'x.json'), '{"Item":{"pk":{"S":"a"}}}\n{"pk":{"S":"b"}}\n');
    await client.send(new ImportTableCommand({ S3BucketSource: { S3Bucket: 'console-bucket', S3KeyPrefix: 'unmapped/' },
      InputFormat: 'DYNAMODB_JSON', TableCreationParameters: { TableName: 'Unmapped', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' } }));
    await page.goto(`${stack.base}#/imports`);
    await page.waitForFunction(() => /UnmappedFAILED/.test(document.querySelector('#imports tbody')?.textContent || ''), { timeout: 30000 });
    const failed = (await page.$$eval('#imports tbody tr', (trs) => trs.map((tr) => tr.textContent))).find((r) => r.includes('UnmappedFAILED'));
    assert.match(failed, /UnmappedFAILED: ItemValidationError Some of the items failed validation checks and were not imported\. Please check CloudWatch error logs for more details\..*211console-bucket\/unmapped\//);
    assert.match(await text(page, '#view'), /a line of the server's log, import <id>: item error: /);
    assert.equal((await client.send(new DescribeTableCommand({ TableName: 'Unmapped' }))).Table.TableStatus, 'ACTIVE');
    assert.deepEqual(fs.readdirSync(path.join(exportDir, 'console-bucket', 'unmapped')), ['x.json']);
  }));

  test('background tasks: the plot and each task with its progress', async () => step(stack, 'tasks', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/activity`);
    await page.waitForSelector('#tasks-plot polyline', { timeout: 30000 });
    assert.match(await text(page, '#tasks-legend'), /exports: 0.*imports: 0.*index builds: 0/);
    const tasks = await text(page, '#tasks');
    assert.match(tasks, /^None in progress\./);
    assert.match(tasks, /export \S+ of Console: COMPLETED, started [\d:]+, ended [\d:]+, \d+ items/);
    assert.match(tasks, /import \S+ into Imported: COMPLETED, started [\d:]+, (\d+) items processed, \1 imported, 0 errors/);
    // an import held up by its store: seen in progress, as a list line and on the plot's imports line
    await client.send(new ImportTableCommand({ S3BucketSource: { S3Bucket: 'slow-bucket' }, InputFormat: 'CSV',
      TableCreationParameters: { TableName: 'Slow', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' } }));
    await waitText(page, '#tasks', 'into Slow: IN_PROGRESS');
    await page.waitForFunction(() => /imports: 1/.test(document.querySelector('#tasks-legend').textContent), { timeout: 30000 });
    assert.ok(Number(await page.$eval('#tasks-plot', (el) => el.dataset.points)) > 0);
  }));

  test('Contributor Insights\' hot keys as bars', async () => step(stack, 'hotkeys', async () => {
    const { page } = stack;
    for (let i = 0; i < 30; i++) {
      await client.send(new GetItemCommand({ TableName: 'Console', Key: { pk: { S: i % 3 ? 'hot' : 'cold' }, sk: { N: '1' } } }));
    }
    await page.goto(`${stack.base}#/activity`);
    await page.waitForSelector('#hot-keys figure', { timeout: 30000 });
    const bars = await page.$$eval('#hot-keys figure', (figs) => figs.map((f) => f.textContent));
    // heaviest first: the key read twice as often leads
    assert.ok(bars.some((b) => /^Console PKC \(accessed\).*hot\d+cold\d+$/.test(b)), JSON.stringify(bars));
  }));

  test('search a vector index, scores shown', async () => step(stack, 'vectors', async () => {
    const { page } = stack;
    await client.send(new CreateTableCommand({
      TableName: 'Products', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      VectorIndexes: [{ IndexName: 'by-embedding', VectorAttribute: { AttributeName: 'embedding' }, Dimensions: 3,
        DistanceFunction: 'COSINE', Projection: { ProjectionType: 'ALL' } }],
    }));
    for (const [id, v] of [['lamp', [0.9, 0.1, 0]], ['chair', [0.1, 0.9, 0.2]]]) {
      await client.send(new PutItemCommand({ TableName: 'Products',
        Item: { id: { S: id }, embedding: { L: v.map((x) => ({ N: String(x) })) } } }));
    }
    await page.goto(`${stack.base}#/items/Products`);
    // the page's first Scan shown: its rows, above the search, no longer move the button (a click
    // during that move found it "not clickable" on a loaded machine)
    await waitText(page, '#results', 'lamp');
    await page.waitForSelector('#vector');
    await page.type('#vector', '1, 0, 0');
    await setValue(page, '#top-k', '1');
    await page.click('#vector-search');
    await waitText(page, '#vector-results', 'lamp');
    assert.match(await text(page, '#vector-results tbody'), /^10\.00\d+id: lamp/);
    assert.doesNotMatch(await text(page, '#vector-results'), /chair/);
  }));

  test('usage: units and cost per table, operation and index, units a second plotted', async () => step(stack, 'usage', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/tables`);
    await page.waitForSelector('#create-name');
    assert.equal(await page.$eval('#nav-usage', (el) => el.hidden), false); // --admin: offered
    await page.goto(`${stack.base}#/usage`);
    await waitText(page, '#usage-tables', 'Console');
    // 1 KB-ish writes while the screen reads every 2 s: the Console write line rises above 0
    const big = 'x'.repeat(1500);
    for (let i = 0; i < 20; i++) {
      await client.send(new PutItemCommand({ TableName: 'Console', Item: { pk: { S: `usage#${i}` }, sk: { N: '1' }, big: { S: big } } }));
    }
    await page.waitForFunction(() => /Console write: [1-9]/.test(document.querySelector('#usage-legend').textContent)
      || Number(document.querySelector('#usage-plot').dataset.points) > 0, { timeout: 30000 });
    assert.ok(Number(await page.$eval('#usage-plot', (el) => el.dataset.points)) > 0);
    // the figures are the endpoint's: Console's write units and its PutItem line, once the screen has read them again
    const res = await fetch(`${stack.server.endpoint}/ddbd/usage`);
    const u = await res.json();
    const t = u.tables.find((x) => x.table === 'Console');
    const put = t.operations.find((o) => o.operation === 'PutItem');
    assert.ok(put.writeUnits >= 40, JSON.stringify(put)); // 20 items of 2 KB: 2 units each
    await page.waitForFunction((w) => [...document.querySelectorAll('#usage-tables tbody tr')]
      .some((tr) => tr.cells[0].textContent === 'Console' && tr.cells[3].textContent === w), { timeout: 30000 }, String(+t.writeUnits.toFixed(2)));
    const row = await page.$$eval('#usage-tables tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent))
      .find((c) => c[0] === 'Console'));
    assert.deepEqual(row.slice(0, 2), ['Console', 'STANDARD']);
    assert.match(row[4], /^\$0\.0\d+$/); // on demand, the window: a write unit is $0.625 a million
    assert.equal(row[6], 'on demand');
    assert.match(row[7], /^\d+ B$/);
    const ops = await text(page, '#usage-details');
    assert.match(ops, /PutItem\d/);
    assert.match(await text(page, '#usage-window'), /over \d+ s since the server started.*Prices of us-east-1/);
    // issue 64, item 4: the access patterns, the capacity at the peak second, marks and the forecast
    assert.match(await text(page, '#usage-details'), /PutItem pk=\*/);
    assert.match(await text(page, '#usage-details .usage-peak'), /At its busiest second .* would carry it: \$[\d.]+ a month\./);
    await page.type('#usage-mark-name', 'after the writes');
    await page.click('#usage-mark');
    await page.waitForFunction(() => [...document.querySelectorAll('#usage-since option')].some((o) => o.value === 'after the writes'),
      { timeout: 30000 });
    await page.select('#usage-since', 'after the writes');
    await waitText(page, '#usage-window', 'since mark after the writes');
    await page.select('#usage-since', '');
    await waitText(page, '#usage-window', 'since the server started');
    await page.type('#usage-rate', '20000');
    await page.click('#usage-forecast-run');
    await waitText(page, '#usage-forecast-total', 'At 20000: $');
    // the rate shared between the tables by their requests; Console's hot keys drawn against their limit
    assert.match(await text(page, '#usage-forecast'), /Console[\d.]+ requests a second \(overall\).* over about \d+ partitions?; \d+ partitions? would throttle\./);
    assert.ok(await page.$$eval('#usage-throttle-0 rect', (rs) => rs.length) > 0);
    assert.match(await text(page, '#usage-throttle-0'), /\(limit [\d.]+ ?k?\/s\)/);
    assert.match(await text(page, '#usage-forecast .usage-capacity'), /Provisioned \d+ RCU and \d+ WCU .*a month; on demand \$[\d.]+ a month\./);
    // a rate the door refuses is its error, on the screen
    await setValue(page, '#usage-rate', 'NoSuchTable:5');
    await page.click('#usage-forecast-run');
    await page.waitForSelector('#view .error');
    await setValue(page, '#usage-rate', '');
    await page.click('#usage-forecast-run');
    await page.waitForFunction(() => !document.querySelector('#view .error'), { timeout: 30000 });
  }, [/status of 400 .*\/ddbd\/usage\?rate=NoSuchTable/]));

  test('faults: one added by keyboard, seen injected, a refused one shown, cleared', async () => step(stack, 'faults', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/faults`);
    await waitText(page, '#fault-list', 'No faults.');
    // by keyboard: Tab to each field, type, Enter submits
    await page.focus('#view');
    await tabTo(page, '#fault-op');
    await page.keyboard.type('PutItem');
    await tabTo(page, '#fault-table');
    await page.keyboard.type('Console');
    await tabTo(page, '#fault-error'); // InternalServerError, the first
    await tabTo(page, '#fault-count');
    await page.keyboard.type('1');
    await page.keyboard.press('Enter');
    await waitText(page, '#fault-list', 'InternalServerError');
    const cells = () => page.$$eval('#fault-list tbody td', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(await cells(), ['PutItem', 'Console', 'InternalServerError', '1', '1', '1', '', '0']);
    await assert.rejects(client.send(new PutItemCommand({ TableName: 'Console', Item: { pk: { S: 'faulted' }, sk: { N: '1' } } })),
      { name: 'InternalServerError' });
    // read again by the screen: none remaining, one injected
    await page.waitForFunction(() => document.querySelector('#fault-list tbody td:last-child')?.textContent === '1', { timeout: 30000 });
    assert.deepEqual(await cells(), ['PutItem', 'Console', 'InternalServerError', '1', '0', '1', '', '1']);
    // a refusal is the server's own words (an operation misspelt; a probability past 1 the form
    // itself refuses, as its field's max)
    await setValue(page, '#fault-count', '');
    await setValue(page, '#fault-op', 'PutItems');
    await page.click('#fault-add');
    await waitText(page, '#fault-status .error', 'PutItems');
    assert.equal(await text(page, '#fault-status .error'),
      'HTTP 400: no DynamoDB operation is named \'PutItems\' (or use "*", "read", "write")');
    await setValue(page, '#fault-op', 'PutItem');
    // latency alone, in a window, with a message of its own: as the server then lists it
    await page.select('#fault-error', '');
    await setValue(page, '#fault-latency', '5');
    await page.click('#fault-more summary');
    await setValue(page, '#fault-for', '60000');
    await setValue(page, '#fault-message', 'slow on purpose');
    await page.click('#fault-add');
    await waitText(page, '#fault-list', '5 ms');
    assert.equal(await page.$('#fault-status .error'), null);
    assert.deepEqual((await (await fetch(`${stack.server.endpoint}/ddbd/faults`)).json()).faults.slice(-1)
      .map((f) => [f.operation, f.table, f.error, f.latency_ms]), [['PutItem', 'Console', 'Latency', 5]]);
    await page.click('#fault-clear');
    await waitText(page, '#fault-list', 'No faults.');
    assert.deepEqual((await (await fetch(`${stack.server.endpoint}/ddbd/faults`)).json()).faults, []);
  }, [/status of 400/])); // the refused fault

  // the server's clock on the Faults screen (issue 60): Freeze, a step by keyboard that moves it by
  // exactly what was typed, a step the server refuses shown in its words, Run
  test('clock: frozen, stepped by keyboard, a refused step shown, running again', async () => step(stack, 'clock', async () => {
    const { page } = stack;
    const server = async () => (await fetch(`${stack.server.endpoint}/ddbd/clock`)).json();
    await page.goto(`${stack.base}#/faults`);
    await waitText(page, '#clock-state', 'running');
    assert.equal(await page.$eval('#clock-run', (b) => b.disabled), true);
    await page.click('#clock-freeze');
    await waitText(page, '#clock-state', 'frozen');
    const at = await server();
    assert.equal(at.frozen, true);
    assert.equal(await text(page, '#clock-now'), new Date(at.now).toISOString());
    assert.equal(await page.$eval('#clock-freeze', (b) => b.disabled), true);
    await page.focus('#view');
    await tabTo(page, '#clock-by');
    await page.keyboard.down('Control');
    await page.keyboard.press('a');
    await page.keyboard.up('Control');
    await page.keyboard.type('2.5');
    await page.keyboard.press('Enter');
    await waitText(page, '#clock-now', new Date(at.now + 2500).toISOString());
    const stepped = await server(); // (its offset from the wall clock grows while it stands)
    assert.deepEqual([stepped.now, stepped.frozen], [at.now + 2500, true]);
    await setValue(page, '#clock-by', '1e12');
    await page.click('#clock-advance');
    await waitText(page, '#clock-status .error', 'the clock must stay');
    assert.equal(await text(page, '#clock-status .error'), 'HTTP 400: the clock must stay between the epoch and the end '
      + 'of year 9999 (0 to 253402300799999 ms since the epoch)');
    assert.equal((await server()).now, at.now + 2500);
    await page.click('#clock-run');
    await waitText(page, '#clock-state', 'running');
    assert.equal((await server()).frozen, false);
  }, [/status of 400/])); // the refused step

  test('at 200 % zoom every screen fits its width (wide tables scroll in their own box)', async () => step(stack, 'zoom', async () => {
    const { page } = stack;
    await page.setViewport({ width: 550, height: 800, deviceScaleFactor: 2 });
    try {
      for (const screen of ['#/tables', '#/table/Console', '#/table/Console/settings', '#/table/Console/backups',
        '#/table/Console/json', '#/items/Console', '#/imports', '#/partiql', '#/activity', '#/usage', '#/faults']) {
        await page.goto(`${stack.base}${screen}`);
        await page.waitForSelector('h1');
        await new Promise((r) => setTimeout(r, 300));
        const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: innerWidth }));
        assert.ok(scroll <= width, `${screen}: ${scroll} px wide in a ${width} px window`);
      }
      // the item editor open (its form beside the JSON goes under it), with a filter row and the code shown
      await page.goto(`${stack.base}#/items/Console`);
      await page.waitForSelector('#new-item');
      await page.click('#new-item');
      await page.click('#add-filter');
      await page.$eval('#query-code', (el) => { el.open = true; });
      await page.$eval('#item-code', (el) => { el.open = true; });
      await new Promise((r) => setTimeout(r, 300));
      const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: innerWidth }));
      assert.ok(scroll <= width, `the item editor: ${scroll} px wide in a ${width} px window`);
      if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'zoom-editor.png'), fullPage: true });
    } finally {
      await page.setViewport({ width: 1100, height: 800 });
    }
  }));

  test('by keyboard alone: a table made, opened and its items reached', async () => step(stack, 'keyboard', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/tables`);
    await page.waitForSelector('#create-name');
    await page.focus('#create-name');
    await page.keyboard.type('Keys');
    await page.keyboard.press('Enter'); // submits the form
    await waitText(page, '#table-list', 'Keys');
    // Tab from the page's start to the table's link, then Enter
    await page.focus('#view');
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.textContent === 'Keys')) break;
    }
    await page.keyboard.press('Enter');
    await page.waitForSelector('#overview');
    assert.match(await text(page, 'h1'), /Table Keys/);
  }));

  test('delete an item and the table', async () => step(stack, 'delete', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/items/Console`);
    await waitText(page, '#results', 'user#1');
    const before = await page.$$eval('#results tbody tr', (rows) => rows.length);
    await page.click('#results tbody tr button.danger');
    await page.waitForFunction((n) => document.querySelectorAll('#results tbody tr').length === n - 1, { timeout: 30000 }, before);
    await page.goto(`${stack.base}#/tables`);
    await page.waitForSelector('#table-list button.danger');
    await page.click('#table-list button[aria-label="Delete table Console"]');
    await page.waitForFunction(() => !document.querySelector('#table-list').textContent.includes('Console'), { timeout: 30000 });
    assert.deepEqual(stack.errors, []);
  }));
});

describe('console, --auth', () => {
  let stack;
  let keyFile;
  before(async () => {
    keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-console-')), 'keys');
    fs.writeFileSync(keyFile, 'AKIDWRITER writersecret 000000000000 name=writer rights=metrics\n'
      + 'AKIDREADER readersecret 000000000000 name=reader allow=read\n');
    // --admin: the Usage and Faults screens offered, and a key without rights=admin refused there
    stack = await startStack(['--auth', keyFile, '--admin']);
  });
  after(async () => {
    await stopStack(stack);
    fs.rmSync(path.dirname(keyFile), { recursive: true, force: true });
  });

  async function signIn(page, id, secret) {
    await page.waitForSelector('#sign-in');
    await page.type('#key-id', id);
    await page.type('#key-secret', secret);
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('#create-table');
  }

  test('a writer signs in and creates a table', async () => step(stack, 'auth-writer', async () => {
    const { page } = stack;
    await page.goto(stack.base);
    await page.waitForSelector('#sign-in');
    // nothing asked of the API before a key is typed: no error on the screen (nor in the browser's
    // console, which step() checks), issue 56
    assert.equal(await page.$('#view .error'), null);
    await signIn(page, 'AKIDWRITER', 'writersecret');
    await page.type('#create-name', 'Signed');
    await page.click('#create-table button[type=submit]');
    await waitText(page, '#table-list', 'Signed');
    // an item put through the typed form, by keyboard, signed with the writer's key
    await page.goto(`${stack.base}#/items/Signed`);
    await page.waitForSelector('#new-item');
    await page.focus('#new-item');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#item-form .a-input');
    await page.keyboard.type('by-writer');
    await page.keyboard.down('Control');
    await page.keyboard.press('Enter');
    await page.keyboard.up('Control');
    await waitText(page, '#results', 'by-writer');
    await page.goto(`${stack.base}#/activity`);
    await page.waitForSelector('#rate-plot polyline', { timeout: 30000 });
  }));

  test('a read-only key sees the tables, and its writes refused with the API\'s error', async () => step(stack, 'auth-reader', async () => {
    const { page } = stack;
    await page.goto(`${stack.base}#/tables`);
    await page.waitForSelector('#who button');
    await page.click('#who button'); // sign out
    await signIn(page, 'AKIDREADER', 'readersecret');
    await waitText(page, '#table-list', 'Signed');
    await page.type('#create-name', 'Nope');
    await page.click('#create-table button[type=submit]');
    await page.waitForSelector('.error');
    assert.match(await text(page, '.error'),
      /^AccessDeniedException: User: arn:aws:iam::000000000000:user\/reader is not authorized to perform: dynamodb:CreateTable/);
    // the items screen reads; the item form's save is refused with the API's error, said in the editor
    await page.goto(`${stack.base}#/items/Signed`);
    await waitText(page, '#results', 'by-writer');
    await page.click('#new-item');
    await page.waitForSelector('#item-form .a-input');
    await page.keyboard.type('by-reader');
    await page.keyboard.down('Control');
    await page.keyboard.press('Enter');
    await page.keyboard.up('Control');
    await waitText(page, '#editor .error', 'AccessDeniedException');
    assert.match(await text(page, '#editor .error'), /not authorized to perform: dynamodb:PutItem/);
    await page.goto(`${stack.base}#/activity`);
    await waitText(page, '.error', 'ddbd:ReadMetrics');
    // the background tasks' lists of exports and imports, refused too: said once, and not asked
    // again every 2 s while the screen stays (each ask was two more refused requests)
    await waitText(page, '[aria-labelledby=tasks-h] .error', 'AccessDeniedException');
    await new Promise((r) => setTimeout(r, 2500));
    // the admin door under --auth: a key without rights=admin is refused with the door's error,
    // shown once and not asked again (one refused request, however long the screen stays)
    assert.equal(await page.$eval('#nav-usage', (el) => el.hidden), false);
    await page.goto(`${stack.base}#/usage`);
    await waitText(page, '#view .error', 'AccessDeniedException');
    assert.match(await text(page, '#view .error'), /user\/reader is not authorized to perform: ddbd:Admin/);
    await new Promise((r) => setTimeout(r, 2500));
    // a wrong secret is the API's refusal too
    await page.click('#who button');
    await page.waitForSelector('#sign-in');
    await page.type('#key-id', 'AKIDREADER');
    await page.type('#key-secret', 'wrong');
    await page.click('#sign-in button[type=submit]');
    await waitText(page, '#view', 'InvalidSignatureException');
  }, [
    // each refused on purpose: the reader's CreateTable, its /metrics, the wrong secret; and the
    // Activity screen's lists of exports and imports, which a read-only key may not list (once)
    /status of 400 .*"url":"[^"]*\/"/, /status of 400 .*\/metrics"/, /status of 400 .*"url":"[^"]*\/"/,
    /status of 400 .*"url":"[^"]*\/"/, /status of 400 .*"url":"[^"]*\/"/,
    /status of 400 .*"url":"[^"]*\/"/, // the reader's PutItem
    /status of 400 .*\/ddbd\/usage"/, // the reader at the admin door, once
  ]));
});

describe('console on a plain-http page (no WebCrypto: another host, no https)', () => {
  let stack;
  let keyFile;
  after(async () => {
    await stopStack(stack);
    if (keyFile) fs.rmSync(path.dirname(keyFile), { recursive: true, force: true });
  });

  test('without --auth it works, signing with its own hashes', async () => {
    stack = await startStack([], 'ddbd.test');
    await step(stack, 'insecure', async () => {
      const { page } = stack;
      await page.goto(stack.base);
      await page.waitForSelector('#create-name');
      assert.equal(await page.evaluate(() => window.isSecureContext), false);
      // no --admin: the Usage and Faults screens are not offered, and say why without asking the
      // server (whose /ddbd/usage would answer 404: step() fails on the logged error)
      assert.deepEqual(await page.$$eval('#nav-usage, #nav-faults', (els) => els.map((el) => el.hidden)), [true, true]);
      await page.goto(`${stack.base}#/usage`);
      await waitText(page, '#no-admin', 'runs without --admin');
      await page.goto(`${stack.base}#/faults`);
      await waitText(page, '#no-admin', 'serves no faults');
      await page.goto(`${stack.base}#/tables`);
      await page.waitForSelector('#create-name');
      await page.type('#create-name', 'Plain');
      await page.click('#create-table button[type=submit]');
      await waitText(page, '#table-list', 'Plain');
    });
    await stopStack(stack);
    stack = null;
  });

  test('with --auth it takes no key there', async () => {
    keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-console-')), 'keys');
    fs.writeFileSync(keyFile, 'AKIDWRITER writersecret 000000000000\n');
    stack = await startStack(['--auth', keyFile], 'ddbd.test');
    await step(stack, 'insecure-auth', async () => {
      const { page } = stack;
      await page.goto(stack.base);
      await page.waitForSelector('#sign-in');
      await page.type('#key-id', 'AKIDWRITER');
      await page.type('#key-secret', 'writersecret');
      await page.click('#sign-in button[type=submit]');
      await waitText(page, '#view', 'InsecureContext: a key is used only on a secure page');
    });
  });
});
