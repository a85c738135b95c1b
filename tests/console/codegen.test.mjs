// The console's code for the operation on screen (codegen.js), taken from the page as a user copies
// it and run against ddbd in each language: boto3 (Debian's python3), the JavaScript SDK v3
// (tests/js's), the Go SDK v2 (Debian's, built offline as tests/go/run.sh does), the AWS CLI and
// libddb (C, compiled against this build's library). Issue 56: "it must actually work when pasted".
// Issue 65: on a machine with no AWS set-up (no AWS_* variable, an empty HOME: the CLI's snippet
// failed there with "Unable to locate credentials"), the Go one by the command its comment gives,
// and a Query or Scan through every page, not only the screen's first.
// A language whose tool is missing is skipped and says so (ctest shows it as a skip).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';

import { DDBD_BIN, startServer, stopServer } from '../js/helpers.mjs';
import { launchBrowser } from '../tools/browser.mjs';

const { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } = createRequire(new URL('../js/helpers.mjs', import.meta.url))(
  '@aws-sdk/client-dynamodb');
const HERE = path.dirname(new URL(import.meta.url).pathname);
const SRC = path.resolve(HERE, '../..');
const BUILD = path.dirname(path.resolve(DDBD_BIN));
const ENV = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))),
  HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'ddbd-codegen-home-')) }; // no AWS set-up at all
const BIG = '12345678901234567890123456789012345678'; // 38 digits: past a double, within DynamoDB's precision
const BYTES = Buffer.from([0, 1, 254, 255]).toString('base64');

const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();
const PYTHON = fs.existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import boto3']).status === 0 ? '/usr/bin/python3' : '';
const GO = which('go') && fs.existsSync('/usr/share/gocode/src/github.com/aws/aws-sdk-go-v2/service/dynamodb') ? which('go') : '';
const AWS = which('aws');
const CC = which('cc');
// version 1 of the CLI reads binary in JSON as the text's own bytes, so the snippet (written for
// version 2) makes it refuse; an item without binary goes through it
const CLI_V1 = AWS && /aws-cli\/1\./.test(spawnSync(AWS, ['--version'], { encoding: 'utf8' }).output.join(''));
const LIBDDB = fs.existsSync(path.join(BUILD, 'libddb.so')) ? path.join(BUILD, 'libddb.so') : '';

/* Each language: how to run a snippet (its text) in `dir`; '' when its tool is missing. */
const RUNNERS = {
  python: PYTHON && ((code, dir) => {
    fs.writeFileSync(path.join(dir, 'snippet.py'), code);
    return execFileSync(PYTHON, ['snippet.py'], { cwd: dir, env: ENV, encoding: 'utf8' });
  }),
  js: (code, dir) => {
    // the SDK as the snippet's `npm i` would give it: tests/js's node_modules beside the file
    fs.symlinkSync(path.join(SRC, 'tests/js/node_modules'), path.join(dir, 'node_modules'));
    fs.writeFileSync(path.join(dir, 'snippet.mjs'), code);
    return execFileSync(process.execPath, ['snippet.mjs'], { cwd: dir, env: ENV, encoding: 'utf8' });
  },
  go: GO && ((code, dir) => {
    // main.go, run by the command its comment gives for Debian's SDK (offline); the module steps
    // it gives as well need the module proxy, which this machine does not reach
    assert.match(code, /^\/\/ {3}go mod init snippet && go mod tidy && go run \.$/m);
    const command = /^\/\/ {3}(GO111MODULE=off .* go run main\.go)$/m.exec(code);
    assert.ok(command, 'the Go snippet gives no command for Debian\'s SDK');
    fs.writeFileSync(path.join(dir, 'main.go'), code);
    const cache = path.join(BUILD, 'go', 'cache'); // shared with tests/go/run.sh: the SDK compiled once
    fs.mkdirSync(cache, { recursive: true });
    return execFileSync('sh', ['-c', command[1]], { cwd: dir, encoding: 'utf8', timeout: 300000,
      env: { ...ENV, PATH: `${path.dirname(GO)}:${ENV.PATH}`, GOFLAGS: '', GOCACHE: cache } });
  }),
  cli: AWS && ((code, dir) => {
    fs.writeFileSync(path.join(dir, 'snippet.sh'), code);
    return execFileSync('sh', ['snippet.sh'], { cwd: dir, env: ENV, encoding: 'utf8' });
  }),
  c: CC && LIBDDB && ((code, dir) => {
    fs.writeFileSync(path.join(dir, 'snippet.c'), code);
    execFileSync(CC, ['-o', 'snippet', 'snippet.c', `-I${path.join(SRC, 'include')}`, `-L${BUILD}`, '-lddb', `-Wl,-rpath,${BUILD}`],
      { cwd: dir, encoding: 'utf8' });
    return execFileSync('./snippet', [], { cwd: dir, env: ENV, encoding: 'utf8' });
  }),
};
const LANGS = Object.keys(RUNNERS);
const missing = (lang) => (RUNNERS[lang] ? false : `${lang}: its tool is not installed here`);

function runSnippet(lang, code) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ddbd-codegen-${lang}-`));
  try {
    return RUNNERS[lang](code, dir);
  } catch (err) {
    throw new Error(`the ${lang} snippet failed: ${err.stderr || err.message}\n--- snippet:\n${code}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('code generated by the console, run in each language', () => {
  let server;
  let chromium;
  let page;
  let client;
  const errors = [];
  before(async () => {
    server = await startServer(['--in-memory', '--console']);
    // retried: a snippet (the Go one compiling) can keep this client idle past the server's
    // --request-timeout, which closes its kept-alive connection (ECONNRESET on the next call)
    client = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1',
      credentials: { accessKeyId: 'codegen', secretAccessKey: 'codegen' }, maxAttempts: 3 });
    await client.send(new CreateTableCommand({ TableName: 'Code', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }] }));
    // "status" and "size" are reserved words: the builder's filter and projection must alias them
    for (let i = 1; i <= 6; i++) {
      await client.send(new PutItemCommand({ TableName: 'Code', Item: { pk: { S: 'q' }, sk: { N: String(i) },
        status: { S: i % 2 ? 'open' : 'shut' }, size: { N: String(i * 10) }, other: { S: 'not projected' } } }));
    }
    chromium = await launchBrowser();
    page = await chromium.browser.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  });
  after(async () => {
    if (chromium) await chromium.close();
    if (server) await stopServer(server);
    assert.deepEqual(errors, []);
  });

  /* The snippet a code box shows for `lang`, as its Copy button would take it. */
  async function snippetOf(box, lang) {
    await page.$eval(`#${box}`, (el) => { el.open = true; });
    await page.select(`#${box}-lang`, lang);
    return page.$eval(`#${box}-text`, (el) => el.textContent);
  }

  test('a query with a filter row and a projection on reserved words', async () => {
    await page.goto(`${server.endpoint}/ddbd/console/#/items/Code`);
    await page.waitForSelector('#mode');
    await page.select('#mode', 'Query');
    await page.type('#pk-value', 'q');
    await page.select('#sk-op', '>=');
    await page.type('#sk-value', '2');
    await page.click('#add-filter');
    await page.type('#filter-rows .f-name', 'status');
    await page.type('#filter-rows .f-value', 'open');
    await page.type('#projection', 'sk, status, size');
    await page.click('#run');
    // sk 3 and 5: open, at least 2
    await page.waitForFunction(() => /Page 1: 2 items \(5 read\)/.test(document.querySelector('#page-info').textContent), { timeout: 30000 });
    assert.doesNotMatch(await page.$eval('#results', (el) => el.textContent), /not projected/);
    for (const lang of LANGS) {
      await test(lang, { skip: missing(lang) }, async () => {
        const code = await snippetOf('query-code', lang);
        assert.match(code, /#a0/); // the reserved words aliased, not written bare
        const out = runSnippet(lang, code);
        // both items, with their projected attributes only
        assert.match(out, /open/, out);
        assert.match(out, /50/, out);
        assert.doesNotMatch(out, /shut|not projected/, out);
        assert.equal((out.match(/open/g) || []).length, 2, out);
      });
    }
  });

  test('a scan in pages smaller than the table reads every page', async () => {
    await page.goto('about:blank'); // a fresh form: not the query's filter and projection
    await page.goto(`${server.endpoint}/ddbd/console/#/items/Code`);
    await page.waitForSelector('#mode');
    await page.select('#mode', 'Scan');
    await page.$eval('#limit', (el) => { el.value = ''; });
    await page.type('#limit', '2');
    await page.click('#run');
    await page.waitForFunction(() => /Page 1: 2 items/.test(document.querySelector('#page-info').textContent), { timeout: 30000 });
    for (const lang of LANGS) {
      await test(lang, { skip: missing(lang) }, async () => {
        const code = await snippetOf('query-code', lang);
        assert.match(code, lang === 'cli' ? /--page-size 2 / : /Limit\W+(aws\.Int32\()?2\b/);
        const out = runSnippet(lang, code);
        // the six items of the table, three pages of two (issue 65: the snippet read the first only)
        assert.equal((out.match(/not projected/g) || []).length, 6, out);
      });
    }
  });

  test('a put of an item of every type, numbers exact and binary as bytes', async () => {
    await page.goto(`${server.endpoint}/ddbd/console/#/items/Code`);
    await page.waitForSelector('#new-item');
    await page.click('#new-item');
    for (const lang of LANGS) {
      await test(lang, { skip: missing(lang) }, async () => {
        const item = { pk: { S: `put-${lang}` }, sk: { N: '1' }, big: { N: BIG }, b: { B: BYTES }, s: { S: "it's \"quoted\" \\ ü" },
          yes: { BOOL: true }, nil: { NULL: true }, ss: { SS: ['a', 'b'] }, ns: { NS: ['1', BIG] }, bs: { BS: [BYTES, 'AQ=='] },
          m: { M: { l: { L: [{ N: '-0.5' }, { S: 'x' }] }, e: { M: {} } } }, l: { L: [] } };
        await page.$eval('#item-json', (el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }, JSON.stringify(item));
        await page.select('#item-code-op', 'PutItem');
        if (lang === 'cli' && CLI_V1) {
          const code = await snippetOf('item-code', lang);
          assert.throws(() => runSnippet(lang, code), /Unknown options: --cli-binary-format/);
          assert.equal((await client.send(new GetItemCommand({ TableName: 'Code', Key: { pk: item.pk, sk: item.sk } }))).Item, undefined);
          for (const k of ['b', 'bs']) delete item[k];
          await page.$eval('#item-json', (el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }, JSON.stringify(item));
        }
        const code = await snippetOf('item-code', lang);
        assert.equal(/--cli-binary-format base64/.test(code), lang === 'cli' && Boolean(item.b));
        runSnippet(lang, code);
        const got = (await client.send(new GetItemCommand({ TableName: 'Code', Key: { pk: item.pk, sk: item.sk } }))).Item;
        assert.ok(got, `the ${lang} snippet put no item`);
        assert.equal(got.big.N, BIG);
        if (item.b) {
          assert.equal(Buffer.from(got.b.B).toString('base64'), BYTES);
          assert.deepEqual([...got.bs.BS].map((b) => Buffer.from(b).toString('base64')).sort(), ['AAH+/w==', 'AQ==']);
        }
        assert.equal(got.s.S, item.s.S);
        assert.deepEqual([...got.ns.NS].sort(), ['1', BIG]);
        assert.equal(got.m.M.l.L[0].N, '-0.5');
        assert.equal(got.nil.NULL, true);
      });
    }
  });

  test('a get by key', async () => {
    await page.goto(`${server.endpoint}/ddbd/console/#/items/Code`);
    await page.waitForSelector('#get-pk');
    await page.type('#get-pk', 'q');
    await page.type('#get-sk', '4');
    await page.click('#get-run');
    await page.waitForFunction(() => /shut/.test(document.querySelector('#results').textContent), { timeout: 30000 });
    for (const lang of LANGS) {
      await test(lang, { skip: missing(lang) }, async () => {
        const out = runSnippet(lang, await snippetOf('get-code', lang));
        assert.match(out, /shut/, out);
        assert.match(out, /40/, out);
      });
    }
  });
});
