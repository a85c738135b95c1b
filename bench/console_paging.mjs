// bench/console_paging.mjs: the console's Items screen paging a 10,000-item table (four attributes an
// item, a map among them) in headless Chromium: the time from Run or Next page to the page drawn (the
// answer's rows in the document and the frame after them painted), for 50 and 1,000 items a page.
// docs/console.md reports its figures.
//   DDBD_BIN=build/ddbd CHROMIUM_BIN=$(which chromium) node bench/console_paging.mjs [pages-of-1000]
import { createRequire } from 'node:module';

import { makeClients, startServer, stopServer } from '../tests/js/helpers.mjs';
import { launchBrowser } from '../tests/tools/browser.mjs';

const { BatchWriteItemCommand, CreateTableCommand } = createRequire(new URL('../tests/js/helpers.mjs', import.meta.url))(
  '@aws-sdk/client-dynamodb');

const server = await startServer(['--in-memory', '--console']);
const chromium = await launchBrowser();
try {
  const { client } = makeClients(server.endpoint);
  await client.send(new CreateTableCommand({ TableName: 'Paged', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }));
  for (let i = 0; i < 10000; i += 25) {
    const puts = [];
    for (let j = i; j < i + 25; j++) {
      puts.push({ PutRequest: { Item: { pk: { S: `item-${j}` }, n: { N: String(j * 7) }, s: { S: `some text ${j}` },
        m: { M: { a: { N: String(j) }, b: { S: 'x' } } } } } });
    }
    await client.send(new BatchWriteItemCommand({ RequestItems: { Paged: puts } }));
  }
  const page = await chromium.browser.newPage();
  await page.setViewport({ width: 1100, height: 800 });
  const timed = (sel) => page.evaluate(async (s) => {
    const info = document.querySelector('#page-info');
    const t0 = performance.now();
    const drawn = new Promise((res) => {
      const ob = new MutationObserver(() => { ob.disconnect(); res(); });
      ob.observe(info, { childList: true, characterData: true, subtree: true });
    });
    document.querySelector(s).click();
    await drawn;
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))); // the frame painted
    return performance.now() - t0;
  }, sel);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const size of [50, 1000]) {
    await page.goto(`${server.endpoint}/ddbd/console/#/items/Paged`);
    await page.waitForSelector('#run');
    await page.$eval('#limit', (el, v) => { el.value = v; }, String(size));
    const times = [await timed('#run')];
    const pages = size === 50 ? 200 : Number(process.argv[2] || 9);
    for (let i = 1; i < pages && await page.$('#next-page:not([disabled])'); i++) times.push(await timed('#next-page'));
    const api = await page.evaluate(async (n) => {
      const { call } = await import('/ddbd/console/api.js');
      const out = [];
      for (let i = 0; i < 9; i++) {
        const t0 = performance.now();
        await call('Scan', { TableName: 'Paged', Limit: n });
        out.push(performance.now() - t0);
      }
      return out.sort((a, b) => a - b)[4];
    }, size);
    console.log(`${size} items a page: the Scan alone (signed, fetched, parsed) median ${api.toFixed(0)} ms`);
    console.log(`${size} items a page: ${times.length} pages, median ${median(times).toFixed(0)} ms, `
      + `slowest ${Math.max(...times).toFixed(0)} ms, fastest ${Math.min(...times).toFixed(0)} ms`);
  }
} finally {
  await chromium.close();
  await stopServer(server);
}
