// The Items screen as a daily user sees it (issue 76), in Debian's headless Chromium, by keyboard:
// a filtered Scan reads on until its page holds the page size of matches (111 matches of 5,000 items
// in one view, with how many it read), within a read budget, with a live count and Stop; the results
// come into view at 1366x768 on opening the screen and on Run; the item editor opens under the row it
// edits and goes back to it, focused and marked, once saved or cancelled. "All matches": every match
// at once whatever the page size (and what it read and matched as it goes, Stop, the read budget),
// the same in Export (its own budget) and Compare (the screen's matches of both tables); a saved
// operation run from the list says what it consumed and that capacity's price (/ddbd/usage's).
// The server's clock is frozen (--clock frozen) so that a Scan held by an injected latency waits for
// the test's step of the clock: the live count is read while a request is held, never raced.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';

import { makeClients } from '../js/helpers.mjs';
import { readPrice, scanAll, startStack, step, stopStack, tabTo, text, waitText } from './stack.mjs';

const { BatchWriteItemCommand, CreateTableCommand, GetItemCommand, ScanCommand } = createRequire(
  new URL('../js/helpers.mjs', import.meta.url))('@aws-sdk/client-dynamodb');

const ITEMS = 5000;
// 111 of the 5,000 items match `attribute_exists(hit)`: one in 45
const isHit = (i) => i % 45 === 7 && i < 45 * 111;
const WIDE = 1200; // items of 2 KB: a request without a Limit reads about 500 (1 MB)
const wideOf = (i) => ({ pk: { S: `wide-${String(i).padStart(4, '0')}` }, pad: { S: 'x'.repeat(2000) },
  ...(i % 10 === 3 ? { hit: { BOOL: true } } : {}) });
const itemOf = (i) => ({ pk: { S: `item-${String(i).padStart(4, '0')}` }, n: { N: String(i) }, note: { S: `note ${i}` },
  ...(isHit(i) ? { hit: { BOOL: true } } : {}) });

async function fill(client, table, n, make) {
  await client.send(new CreateTableCommand({ TableName: table, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }));
  for (let i = 0; i < n; i += 25) {
    await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: Array.from({ length: Math.min(25, n - i) },
      (_, j) => ({ PutRequest: { Item: make(i + j) } })) } }));
  }
}

/** The partition keys of the rows drawn, every row of the page drawn first (a page draws 100 at once). */
async function pageKeys(page) {
  for (let i = 0; i < 30 && await text(page, '#results .rows-note') !== ''; i++) {
    await page.$eval('#results tbody tr:last-child', (el) => el.scrollIntoView());
    await new Promise((r) => setTimeout(r, 50));
  }
  return page.$$eval('#results tbody tr:not(.editor-row)', (rows) => rows.map((r) => r.querySelector('td.val').firstChild.textContent));
}

/** The Items screen of `table`, fresh (a screen already open would stay as it was left). */
async function openItems(stack, table) {
  await stack.page.goto(`${stack.base}#/items/${table}`);
  await stack.page.reload();
  await waitText(stack.page, '#page-info', 'Page 1: 50 items');
}

/** The filter attribute_exists(hit) added by keyboard (its operator picked from the list), the
    focus left in its attribute's field, where Enter runs the form. */
async function filterHits(page) {
  await tabTo(page, '#add-filter');
  await page.keyboard.press('Enter'); // the new row's attribute focused
  await page.keyboard.type('hit');
  await page.select('#filter-rows .f-op', 'attribute_exists');
}

/** From page 1 (being read), ']' to each next: pages of `sizes` matches, each saying what it read, the
    last the last page; the keys of them all, sorted. */
async function pagesOf(page, sizes) {
  const seen = [];
  for (const [i, n] of sizes.entries()) {
    if (i) {
      await page.evaluate(() => document.activeElement.blur());
      await page.keyboard.press(']');
    }
    const line = `^Page ${i + 1}: ${n} items \\(\\d+ read in \\d+ requests\\)${i === sizes.length - 1 ? ', the last page' : ''}$`;
    await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('#page-info').textContent),
      { timeout: 30000 }, line).catch(() => {});
    assert.match(await text(page, '#page-info'), new RegExp(line));
    seen.push(...await pageKeys(page));
  }
  return seen.sort();
}

/** Where `sel`'s first match lies against the window: 'in' (wholly on screen), 'above', 'below'. */
const placeOf = (page, sel) => page.$eval(sel, (el) => {
  const r = el.getBoundingClientRect();
  if (r.top >= 0 && r.bottom <= innerHeight) return 'in';
  return r.top < 0 ? 'above' : 'below';
});

/** Waits until `sel` is wholly on screen, then says where it is (so a failure names the place). */
async function waitInView(page, sel) {
  await page.waitForFunction((s) => {
    const r = document.querySelector(s)?.getBoundingClientRect();
    return r && r.top >= 0 && r.bottom <= innerHeight;
  }, { timeout: 10000 }, sel).catch(() => {});
  assert.equal(await placeOf(page, sel), 'in', `${sel} on screen`);
}

/** Replaces a field's text by keyboard: focused, all of it selected, `value` typed. */
async function typeInto(page, sel, value) {
  await page.focus(sel);
  await page.keyboard.down('Control');
  await page.keyboard.press('a');
  await page.keyboard.up('Control');
  await page.keyboard.type(value);
}

describe('console: filtered pages, results in view, the edited row kept', () => {
  let stack;
  let client;
  let scanOrder; // the table's keys in its Scan order
  let wideOrder; // Wide's
  const admin = (path, body, method = 'POST') => fetch(`${stack.server.endpoint}/ddbd/${path}`, { method,
    headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) }).then(async (r) => {
    assert.equal(r.status, 200, await r.text());
  });

  /** Steps the frozen clock a second at a time until the page line matches `re` (a Scan held by an
      injected latency answers at its step); the match, its numbers as numbers. */
  const clockUntil = async (page, re) => {
    for (let i = 0; i < 200 && !re.test(await text(page, '#page-info')); i++) {
      await admin('clock', { advance: 1000 });
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(await text(page, '#page-info'), re);
    return re.exec(await text(page, '#page-info')).map(Number);
  };

  before(async () => {
    stack = await startStack(['--admin', '--clock', 'frozen']);
    ({ client } = makeClients(stack.server.endpoint));
    await fill(client, 'Many', ITEMS, itemOf);
    // an index whose sort key repeats (7 values): a page's next start is the index's key and the table's
    await client.send(new CreateTableCommand({ TableName: 'Indexed', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' },
        { AttributeName: 's', AttributeType: 'N' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byG', Projection: { ProjectionType: 'ALL' },
        KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }, { AttributeName: 's', KeyType: 'RANGE' }] }] }));
    for (let i = 0; i < 300; i += 25) {
      await client.send(new BatchWriteItemCommand({ RequestItems: { Indexed: Array.from({ length: 25 }, (_, j) => ({ PutRequest: { Item: {
        pk: { S: `o-${String(i + j).padStart(3, '0')}` }, g: { S: 'x' }, s: { N: String((i + j) % 7) },
        ...((i + j) % 5 === 0 ? { hit: { BOOL: true } } : {}) } } })) } }));
    }
    await fill(client, 'Rows', 60, (i) => ({ pk: { S: `row-${String(i).padStart(2, '0')}` }, note: { S: `was ${i}` } }));
    await fill(client, 'Wide', WIDE, wideOf);
    // Many's matches but one (item-0007), one of them changed (item-0052), and 100 items that do not match
    const copy = [...Array.from({ length: ITEMS }, (_, i) => i).filter((i) => isHit(i) && i !== 7),
      ...Array.from({ length: ITEMS }, (_, i) => i).filter((i) => !isHit(i)).slice(0, 100)];
    await fill(client, 'ManyCopy', copy.length, (j) => {
      const it = itemOf(copy[j]);
      return copy[j] === 52 ? { ...it, note: { S: 'changed' } } : it;
    });
    const order = async (table) => (await scanAll(client, table)).map((it) => it.pk.S);
    scanOrder = await order('Many');
    wideOrder = await order('Wide');
    await stack.page.setViewport({ width: 1366, height: 768 });
  });
  after(async () => { await stopStack(stack); });

  const hits = () => Array.from({ length: ITEMS }, (_, i) => i).filter(isHit).map((i) => itemOf(i).pk.S).sort();

  test('111 matches of 5,000 in one view, with the count read; 50 a page in three pages', async () => step(stack, 'view-filtered', async () => {
    const { page } = stack;
    await openItems(stack, 'Many');
    await typeInto(page, '#limit', '200');
    await filterHits(page);
    await page.keyboard.press('Enter'); // in the attribute's field: runs the form
    // each request reads 200 items (the page size): 25 read the table, a 26th finds its end (as
    // DynamoDB's does: a page that stops at the last item has a LastEvaluatedKey), and the page holds all 111
    await waitText(page, '#page-info', 'the last page').catch(() => {});
    assert.equal(await text(page, '#page-info'), 'Page 1: 111 items (5000 read in 26 requests), the last page');
    assert.deepEqual((await pageKeys(page)).sort(), hits());
    // 50 a page: the matches in three pages, none twice, none missed (a page ends at its 50th match)
    await typeInto(page, '#limit', '50');
    await page.keyboard.press('Enter');
    assert.deepEqual(await pagesOf(page, [50, 50, 11]), hits());
    // the read budget: 1,000 items read, the matches among them shown, and Next reads on from there
    await typeInto(page, '#read-budget', '1000');
    await typeInto(page, '#limit', '200');
    await page.keyboard.press('Enter');
    await waitText(page, '#page-info', '(1000 read in 5 requests: the read budget');
    const first = scanOrder.slice(0, 1000).filter((k) => hits().includes(k)).sort();
    assert.equal(await text(page, '#page-info'), `Page 1: ${first.length} items (1000 read in 5 requests: the read budget, 1000 items; Next page reads on)`);
    assert.deepEqual((await pageKeys(page)).sort(), first);
    await page.evaluate(() => document.activeElement.blur());
    await page.keyboard.press(']');
    const second = scanOrder.slice(1000, 2000).filter((k) => hits().includes(k)).sort();
    await waitText(page, '#page-info', `Page 2: ${second.length} items (1000 read in 5 requests: the read budget`);
    assert.deepEqual((await pageKeys(page)).sort(), second);
    // Export's whole result: every match, with how many it read (no Limit: each request reads up to 1 MB)
    const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-console-view-'));
    try {
      await stack.chromium.browser.defaultBrowserContext().setDownloadBehavior({ policy: 'allow', downloadPath: downloads });
      await page.select('#export-scope', 'all');
      await page.focus('#export-run');
      await page.keyboard.press('Enter');
      await waitText(page, '#export-info', 'Many-scan-all.json: 111 items');
      assert.match(await text(page, '#export-info'), /^Many-scan-all\.json: 111 items \(every page: \d+ requests?, 5000 read\)$/);
    } finally { fs.rmSync(downloads, { recursive: true, force: true }); }
  }));

  test('a filtered Query on an index: pages of 25 matches, every match once', async () => step(stack, 'view-index', async () => {
    const { page } = stack;
    await openItems(stack, 'Indexed');
    await page.evaluate(() => document.activeElement.blur());
    await page.keyboard.press('i'); // a Query, the table or index to pick focused
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.$eval('#index', (el) => el.value), 'byG');
    await tabTo(page, '#pk-value');
    await page.keyboard.type('x');
    await typeInto(page, '#limit', '25');
    await filterHits(page);
    await page.keyboard.press('Enter');
    assert.deepEqual(await pagesOf(page, [25, 25, 10]), Array.from({ length: 60 }, (_, i) => `o-${String(i * 5).padStart(3, '0')}`).sort());
  }));

  test('reading on says what it read and matched as it goes; Stop keeps what matched', async () => step(stack, 'view-stop', async () => {
    const { page } = stack;
    await openItems(stack, 'Many');
    await typeInto(page, '#limit', '200');
    await filterHits(page);
    // every Scan of Many answers a second later on the server's clock, which stands until stepped
    await admin('faults', { faults: [{ operation: 'Scan', table: 'Many', latency_ms: 1000 }] });
    try {
      await page.keyboard.press('Enter');
      const live = /^Page 1: (\d+) of 200 matched, (\d+) read in (\d+) requests?; reading on$/;
      const [, matched, read, requests] = await clockUntil(page, live);
      assert.equal(read, 200 * requests);
      assert.equal(matched, scanOrder.slice(0, read).filter((k) => hits().includes(k)).length);
      assert.equal(await page.$eval('#stop-read-on', (b) => b.hidden), false);
      await page.focus('#stop-read-on');
      await page.keyboard.press('Enter');
      const stopped = /^Page 1: (\d+) items? \((\d+) read in (\d+) requests: stopped\)$/;
      const [, shown, readAll] = await clockUntil(page, stopped);
      assert.ok(readAll < ITEMS, `stopped after ${readAll} read`);
      assert.deepEqual((await pageKeys(page)).sort(), scanOrder.slice(0, readAll).filter((k) => hits().includes(k)).sort());
      assert.equal((await pageKeys(page)).length, shown);
      assert.equal(await page.$eval('#stop-read-on', (b) => b.hidden), true);
      assert.equal(await page.$eval('#next-page', (b) => b.disabled), false);
    } finally {
      await admin('faults', null, 'DELETE');
      await admin('clock', { advance: 1000 });
    }
  }));

  test('the results in view at 1366x768 on opening the table and after Run', async () => step(stack, 'view-fold', async () => {
    const { page } = stack;
    for (const [width, height] of [[1366, 768], [1280, 850]]) {
      await page.setViewport({ width, height });
      await openItems(stack, 'Rows');
      await waitInView(page, '#results tbody tr');
      await waitInView(page, '#page-info');
    }
    await page.setViewport({ width: 1366, height: 768 });
    // back up to the form (the page size focused), then Run by Enter
    await typeInto(page, '#limit', '20');
    assert.equal(await placeOf(page, '#results tbody tr'), 'below');
    await page.keyboard.press('Enter');
    await waitText(page, '#page-info', 'Page 1: 20 items');
    await waitInView(page, '#results tbody tr');
    await waitInView(page, '#page-info');
  }));

  test('the editor opens under its row and goes back to it, saved or cancelled', async () => step(stack, 'view-editor', async () => {
    const { page } = stack;
    await page.setViewport({ width: 1366, height: 768 });
    await openItems(stack, 'Rows');
    const keyOfRow = (i) => page.$eval(`#results tbody tr:nth-child(${i}) td.val`, (td) => td.firstChild.textContent);
    const key31 = await keyOfRow(31);
    // Edit on row 31, by keyboard: the editor is the next row, the row on screen, focus in the editor
    await page.focus('#results tbody tr:nth-child(31) button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#editor');
    assert.equal(await page.$eval('#editor', (ed) => ed.closest('tr')?.previousElementSibling?.querySelector('td.val')?.firstChild.textContent),
      key31);
    assert.equal(await page.evaluate(() => document.querySelector('#editor').contains(document.activeElement)), true);
    assert.equal(await placeOf(page, '#results tbody tr:nth-child(31)'), 'in');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'the editor as wide as the window');
    // a value changed by keyboard, saved by Ctrl+Enter
    const note = await page.$$eval('#item-form .attrs > .attr', (attrs) => attrs.findIndex((a) => a.querySelector('.a-name').value === 'note'));
    await tabTo(page, `#item-form .attrs > .attr:nth-child(${note + 1}) .a-input`);
    await page.keyboard.down('Control');
    await page.keyboard.press('a');
    await page.keyboard.up('Control');
    await page.keyboard.type('kept');
    await page.keyboard.down('Control');
    await page.keyboard.press('Enter');
    await page.keyboard.up('Control');
    await page.waitForFunction(() => !document.querySelector('#editor') && document.querySelector('#results tr.edited'), { timeout: 30000 });
    assert.deepEqual((await client.send(new GetItemCommand({ TableName: 'Rows', Key: { pk: { S: key31 } } }))).Item.note, { S: 'kept' });
    // back on the row: marked, on screen, its Edit focused, the page where it was (not its top)
    assert.equal(await page.$eval('#results tr.edited td.val', (td) => td.firstChild.textContent), key31);
    assert.match(await text(page, '#results tr.edited'), /kept/);
    assert.equal(await placeOf(page, '#results tr.edited'), 'in');
    assert.equal(await page.evaluate(() => document.activeElement === document.querySelector('#results tr.edited button')), true);
    assert.ok(await page.evaluate(() => scrollY) > 0, 'the page left where the row is');
    // Esc on row 40's editor: back on row 40, nothing written
    const key40 = await keyOfRow(40);
    await page.focus('#results tbody tr:nth-child(40) button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#editor');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('#editor'), { timeout: 30000 });
    assert.equal(await page.$eval('#results tr.edited td.val', (td) => td.firstChild.textContent), key40);
    assert.equal(await placeOf(page, '#results tr.edited'), 'in');
    assert.equal(await page.evaluate(() => document.activeElement === document.querySelector('#results tr.edited button')), true);
    assert.equal(await page.$$eval('#results tr.edited', (rows) => rows.length), 1);
  }));
  /** The price table's row of the standard table class (GET /ddbd/usage). */
  const standardPrices = async () => (await (await fetch(`${stack.server.endpoint}/ddbd/usage`)).json()).prices.tableClasses
    .find((r) => r.tableClass === 'STANDARD');

  test('all matches at once: 111 of 5,000 whatever the page size, within the read budget; Export and Compare the same',
    async () => step(stack, 'view-all-matches', async () => {
      const { page } = stack;
      await openItems(stack, 'Many');
      await typeInto(page, '#limit', '50');
      await tabTo(page, '#all-matches');
      await page.keyboard.press('Space');
      await filterHits(page);
      await page.keyboard.press('Enter');
      // one request without a Limit (the read budget's 10,000 items) reads the table's 5,000
      await waitText(page, '#page-info', 'the last page').catch(() => {});
      assert.equal(await text(page, '#page-info'), 'Page 1 (all matches): 111 items (5000 read), the last page');
      assert.deepEqual((await pageKeys(page)).sort(), hits());
      // what it consumed, the SDK's Scan of the same request, and its price
      const want = await client.send(new ScanCommand({ TableName: 'Many', FilterExpression: 'attribute_exists(#a0)',
        ExpressionAttributeNames: { '#a0': 'hit' }, Limit: 10000, ReturnConsumedCapacity: 'TOTAL' }));
      const units = want.ConsumedCapacity.CapacityUnits;
      await waitText(page, '#page-capacity', 'RCU');
      assert.equal(await text(page, '#page-capacity'), `Consumed by this page's 1 request: ${units} RCU · ${readPrice(units, await standardPrices())}`);
      // the read budget: 1,000 items read, their matches, and Next reads on from there
      await typeInto(page, '#read-budget', '1000');
      await page.keyboard.press('Enter');
      const part = (from) => scanOrder.slice(from, from + 1000).filter((k) => hits().includes(k)).sort();
      await waitText(page, '#page-info', 'Page 1 (all matches): ');
      await waitText(page, '#page-info', 'the read budget');
      assert.equal(await text(page, '#page-info'),
        `Page 1 (all matches): ${part(0).length} items (1000 read: the read budget, 1000 items; Next page reads on)`);
      assert.deepEqual((await pageKeys(page)).sort(), part(0));
      await page.evaluate(() => document.activeElement.blur());
      await page.keyboard.press(']');
      await waitText(page, '#page-info', 'Page 2 (all matches): ');
      assert.equal(await text(page, '#page-info'),
        `Page 2 (all matches): ${part(1000).length} items (1000 read: the read budget, 1000 items; Next page reads on)`);
      assert.deepEqual((await pageKeys(page)).sort(), part(1000));
      // Export's whole result within a budget of its own: the matches among the first 2,000 read
      const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-console-view-'));
      try {
        await stack.chromium.browser.defaultBrowserContext().setDownloadBehavior({ policy: 'allow', downloadPath: downloads });
        await page.keyboard.press('e');
        await tabTo(page, '#export-scope');
        await page.keyboard.press('ArrowDown');
        assert.equal(await page.$eval('#export-scope', (el) => el.value), 'all');
        await tabTo(page, '#export-budget');
        await page.keyboard.type('2000');
        await page.keyboard.down('Shift');
        await page.keyboard.press('Tab');
        await page.keyboard.up('Shift');
        assert.equal(await page.evaluate(() => document.activeElement.id), 'export-run');
        await page.keyboard.press('Enter');
        const first = scanOrder.slice(0, 2000).filter((k) => hits().includes(k)).sort();
        await waitText(page, '#export-info', 'Many-scan-all-partial.json');
        assert.equal(await text(page, '#export-info'),
          `Many-scan-all-partial.json: ${first.length} items (the read budget, 2000 items, the pages read: 1 request, 2000 read)`);
        const file = path.join(downloads, 'Many-scan-all-partial.json');
        for (let i = 0; i < 100 && !fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 50));
        assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')).map((it) => it.pk.S).sort(), first);
      } finally { fs.rmSync(downloads, { recursive: true, force: true }); }
      // Compare with ManyCopy, the screen's matches of each: every match read, the rest not compared
      await page.evaluate(() => document.activeElement.blur());
      await page.keyboard.press('t');
      await page.waitForFunction(() => document.activeElement?.id === 'cmp-table', { timeout: 30000 });
      for (let i = 0; i < 10 && await page.$eval('#cmp-table', (el) => el.value) !== 'ManyCopy'; i++) await page.keyboard.press('ArrowDown');
      await tabTo(page, '#cmp-matches');
      await page.keyboard.press('Space');
      await tabTo(page, '#cmp-tables-run');
      await page.keyboard.press('Enter');
      await waitText(page, '#cmp-tables-info', ' the same');
      assert.equal(await text(page, '#cmp-tables-info'), 'The screen\'s matches: A = Many (111 items matched of 5000 read, all), '
        + 'B = ManyCopy (110 items matched of 210 read, all): 1 only in A, 0 only in B, 1 differ, 109 the same');
      assert.equal(await text(page, '#cmp-only-a li'), 'pk = "item-0007"');
      assert.equal(await text(page, '#cmp-differ summary'), 'pk = "item-0052": note (differ)');
    }));

  test('all matches: what it read and matched as it goes, a request a megabyte; Stop keeps what matched',
    async () => step(stack, 'view-all-stop', async () => {
      const { page } = stack;
      await openItems(stack, 'Wide');
      await typeInto(page, '#limit', '50');
      await tabTo(page, '#all-matches');
      await page.keyboard.press('Space');
      await filterHits(page);
      const matchesIn = (n) => wideOrder.slice(0, n).filter((k) => Number(k.slice(5)) % 10 === 3).sort();
      await admin('faults', { faults: [{ operation: 'Scan', table: 'Wide', latency_ms: 1000 }] });
      try {
        await page.keyboard.press('Enter');
        const live = /^Page 1 \(all matches\): (\d+) matched, (\d+) read in (\d+) requests?; reading on$/;
        const [, matched, read] = await clockUntil(page, live);
        assert.ok(read > 0 && read < WIDE, `a request of 1 MB read ${read}`);
        assert.equal(matched, matchesIn(read).length);
        await page.focus('#stop-read-on');
        await page.keyboard.press('Enter');
        const stopped = /^Page 1 \(all matches\): (\d+) items? \((\d+) read in (\d+) requests: stopped\)$/;
        const [, shown, readAll] = await clockUntil(page, stopped);
        assert.ok(readAll < WIDE, `stopped after ${readAll} read`);
        assert.deepEqual((await pageKeys(page)).sort(), matchesIn(readAll));
        assert.equal(shown, matchesIn(readAll).length);
        assert.equal(await page.$eval('#next-page', (b) => b.disabled), false);
      } finally {
        await admin('faults', null, 'DELETE');
        await admin('clock', { advance: 1000 });
      }
    }));

  test('a saved operation run from the list: its consumed capacity, priced from /ddbd/usage', async () => step(stack, 'view-saved-cost', async () => {
    const { page } = stack;
    await openItems(stack, 'Rows');
    await typeInto(page, '#limit', '20');
    await page.evaluate(() => document.activeElement.blur());
    await page.keyboard.press('s');
    await page.keyboard.type('twenty');
    await page.keyboard.press('Enter');
    await openItems(stack, 'Rows');
    await page.evaluate(() => document.activeElement.blur());
    await page.keyboard.press('o');
    await page.keyboard.press('Enter');
    await waitText(page, '#page-info', 'Page 1: 20 items');
    await waitText(page, '#page-capacity', 'RCU');
    const want = await client.send(new ScanCommand({ TableName: 'Rows', Limit: 20, ReturnConsumedCapacity: 'TOTAL' }));
    const units = want.ConsumedCapacity.CapacityUnits;
    assert.ok(units > 0);
    assert.equal(await text(page, '#page-capacity'), `Consumed by this page's 1 request: ${units} RCU · ${readPrice(units, await standardPrices())}`);
  }));
});
