// The Usage screen (#/usage): what production would charge, from GET /ddbd/usage (the admin door,
// --admin; docs/usage.md) read every 2 s: per table its read and write units and their cost on
// demand for the window since the server started and projected to a month, a provisioned table's
// capacity beside it, storage; per operation and per index; and the units a second per table as
// lines (plot.js), one point each reading.
import { admin, withQuery } from './api.js';
import { count, errorBox, h } from './dom.js';
import { axisLabel, legend, plot, plotView, POINTS, record, svg } from './plot.js';

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

/* A table's access patterns (docs/usage.md): what each shape of request cost, a thousand calls and a month. */
function patternsTable(id, patterns) {
  if (!patterns?.length) return null;
  return h('div', { class: 'scroll' }, h('table', { id },
    h('thead', {}, h('tr', {}, ['access pattern', 'requests', 'read units', 'write units', 'a 1,000 calls', 'a month at this rate']
      .map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, patterns.map((p) => h('tr', {}, h('td', {}, p.pattern), num(units(p.requests)), num(units(p.readUnits)),
      num(units(p.writeUnits)), num(money(p.costPer1000Requests)), num(money(p.monthlyCost)))))));
}

/* The provisioned capacity that would have carried the window's busiest second. */
function atPeak(t) {
  const p = t.provisionedAtPeak;
  if (!p) return null;
  return h('p', { class: 'note usage-peak' }, `At its busiest second (${units(p.peakReadUnitsPerSecond)} read and `
    + `${units(p.peakWriteUnitsPerSecond)} write units a second), provisioned ${p.readCapacityUnits} RCU and `
    + `${p.writeCapacityUnits} WCU at ${Math.round(p.targetUtilization * 100)} % utilisation would carry it: `
    + `${money(p.monthlyCost)} a month.`);
}

/* Each table's operations, indexes and access patterns. */
function details(u) {
  return u.tables.map((t, i) => h('section', { class: 'usage-table' }, h('h3', {}, t.table),
    linesTable(`usage-ops-${i}`, 'operation', t.operations) || h('p', { class: 'note' }, 'No requests yet.'),
    linesTable(`usage-idx-${i}`, 'index', t.indexes), patternsTable(`usage-patterns-${i}`, t.accessPatterns), atPeak(t)));
}

const keyText = (k) => Object.entries(k || {}).map(([type, v]) => `${type} ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');

/* The forecast's throttled partitions as bars: each key's units a second against its partition's
   limit (the line), where a table of numbers hid which one was over by how much. */
function throttleBars(id, rows) {
  const W = 900, ROW = 28, L = 300;
  const max = Math.max(...rows.map((r) => Math.max(r.unitsPerSecond, r.limitUnitsPerSecond)), 1);
  const x = (v) => L + ((W - L - 90) * v) / max;
  const el = svg('svg', { viewBox: `0 0 ${W} ${rows.length * ROW + 6}`, class: 'plot', role: 'img', id });
  const t = svg('title', {});
  t.textContent = 'Partitions that would throttle: units a second against the limit';
  el.append(t);
  rows.forEach((r, i) => {
    const y = i * ROW + 4;
    const label = `${r.index ? `${r.index} ` : ''}${r.operation} ${r.partitionKey ? keyText(r.partitionKey) : '(the table)'}`;
    const text = (tx, anchor, s, fill = '#57606a') => {
      const e = svg('text', { x: tx, y: y + 17, 'text-anchor': anchor, 'font-size': 13, fill });
      e.textContent = s;
      return e;
    };
    el.append(text(L - 8, 'end', label.length > 40 ? `${label.slice(0, 39)}…` : label, '#1b1f24'),
      svg('rect', { x: L, y, width: Math.max(1, x(r.unitsPerSecond) - L), height: ROW - 10, fill: '#d1495b', rx: 2 }),
      svg('line', { x1: x(r.limitUnitsPerSecond), x2: x(r.limitUnitsPerSecond), y1: y - 2, y2: y + ROW - 6, stroke: '#1b1f24' }),
      text(x(r.unitsPerSecond) + 6, 'start', `${axisLabel(r.unitsPerSecond, '/s')} (limit ${axisLabel(r.limitUnitsPerSecond, '/s')})`));
  });
  return el;
}

/* GET /ddbd/usage?rate=...: what production's rate would do to each table. */
function forecast(f) {
  if (!f) return [h('p', { class: 'note' }, 'Give production\'s rate above (requests a second: 20000, or per table '
    + 'Orders:5000,Users:200) to see which partitions would throttle, the capacity that carries it and its cost.')];
  const rows = f.tables.map((t, i) => h('section', { class: 'usage-forecast-table' }, h('h3', {}, t.table),
    h('p', {}, `${units(t.requestsPerSecond)} requests a second (${t.rateFrom}): ${units(t.readUnitsPerSecond)} read and `
      + `${units(t.writeUnitsPerSecond)} write units a second over about ${count(t.estimatedPartitions, 'partition')}; `
      + `${count(t.throttledPartitions || 0, 'partition')} would throttle.`),
    t.throttled?.length ? throttleBars(`usage-throttle-${i}`, t.throttled) : null,
    h('p', { class: 'usage-capacity' }, `Provisioned ${t.provisioned.readCapacityUnits} RCU and ${t.provisioned.writeCapacityUnits} WCU `
      + `(${Math.round(t.provisioned.targetUtilization * 100)} % utilisation)${t.provisioned.carriesHotKeys ? '' : ', though its hot keys throttle anyway'}: `
      + `${money(t.provisioned.monthlyCost)} a month; on demand ${money(t.onDemand.monthlyCost)} a month.`)));
  return [h('p', { id: 'usage-forecast-total' }, `At ${f.rate}: ${money(f.total.onDemandMonthlyCost)} a month on demand, `
    + `${money(f.total.provisionedMonthlyCost)} provisioned.`), ...rows];
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

/* The marks (POST /ddbd/usage/mark): the choice of "since" kept, the list refreshed. */
function fillMarks(select, marks) {
  const chosen = select.value;
  select.replaceChildren(h('option', { value: '' }, 'the server started'),
    ...marks.map((m) => h('option', { value: m.name }, `mark ${m.name}`)));
  select.value = marks.some((m) => m.name === chosen) ? chosen : '';
}

export function usageScreen(view) {
  const box = h('div');
  const head = h('p', { id: 'usage-window', class: 'note' }, 'Reading…');
  const { plotEl, list } = plotView('usage');
  const sum = h('div', { id: 'usage-summary' });
  const more = h('div', { id: 'usage-details' });
  const ahead = h('div', { id: 'usage-forecast' });
  const title = 'Capacity units a second, per table';
  const since = h('select', { id: 'usage-since', 'aria-label': 'Since' }, h('option', { value: '' }, 'the server started'));
  const markName = h('input', { id: 'usage-mark-name', 'aria-label': 'Mark name', placeholder: 'a name', size: 16 });
  const rate = h('input', { id: 'usage-rate', 'aria-label': 'Production rate', placeholder: '20000 or Orders:5000', size: 22 });
  const setMark = async (e) => {
    e.preventDefault();
    if (!markName.value.trim()) return;
    try {
      await admin('POST', '/ddbd/usage/mark', { name: markName.value.trim() });
      fillMarks(since, (await admin('GET', '/ddbd/usage/mark')).marks);
      markName.value = '';
    } catch (err) { box.replaceChildren(errorBox(err)); }
  };
  const controls = h('div', { class: 'row usage-controls' },
    h('label', {}, 'Since ', since),
    h('form', { id: 'usage-mark-form', class: 'row', onsubmit: setMark }, markName,
      h('button', { type: 'submit', id: 'usage-mark', class: 'secondary' }, 'Set a mark')),
    h('form', { id: 'usage-rate-form', class: 'row', onsubmit: (e) => { e.preventDefault(); wake(); } },
      h('label', {}, 'Production\'s rate ', rate), h('button', { type: 'submit', id: 'usage-forecast-run' }, 'Forecast')));
  view.replaceChildren(h('h1', {}, 'Usage'), controls, box, head,
    h('section', {}, h('h2', {}, title), plotEl, list),
    h('section', {}, h('h2', {}, 'Cost by table'), sum),
    h('section', {}, h('h2', {}, 'By operation, index and access pattern'), more),
    h('section', {}, h('h2', {}, 'At production\'s rate'), ahead),
    h('p', { class: 'note' }, 'From GET /ddbd/usage, read every 2 s: DynamoDB\'s units as each request was charged, ',
      'priced on demand for every table (a provisioned one\'s capacity beside it). An index\'s units are part of its table\'s.'));
  const series = new Map();
  let prev = null;
  let at = 0;
  let timer = null;
  let turn = 0; // the newest reading's: an older one still under way draws nothing and stops
  const tick = async () => {
    clearTimeout(timer);
    const mine = ++turn;
    if (!view.contains(box)) return; // the screen was left
    try {
      const u = await admin('GET', withQuery('/ddbd/usage', { since: since.value, rate: rate.value.trim() }));
      if (mine !== turn) return;
      fillMarks(since, (await admin('GET', '/ddbd/usage/mark')).marks); // (after the report: a refused key is refused once)
      const now = performance.now();
      prev = rates(series, u, prev, (now - at) / 1000);
      at = now;
      head.textContent = `${count(u.tables.length, 'table')}, over ${Math.round(u.windowSeconds)} s since `
        + `${u.since ? `mark ${u.since.mark}` : 'the server started'} (its clock); a month is ${u.monthSeconds / 3600} hours`
        + `${u.projection?.shortWindow ? ', so a month\'s figure is a projection from a short window' : ''}. `
        + `Prices of ${u.region}, ${u.prices.source} (${u.prices.date}).`;
      ahead.replaceChildren(...forecast(u.forecast));
      plot(plotEl, series, '/s', title, `last ${(POINTS * EVERY_MS) / 1000} s`);
      legend(list, series, '/s');
      plotEl.dataset.points = String([...series.values()].reduce((a, ys) => a + ys.filter((y) => y > 0).length, 0));
      sum.replaceChildren(u.tables.length ? summary(u) : h('p', { class: 'note' }, 'No tables.'));
      more.replaceChildren(...details(u));
      box.replaceChildren();
    } catch (err) {
      if (mine !== turn) return;
      box.replaceChildren(errorBox(err));
      // a key without rights=admin (under --auth) is refused every time, and a rate or mark the door
      // refuses (400, 404) until it is changed: said once, asked again when "since" or the rate is
      if (err.type === 'AccessDeniedException' || err.status === 400 || err.status === 404) return;
    }
    timer = setTimeout(tick, EVERY_MS);
  };
  // a new "since" or rate is read at once, not at the next tick
  const wake = () => { prev = null; series.clear(); tick(); };
  since.addEventListener('change', wake);
  tick();
}
