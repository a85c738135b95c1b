// The console tests' shared steps (console.test.mjs, daily.test.mjs): ddbd --console with Chromium
// and a page, a step that fails on any browser-console error it did not mean to cause (and leaves
// console-failure-STEP.png beside ddbd), the small page helpers, and a table read whole through the SDK.
import assert from 'node:assert/strict';
import path from 'node:path';
import { createRequire } from 'node:module';

import { DDBD_BIN, startServer, stopServer } from '../js/helpers.mjs';
import { launchBrowser } from '../tools/browser.mjs';

export const OUT = path.dirname(path.resolve(DDBD_BIN));
export const SHOTS = process.env.DDBD_CONSOLE_SHOTS;

/** Runs a step of a scenario; the browser-console errors it caused must be exactly `expected`
 * (patterns, each matching one error: the failed requests a step makes on purpose, which the
 * browser logs whatever the page does), so an error nobody meant fails the step that caused it. */
export async function step(stack, name, fn, expected = []) {
  const from = stack.errors.length;
  try {
    await fn();
    const left = [...expected];
    const unexpected = stack.errors.splice(from).filter((e) => {
      const i = left.findIndex((re) => re.test(e));
      return i < 0 || !left.splice(i, 1);
    });
    assert.deepEqual(unexpected, [], `browser console errors in step ${name}`);
    assert.deepEqual(left, [], `errors step ${name} expected but did not see`);
    if (SHOTS) await stack.page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  } catch (err) {
    await stack.page.screenshot({ path: path.join(OUT, `console-failure-${name}.png`), fullPage: true }).catch(() => {});
    throw err;
  }
}

/** ddbd with `args`, Chromium, a page; `host`: the name the page reaches the server by, mapped to
 * 127.0.0.1 in Chromium (a name that is not localhost makes a page that is no secure context), and
 * listed in --allowed-hosts (a server on loopback answers no other name: docs/security.md). */
export async function startStack(args, host) {
  const hostArgs = host ? ['--allowed-hosts', host] : [];
  const stack = { server: await startServer(['--in-memory', '--console', ...hostArgs, ...args]) };
  stack.base = `${host ? `http://${host}:${stack.server.port}` : stack.server.endpoint}/ddbd/console/`;
  stack.chromium = await launchBrowser(host ? [`--host-resolver-rules=MAP ${host} 127.0.0.1`] : []);
  stack.page = await stack.chromium.browser.newPage();
  await stack.page.setViewport({ width: 1100, height: 800 });
  stack.errors = [];
  stack.page.on('pageerror', (e) => stack.errors.push(String(e)));
  // any error the browser's console shows fails the run, CSP violations included (issue 56: the
  // Activity legends' inline styles were refused hundreds of times a visit, and nothing noticed)
  stack.page.on('console', (m) => { if (m.type() === 'error') stack.errors.push(`console: ${m.text()} ${JSON.stringify(m.location())}`); });
  await stack.page.evaluateOnNewDocument(() => document.addEventListener('securitypolicyviolation',
    (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`)));
  stack.dialogs = [];
  stack.page.on('dialog', (d) => { stack.dialogs.push(d.message()); d.accept(); });
  return stack;
}

export async function stopStack(stack) {
  if (stack?.chromium) await stack.chromium.close();
  if (stack?.server) await stopServer(stack.server);
}

export const text = (page, sel) => page.$eval(sel, (el) => el.textContent);
export const setValue = (page, sel, v) => page.$eval(sel, (el, x) => { el.value = x; el.dispatchEvent(new Event('change')); }, v);
export const waitText = (page, sel, want) => page.waitForFunction((s, w) => document.querySelector(s)?.textContent.includes(w),
  { timeout: 30000 }, sel, want);

/** Presses Tab until the focused element matches `sel` (a keyboard user's way there). */
export async function tabTo(page, sel) {
  for (let i = 0; i < 80; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s), sel)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${sel}`);
}

const { ScanCommand } = createRequire(new URL('../js/helpers.mjs', import.meta.url))('@aws-sdk/client-dynamodb');

/** Every item of `table`, read through the SDK (consistent, every page): what the page is compared with. */
export async function scanAll(client, table) {
  const items = [];
  let start;
  do {
    const out = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...out.Items);
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** A price to four significant digits ($0.0000000625), or to the cent from a cent up ($0.19). */
function dollars(x) {
  if (x >= 0.01) return `$${x.toFixed(2)}`;
  const digits = 3 - Math.floor(Math.log10(x));
  return `$${x.toFixed(digits).replace(/0+$/, '')}`;
}

/** A read of `units` read capacity units priced as the console says it, at a row of the price table
    (GET /ddbd/usage's prices.tableClasses): "$0.0000000625 per run · $0.06 per million runs". */
export function readPrice(units, row) {
  const run = (units * row.readRequestUnitsPerMillion) / 1e6;
  return `${dollars(run)} per run · ${dollars(run * 1e6)} per million runs`;
}
