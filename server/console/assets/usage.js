// The Usage screen (#/usage): what production would charge, from GET /ddbd/usage (the admin door,
// --admin; docs/usage.md) read every 2 s: per table its read and write units and their cost on
// demand for the window since the server started and projected to a month, a provisioned table's
// capacity beside it, storage; per operation and per index; and the units a second per table as
// lines (plot.js), one point each reading.
import { admin } from './api.js';
import { count, errorBox, h } from './dom.js';
import { legend, plot, plotView, POINTS, record } from './plot.js';

const EVERY_MS = 2000;

/* Dollars, small sums kept readable: $0.0000172, $1.25 (three significant digits below a dollar). */
export function money(x) {
  if (!x) return '$0';
  const digits = x >= 1 ? 2 : Math.min(12, 2 - Math.floor(Math.log10(x)));
  return `$${x.toFixed(digits)}`;
}

const units = (x) => String(+(x || 0).toFixed(2));
const num = (x) => h('td', { class: 'num' }, x);

/* A table of lines (an operation's or an index's): name, read and write units, cost, a month's. */
function linesTable(id, what, lines) {
  if (!lines?.length) return null;
  return h('div', { class: 'scroll' }, h('table', { id },
    h('thead', {}, h('tr', {}, [what, 'read units', 'write units', 'cost (window)', 'a month at this rate']
      .map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, lines.map((l) => h('tr', {}, h('td', {}, l.operation ?? l.index), num(units(l.readUnits)),
      num(units(l.writeUnits)), num(money(l.cost)), num(money(l.monthlyCost)))))));
}

function provisionedText(t) {
  const p = t.provisioned;
  if (!p) return 'on demand';
  return `provisioned ${p.readCapacityUnits} RCU, ${p.writeCapacityUnits} WCU: ${money(p.cost)} (window), ${money(p.monthlyCost)} a month`;
}

/* The summary row of a table. */
function tableRow(t) {
  return h('tr', {}, h('th', { scope: 'row' }, t.table), h('td', {}, t.tableClass), num(units(t.readUnits)),
    num(units(t.writeUnits)), num(money(t.cost)), num(money(t.monthlyCost)), h('td', {}, provisionedText(t)),
    num(t.storageBytes === undefined ? '' : `${t.storageBytes} B`),
    num(t.storageMonthlyCost === undefined ? '' : money(t.storageMonthlyCost)));
}

function summary(u) {
  const head = ['table', 'class', 'read units', 'write units', 'on demand (window)', 'on demand (a month)',
    'billing', 'storage', 'storage (a month)'];
  const total = u.total || {};
  return h('div', { class: 'scroll' }, h('table', { id: 'usage-tables' },
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, u.tables.map(tableRow)),
    h('tfoot', {}, h('tr', { id: 'usage-total' }, h('th', { scope: 'row' }, 'total'), h('td'), num(units(total.readUnits)),
      num(units(total.writeUnits)), num(money(total.cost)), num(money(total.monthlyCost)), h('td'), h('td'), h('td')))));
}

/* Each table's operations and indexes. */
function details(u) {
  return u.tables.map((t, i) => h('section', { class: 'usage-table' }, h('h3', {}, t.table),
    linesTable(`usage-ops-${i}`, 'operation', t.operations) || h('p', { class: 'note' }, 'No requests yet.'),
    linesTable(`usage-idx-${i}`, 'index', t.indexes)));
}

/* Units a second per table since the last reading (read and write apart). */
function rates(series, u, prev, dt) {
  for (const t of u.tables) {
    const p = prev?.get(t.table);
    record(series, `${t.table} read`, p ? Math.max(0, (t.readUnits - p.readUnits) / dt) : 0);
    record(series, `${t.table} write`, p ? Math.max(0, (t.writeUnits - p.writeUnits) / dt) : 0);
  }
  return new Map(u.tables.map((t) => [t.table, t]));
}

export function usageScreen(view) {
  const box = h('div');
  const head = h('p', { id: 'usage-window', class: 'note' }, 'Reading…');
  const { plotEl, list } = plotView('usage');
  const sum = h('div', { id: 'usage-summary' });
  const more = h('div', { id: 'usage-details' });
  const title = 'Capacity units a second, per table';
  view.replaceChildren(h('h1', {}, 'Usage'), box, head,
    h('section', {}, h('h2', {}, title), plotEl, list),
    h('section', {}, h('h2', {}, 'Cost by table'), sum),
    h('section', {}, h('h2', {}, 'By operation and index'), more),
    h('p', { class: 'note' }, 'From GET /ddbd/usage, read every 2 s: DynamoDB\'s units as each request was charged, ',
      'priced on demand for every table (a provisioned one\'s capacity beside it). An index\'s units are part of its table\'s.'));
  const series = new Map();
  let prev = null;
  let at = 0;
  const tick = async () => {
    if (!view.contains(box)) return; // the screen was left
    try {
      const u = await admin('GET', '/ddbd/usage');
      const now = performance.now();
      prev = rates(series, u, prev, (now - at) / 1000);
      at = now;
      head.textContent = `${count(u.tables.length, 'table')}, over ${Math.round(u.windowSeconds)} s since the server started `
        + `(its clock); a month is ${u.monthSeconds / 3600} hours. Prices of ${u.region}, ${u.prices.source} (${u.prices.date}).`;
      plot(plotEl, series, '/s', title, `last ${(POINTS * EVERY_MS) / 1000} s`);
      legend(list, series, '/s');
      plotEl.dataset.points = String([...series.values()].reduce((a, ys) => a + ys.filter((y) => y > 0).length, 0));
      sum.replaceChildren(u.tables.length ? summary(u) : h('p', { class: 'note' }, 'No tables.'));
      more.replaceChildren(...details(u));
      box.replaceChildren();
    } catch (err) {
      box.replaceChildren(errorBox(err));
      // a key without rights=admin (under --auth) is refused every time: said once, not asked again
      if (err.type === 'AccessDeniedException') return;
    }
    setTimeout(tick, EVERY_MS);
  };
  tick();
}
