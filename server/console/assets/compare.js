// Side by side: two items of a table, attribute by attribute (only in A, only in B, differ, the
// same), and this table with another, item by item matched on the key (only in A, only in B, differ),
// each table read up to a bound the form names (10,000 items unless told), since the browser holds
// both: a comparison that stops there says so, and that an item "only in" one table may be in the
// other's unread part. Asked for "the screen's matches", each table is read with the Items screen's
// Scan or Query as a filter (its key condition and filter), every match of it, the bound then on the
// items read.
import { call } from './api.js';
import { typeOfAttr } from './builder.js';
import { count, field, guarded, h, showValue } from './dom.js';

const BOUND = 10000;
const SHOWN = 100; // keys listed a kind

/* A number's one spelling (1.50, 1.5 and 15E-1 are one number), exactly: digits and an exponent. */
function numberKey(s) {
  const m = /^([-+]?)(\d*)\.?(\d*)(?:[eE]([-+]?\d+))?$/.exec(s.trim());
  if (!m) return s;
  const lead = (m[2] + m[3]).replace(/^0+/, '');
  if (!lead) return '0';
  const digits = lead.replace(/0+$/, '');
  const exp = Number(m[4] || 0) - m[3].length + (lead.length - digits.length);
  return `${m[1] === '-' ? '-' : ''}${digits}e${exp}`;
}

/* A value in one spelling, so that equal values compare equal: sets in order, maps by name, numbers as numberKey. */
export function canonical(v) {
  const [type, x] = Object.entries(v)[0];
  switch (type) {
    case 'N': return `N:${numberKey(x)}`;
    case 'NS': return `NS:${JSON.stringify(x.map(numberKey).sort())}`;
    case 'SS': case 'BS': return `${type}:${JSON.stringify([...x].sort())}`;
    case 'L': return `L:[${x.map(canonical).join(',')}]`;
    case 'M': return `M:{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}=${canonical(x[k])}`).join(',')}}`;
    default: return `${type}:${JSON.stringify(x)}`;
  }
}

/* Two items attribute by attribute: [[name, kind], ...], kind 'only in A', 'only in B', 'differ' or
   'same'; the key's names first, then the rest by name. */
export function diffItems(a, b, keyNames) {
  const rest = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((n) => !keyNames.includes(n)).sort();
  return [...keyNames.filter((n) => n in a || n in b), ...rest].map((n) => {
    if (!(n in b)) return [n, 'only in A'];
    if (!(n in a)) return [n, 'only in B'];
    return [n, canonical(a[n]) === canonical(b[n]) ? 'same' : 'differ'];
  });
}

const KINDS = ['differ', 'only in A', 'only in B', 'same'];

function tally(rows) {
  return KINDS.map((k) => [k, rows.filter((r) => r[1] === k).length]).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing';
}

/* The attribute table of two items: name, A's value, B's, and how they stand. */
function sideBySide(a, b, rows, labelA, labelB) {
  return h('div', { class: 'scroll' }, h('table', { class: 'compare' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Attribute'), h('th', { scope: 'col' }, labelA), h('th', { scope: 'col' }, labelB),
      h('th', { scope: 'col' }, 'A and B'))),
    h('tbody', {}, rows.map(([n, kind]) => h('tr', { class: `k-${kind.replace(/ /g, '-')}` }, h('th', { scope: 'row' }, n),
      h('td', { class: 'val' }, showValue(a[n])), h('td', { class: 'val' }, showValue(b[n])), h('td', {}, kind))))));
}

/* Key inputs of a table's key (typed as its attribute definitions say), ids `${prefix}-pk`/`-sk`. */
function keyInputs(t, prefix) {
  const inputs = t.KeySchema.map((k) => [k.AttributeName, h('input', { id: `${prefix}-${k.KeyType === 'HASH' ? 'pk' : 'sk'}`, size: 14 })]);
  return {
    fields: inputs.map(([n, el]) => field(n, el)),
    key: () => Object.fromEntries(inputs.map(([n, el]) => [n, { [typeOfAttr(t, n)]: el.value }])),
    fill: (it) => { for (const [n, el] of inputs) el.value = it[n] ? showValue(it[n]).replace(/^b64:/, '') : ''; },
    first: inputs[0][1],
  };
}

const keyWords = (names, it) => names.map((n) => `${n} = ${JSON.stringify(showValue(it[n]))}`).join(', ');

/* Every table's name (ListTables, each page). */
async function tableNames() {
  const out = [];
  let start;
  do {
    const page = await call('ListTables', start ? { ExclusiveStartTableName: start } : {});
    out.push(...page.TableNames);
    start = page.LastEvaluatedTableName;
  } while (start);
  return out;
}

/** A Scan or Query's request as a Scan's filter: its key condition and filter as one condition, with
    the names and values that condition uses (a projection's are left out); null where it has neither. */
export function matchesOf(input) {
  const parts = [input?.KeyConditionExpression, input?.FilterExpression].filter(Boolean);
  if (parts.length === 0) return null;
  const cond = parts.length > 1 ? parts.map((p) => `(${p})`).join(' AND ') : parts[0];
  const used = new Set(cond.match(/[#:][A-Za-z0-9_]+/g));
  const only = (o) => Object.fromEntries(Object.entries(o || {}).filter(([k]) => used.has(k)));
  const filter = { FilterExpression: cond };
  if (Object.keys(only(input.ExpressionAttributeNames)).length) filter.ExpressionAttributeNames = only(input.ExpressionAttributeNames);
  if (Object.keys(only(input.ExpressionAttributeValues)).length) filter.ExpressionAttributeValues = only(input.ExpressionAttributeValues);
  return filter;
}

/* A table's items (those `filter` matches, where given), up to `bound` items read, or until
   `stopped()`: { items, read, whole }; `progress(items, read, requests)` as it goes. */
async function readTable(name, bound, stopped, progress, filter) {
  const items = [];
  let start, read = 0, requests = 0;
  do {
    const page = await call('Scan', { TableName: name, ...filter, Limit: bound - read, ...(start ? { ExclusiveStartKey: start } : {}) });
    items.push(...page.Items);
    read += page.ScannedCount ?? page.Count;
    requests++;
    start = page.LastEvaluatedKey;
    progress(items.length, read, requests);
  } while (start && read < bound && !stopped());
  return { items, read, whole: !start };
}

/* The Compare section: { el, pick(item), items(), tables() } (pick: a row's Compare button, the first
   press A and the second B and the comparison; items() and tables(): the 'c' and 't' keys);
   `screen()` is the Items screen's Scan or Query input (null: it shows an item got by its key). */
export function compareSection(t, screen) {
  const keyNames = t.KeySchema.map((k) => k.AttributeName);
  const A = keyInputs(t, 'cmp-a');
  const B = keyInputs(t, 'cmp-b');
  const itemsInfo = h('p', { id: 'cmp-items-info', class: 'note', role: 'status' });
  const itemsOut = h('div', { id: 'cmp-items-out' });
  const itemsBox = h('div');
  const compareItems = () => guarded(itemsBox, async () => {
    itemsOut.replaceChildren();
    itemsInfo.textContent = '';
    const [a, b] = await Promise.all([A.key(), B.key()].map((Key) => call('GetItem', { TableName: t.TableName, Key })));
    if (!a.Item || !b.Item) throw new Error(`no item has ${!a.Item ? 'key A' : 'key B'}${!a.Item && !b.Item ? ' nor key B' : ''}`);
    const rows = diffItems(a.Item, b.Item, keyNames);
    itemsInfo.textContent = `A and B: ${tally(rows)}`;
    itemsOut.replaceChildren(sideBySide(a.Item, b.Item, rows, `A: ${keyWords(keyNames, a.Item)}`, `B: ${keyWords(keyNames, b.Item)}`));
  });
  const itemsForm = h('form', { id: 'cmp-items', onsubmit: (e) => { e.preventDefault(); compareItems(); } },
    h('h3', {}, 'Two items of this table'),
    h('div', { class: 'row' }, h('span', { class: 'note' }, 'A:'), A.fields, h('span', { class: 'note' }, 'B:'), B.fields,
      h('button', { type: 'submit', id: 'cmp-items-run' }, 'Compare items')),
    h('p', { class: 'note' }, 'Or press a row\'s Compare for A, then another\'s for B.'), itemsBox, itemsInfo, itemsOut);

  const other = h('select', { id: 'cmp-table' }, h('option', { value: '' }, '(tables not read yet)'));
  const bound = h('input', { id: 'cmp-bound', type: 'number', min: 1, value: BOUND, size: 7 });
  const matching = h('input', { type: 'checkbox', id: 'cmp-matches' });
  const tablesInfo = h('p', { id: 'cmp-tables-info', class: 'note', role: 'status' });
  const tablesOut = h('div', { id: 'cmp-tables-out' });
  const tablesBox = h('div');
  let stopped = false;
  const stop = h('button', { type: 'button', class: 'secondary', id: 'cmp-stop', hidden: true, onclick: () => { stopped = true; } }, 'Stop');
  const listTables = () => guarded(tablesBox, async () => {
    const names = (await tableNames()).filter((n) => n !== t.TableName);
    other.replaceChildren(...(names.length ? names.map((n) => h('option', { value: n }, n)) : [h('option', { value: '' }, '(no other table)')]));
  });
  const compareTables = () => guarded(tablesBox, async () => {
    tablesOut.replaceChildren();
    tablesInfo.textContent = '';
    const name = other.value;
    if (!name) throw new Error('pick the table to compare with');
    const u = (await call('DescribeTable', { TableName: name })).Table;
    const shape = (x) => x.KeySchema.map((k) => `${k.AttributeName} (${typeOfAttr(x, k.AttributeName)})`).join(', ');
    if (shape(u) !== shape(t)) {
      throw new Error(`the keys differ: ${t.TableName} has ${shape(t)}, ${name} has ${shape(u)}; items are matched by their key`);
    }
    const most = Math.max(1, Number(bound.value) || BOUND);
    const filter = matching.checked ? matchesOf(screen()) : null;
    stopped = false;
    stop.hidden = false;
    let a, b;
    const progress = (table) => (n, read, requests) => {
      tablesInfo.textContent = filter ? `${table}: ${count(n, 'item')} matched of ${read} read in ${count(requests, 'request')}…`
        : `${table}: ${n} items read…`;
    };
    try {
      a = await readTable(t.TableName, most, () => stopped, progress(t.TableName), filter);
      b = await readTable(name, most, () => stopped, progress(name), filter);
    } finally { stop.hidden = true; }
    const keyOf = (it) => keyNames.map((n) => canonical(it[n])).join('\u0000');
    const inB = new Map(b.items.map((it) => [keyOf(it), it]));
    const onlyA = [], differ = [];
    let same = 0;
    for (const it of a.items) {
      const k = keyOf(it);
      const twin = inB.get(k);
      if (!twin) onlyA.push(it);
      else {
        inB.delete(k);
        const rows = diffItems(it, twin, keyNames).filter((r) => r[1] !== 'same');
        if (rows.length) differ.push([it, twin, diffItems(it, twin, keyNames)]); else same++;
      }
    }
    const onlyB = [...inB.values()];
    const partial = !a.whole || !b.whole;
    const got = (x) => `${count(x.items.length, 'item')} ${filter ? `matched of ${x.read} read` : 'read'}${x.whole ? ', all' : ''}`;
    tablesInfo.textContent = `${filter ? 'The screen\'s matches: ' : ''}A = ${t.TableName} (${got(a)}), `
      + `B = ${name} (${got(b)}): ${onlyA.length} only in A, ${onlyB.length} only in B, `
      + `${differ.length} differ, ${same} the same${partial ? `; stopped at ${most} items${filter ? ' read' : ''} a table${stopped ? ' (Stop)' : ''}, so only the `
      + 'items read are compared: an item only in one may be in the other\'s unread part' : ''}`;
    const list = (title, id, its) => (its.length ? h('section', { id }, h('h3', {}, `${title} (${its.length}${its.length > SHOWN ? `, the first ${SHOWN} shown` : ''})`),
      h('ul', {}, its.slice(0, SHOWN).map((it) => h('li', {}, keyWords(keyNames, it))))) : null);
    tablesOut.replaceChildren(...[list('Only in A', 'cmp-only-a', onlyA), list('Only in B', 'cmp-only-b', onlyB),
      differ.length ? h('section', { id: 'cmp-differ' }, h('h3', {}, `Differ (${differ.length}${differ.length > SHOWN ? `, the first ${SHOWN} shown` : ''})`),
        differ.slice(0, SHOWN).map(([x, y, rows]) => h('details', {}, h('summary', {}, `${keyWords(keyNames, x)}: `
          + rows.filter((r) => r[1] !== 'same').map((r) => `${r[0]} (${r[1]})`).join(', ')), sideBySide(x, y, rows, 'A', 'B')))) : null]
      .filter(Boolean));
  });
  const tablesForm = h('form', { id: 'cmp-tables', onsubmit: (e) => { e.preventDefault(); compareTables(); } },
    h('h3', {}, 'This table with another (A = this one), matched by key'),
    h('div', { class: 'row' }, field('B', other), field('At most, items a table', bound),
      field('Only the screen\'s matches (its Scan or Query\'s key condition and filter, every match)', matching, 'inline'),
      h('button', { type: 'submit', id: 'cmp-tables-run' }, 'Compare tables'), stop), tablesBox, tablesInfo, tablesOut);

  const el = h('details', { id: 'compare' }, h('summary', {}, h('h2', {}, 'Compare')), itemsForm, tablesForm);
  // the tables are listed each time the section opens (once an opening: a list drawn again under a
  // choice being made would undo it)
  let listing = null;
  el.addEventListener('toggle', () => { if (!el.open) listing = null; else if (!listing) listing = listTables(); });
  const openTables = () => {
    el.open = true;
    if (!listing) listing = listTables();
    return listing;
  };
  let picked = 0;
  return {
    el,
    pick: (it) => {
      el.open = true;
      if (picked === 0) { A.fill(it); B.fill({}); picked = 1; itemsInfo.textContent = `A: ${keyWords(keyNames, it)}; now B`; return; }
      B.fill(it);
      picked = 0;
      compareItems();
      itemsForm.scrollIntoView({ block: 'nearest' });
    },
    items: () => { el.open = true; A.first.focus(); },
    tables: async () => { await openTables(); other.focus(); },
  };
}
