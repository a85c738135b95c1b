// The screenshots of docs/console.md, remade: node tests/console/shots.mjs OUTDIR (DDBD_BIN: the
// server). A table with a few items of every type, some traffic for the plots, then each screen;
// the tables screen also at 200 % zoom (a 550-pixel-wide window at twice the pixel density).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { makeClients, startServer, stopServer } from '../js/helpers.mjs';
import { launchBrowser } from '../tools/browser.mjs';

const { CreateTableCommand, GetItemCommand, PutItemCommand, QueryCommand } = createRequire(new URL('../js/helpers.mjs', import.meta.url))(
  '@aws-sdk/client-dynamodb');
const out = process.argv[2];
const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-shots-'));
fs.mkdirSync(path.join(exportDir, 'backups'));
const server = await startServer(['--in-memory', '--console', '--admin', '--export-dir', exportDir]);
const { client } = makeClients(server.endpoint);
const chromium = await launchBrowser();
try {
  await client.send(new CreateTableCommand({ TableName: 'orders', BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }, { AttributeName: 'placed', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'customer', AttributeType: 'S' }, { AttributeName: 'placed', AttributeType: 'N' }],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }));
  for (let i = 0; i < 6; i++) {
    await client.send(new PutItemCommand({ TableName: 'orders', Item: {
      customer: { S: `c${i % 2}` }, placed: { N: String(1732500000 + i) }, total: { N: `${i * 7}.99` },
      paid: { BOOL: i % 2 === 0 }, note: i === 3 ? { NULL: true } : { S: 'gift wrap' }, tags: { SS: ['web', `promo${i}`] },
      lines: { L: [{ M: { sku: { S: `A-${i}` }, qty: { N: '2' } } }] }, sig: { B: Buffer.from([i, 255]).toString('base64') } } }));
  }
  const page = await chromium.browser.newPage();
  await page.setViewport({ width: 1000, height: 640 });
  const base = `${server.endpoint}/ddbd/console/`;
  const shot = (name) => page.screenshot({ path: path.join(out, `${name}.png`) });
  await page.goto(`${base}#/items/orders`);
  await page.waitForSelector('#results tbody tr');
  await shot('items');
  await page.goto(`${base}#/table/orders`);
  await page.waitForSelector('#overview');
  await shot('table');
  // an export of orders, imported into a new table: the Imports screen
  await page.goto(`${base}#/table/orders/backups`);
  await page.waitForSelector('#export-bucket');
  await page.type('#export-bucket', 'backups');
  await page.click('#export-start');
  await page.waitForFunction(() => /COMPLETED/.test(document.querySelector('#exports tbody')?.textContent || ''), { timeout: 30000 });
  await page.click('#exports tbody a');
  await page.waitForSelector('#import-form');
  await page.type('#import-table', 'orders-copy');
  // (its key, customer and placed (N), comes from the export)
  await page.click('#import-start');
  await page.waitForFunction(() => /COMPLETED/.test(document.querySelector('#imports tbody')?.textContent || ''), { timeout: 30000 });
  await shot('imports');
  await page.goto(`${base}#/partiql`);
  await page.waitForSelector('#statement');
  await page.$eval('#statement', (el) => { el.value = "SELECT customer, placed, total FROM \"orders\" WHERE customer = 'c1'"; });
  await page.click('#partiql-run');
  await page.waitForSelector('#partiql-results table');
  await shot('partiql');
  await page.goto(`${base}#/activity`);
  for (let s = 0; s < 25; s++) {
    const until = Date.now() + 1000;
    const n = 20 + 15 * Math.sin(s / 3);
    for (let i = 0; i < n && Date.now() < until; i++) {
      await client.send(new GetItemCommand({ TableName: 'orders', Key: { customer: { S: 'c0' }, placed: { N: '1732500000' } } }));
      if (i % 3 === 0) await client.send(new QueryCommand({ TableName: 'orders', KeyConditionExpression: 'customer = :c', ExpressionAttributeValues: { ':c': { S: 'c1' } } }));
    }
    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot('activity');
  // the cost report of what the activity above did (--admin)
  await page.goto(`${base}#/usage`);
  await page.waitForSelector('#usage-tables tbody tr');
  for (const until = Date.now() + 9000; Date.now() < until;) { // readings every 2 s while it reads
    await client.send(new QueryCommand({ TableName: 'orders', KeyConditionExpression: 'customer = :c', ExpressionAttributeValues: { ':c': { S: 'c1' } } }));
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot('usage');
  await page.setViewport({ width: 550, height: 640, deviceScaleFactor: 2 });
  await page.goto(`${base}#/tables`);
  await page.waitForSelector('#table-list');
  await shot('tables-200');
} finally {
  await chromium.close();
  await stopServer(server);
  fs.rmSync(exportDir, { recursive: true, force: true });
}
