// The Items screen's Scan/Query builder: the key condition, filter rows, a projection, and the
// request they make. Every attribute name the builder writes into an expression is aliased (#k0,
// #f0, #p0), so a reserved word (status, name, size, ...) never needs a hand-made alias.
import { field, h } from './dom.js';

const SK_OPS = ['=', '<', '<=', '>', '>=', 'begins_with', 'between'];
/* Each sort key condition as the choice reads, with the key's name. */
const SK_WORDS = {
  '=': (k) => `${k} = value`, '<': (k) => `${k} < value`, '<=': (k) => `${k} <= value`, '>': (k) => `${k} > value`,
  '>=': (k) => `${k} >= value`, begins_with: (k) => `begins_with(${k}, value)`, between: (k) => `${k} between value and value`,
};
const FILTER_OPS = ['=', '<>', '<', '<=', '>', '>=', 'begins_with', 'contains', 'between', 'attribute_exists', 'attribute_not_exists'];
const VALUE_TYPES = ['S', 'N', 'BOOL', 'NULL'];
// the items a filtered page (or all matches) reads at most before it shows what matched (items.js
// reads on to a full page, or to the end with "All matches")
const READ_BUDGET = 10000;

function keysOf(schema) {
  return { pk: schema.find((k) => k.KeyType === 'HASH')?.AttributeName, sk: schema.find((k) => k.KeyType === 'RANGE')?.AttributeName };
}

/* The indexes a request may name: '' for the table itself, with each one's key. */
export function targets(t) {
  const out = [['', keysOf(t.KeySchema)]];
  for (const i of [...(t.GlobalSecondaryIndexes || []), ...(t.LocalSecondaryIndexes || [])]) out.push([i.IndexName, keysOf(i.KeySchema)]);
  return out;
}

export function typeOfAttr(t, name) { return t.AttributeDefinitions.find((a) => a.AttributeName === name)?.AttributeType || 'S'; }

/* A typed value from a row's text: N kept as its digits (exact), BOOL from true/false. */
function typed(type, text) {
  if (type === 'BOOL') {
    if (!/^(true|false)$/.test(text.trim())) throw new Error(`a BOOL is true or false, not "${text}"`);
    return { BOOL: text.trim() === 'true' };
  }
  if (type === 'NULL') return { NULL: true };
  if (type === 'N' && !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text.trim())) throw new Error(`"${text}" is not a number`);
  return { [type]: type === 'N' ? text.trim() : text };
}

/* A document path (a.b[0].c) with each name aliased through `alias`; a path already holding # is the user's own. */
function aliasPath(path, alias) {
  if (path.includes('#')) return path;
  return path.split('.').map((seg) => seg.replace(/^[^[\]]+/, (n) => alias(n))).join('.');
}

/* One filter row: attribute, operator, type, value (and a second value for between). */
function filterRow(remove) {
  const r = {
    name: h('input', { class: 'f-name', size: 12, 'aria-label': 'Attribute' }),
    op: h('select', { class: 'f-op', 'aria-label': 'Operator' }, FILTER_OPS.map((o) => h('option', {}, o))),
    type: h('select', { class: 'f-type', 'aria-label': 'Type' }, VALUE_TYPES.map((o) => h('option', {}, o))),
    value: h('input', { class: 'f-value', size: 14, 'aria-label': 'Value' }),
    value2: h('input', { class: 'f-value2', size: 10, 'aria-label': 'and value', placeholder: '(between)' }),
  };
  r.el = h('div', { class: 'row filter-row' }, r.name, r.op, r.type, r.value, r.value2,
    h('button', { type: 'button', class: 'secondary', 'aria-label': 'Remove this filter', onclick: () => remove(r) }, '×'));
  return r;
}

/* The filter rows as one condition (AND), their names and values added to `names`/`values`. */
function rowsCondition(rows, alias, values) {
  return rows.filter((r) => r.name.value.trim()).map((r, i) => {
    const path = aliasPath(r.name.value.trim(), alias);
    const op = r.op.value;
    if (op === 'attribute_exists' || op === 'attribute_not_exists') return `${op}(${path})`;
    values[`:f${i}`] = typed(r.type.value, r.value.value);
    if (op === 'begins_with' || op === 'contains') return `${op}(${path}, :f${i})`;
    if (op === 'between') {
      values[`:f${i}b`] = typed(r.type.value, r.value2.value);
      return `${path} BETWEEN :f${i} AND :f${i}b`;
    }
    return `${path} ${op} :f${i}`;
  }).join(' AND ');
}

/* The Scan or Query input the builder's fields describe (without ExclusiveStartKey). */
function requestOf(t, f, rows) {
  const input = { TableName: t.TableName };
  const names = {};
  const byName = new Map();
  const alias = (n) => {
    if (!byName.has(n)) { byName.set(n, `#a${byName.size}`); names[byName.get(n)] = n; }
    return byName.get(n);
  };
  const values = f.values.value.trim() ? JSON.parse(f.values.value) : {};
  const [index, keys] = targets(t)[f.index.selectedIndex];
  if (index) input.IndexName = index;
  if (f.mode.value === 'Query') {
    names['#pk'] = keys.pk;
    values[':pk'] = { [typeOfAttr(t, keys.pk)]: f.pkValue.value };
    let cond = '#pk = :pk';
    const op = f.skOp.value;
    if (keys.sk && f.skValue.value !== '') {
      names['#sk'] = keys.sk;
      const type = typeOfAttr(t, keys.sk);
      values[':sk'] = { [type]: f.skValue.value };
      if (op === 'begins_with') cond += ' AND begins_with(#sk, :sk)';
      else if (op === 'between') {
        values[':sk2'] = { [type]: f.skValue2.value };
        cond += ' AND #sk BETWEEN :sk AND :sk2';
      } else cond += ` AND #sk ${op} :sk`;
    }
    input.KeyConditionExpression = cond;
    if (f.backward.checked) input.ScanIndexForward = false;
  }
  const filters = [f.filter.value.trim(), rowsCondition(rows, alias, values)].filter(Boolean);
  if (filters.length) input.FilterExpression = filters.length > 1 ? filters.map((x) => `(${x})`).join(' AND ') : filters[0];
  const proj = f.projection.value.split(',').map((p) => p.trim()).filter(Boolean);
  if (proj.length) input.ProjectionExpression = proj.map((p) => aliasPath(p, alias)).join(', ');
  Object.assign(names, f.names.value.trim() ? JSON.parse(f.names.value) : {});
  if (Object.keys(names).length) input.ExpressionAttributeNames = names;
  if (Object.keys(values).length) input.ExpressionAttributeValues = values;
  if (f.limit.value) input.Limit = Number(f.limit.value);
  return input;
}

/* The builder form; `run(make, op)` runs what it describes. Returns { form, current, snapshot, load,
   queryIndex, budget, all }: current() is the request on screen ({op, input}) for the code box, snapshot()
   and load() the form's fields as a saved operation keeps them, queryIndex() the 'i' key's Query on an
   index, budget() the items a filtered page reads at most, all() whether every match is asked for at
   once (the "All matches" box); `changed` is called on each edit. */
export function builder(t, run, changed) {
  const f = {
    mode: h('select', { id: 'mode' }, h('option', {}, 'Scan'), h('option', {}, 'Query')),
    index: h('select', { id: 'index' }, targets(t).map(([n, k]) => h('option', { value: n }, n ? `index ${n} (${k.pk}${k.sk ? `, ${k.sk}` : ''})` : `table (${k.pk}${k.sk ? `, ${k.sk}` : ''})`))),
    pkValue: h('input', { id: 'pk-value' }), skOp: h('select', { id: 'sk-op' }, SK_OPS.map((o) => h('option', { value: o }, o))),
    skValue: h('input', { id: 'sk-value' }), skValue2: h('input', { id: 'sk-value2', placeholder: '(between only)' }),
    backward: h('input', { type: 'checkbox' }),
    all: h('input', { type: 'checkbox', id: 'all-matches' }),
    filter: h('input', { id: 'filter', size: 30, placeholder: 'e.g. #n > :v' }),
    projection: h('input', { id: 'projection', size: 30, placeholder: 'a, b.c, l[0]' }),
    names: h('input', { id: 'names', size: 30, placeholder: '{"#n": "name"}' }), values: h('input', { id: 'values', size: 40, placeholder: '{":v": {"N": "3"}}' }),
    limit: h('input', { id: 'limit', type: 'number', min: 1, value: 50 }),
    budget: h('input', { id: 'read-budget', type: 'number', min: 1, value: READ_BUDGET }),
  };
  const rows = [];
  const rowsEl = h('div', { id: 'filter-rows' });
  const remove = (r) => { rows.splice(rows.indexOf(r), 1); r.el.remove(); changed(); };
  const addRow = () => {
    const r = filterRow(remove);
    rows.push(r);
    rowsEl.append(r.el);
    r.name.focus();
    changed();
  };
  // the key of the table or index picked, by name and type: "Partition key status (S)", and the
  // sort key's conditions offered with its name ("created between ... and ..."); begins_with only on
  // a string or binary sort key, which is all DynamoDB takes it on
  const pkLabel = h('span', { id: 'pk-label' });
  const skLabel = h('span', { id: 'sk-label' });
  const skFields = [field(skLabel, f.skOp), field('Sort key value', f.skValue)];
  const and = field('and', f.skValue2);
  const keyRow = h('div', { class: 'row', hidden: true }, field(pkLabel, f.pkValue), skFields, and, field('Descending', f.backward, 'inline'));
  const keyNames = () => {
    const [, k] = targets(t)[f.index.selectedIndex];
    pkLabel.textContent = `Partition key ${k.pk} (${typeOfAttr(t, k.pk)})`;
    for (const el of skFields) el.hidden = !k.sk;
    if (k.sk) {
      const type = typeOfAttr(t, k.sk);
      skLabel.textContent = `Sort key ${k.sk} (${type})`;
      for (const o of f.skOp.options) {
        o.textContent = SK_WORDS[o.value](k.sk);
        o.disabled = o.value === 'begins_with' && type === 'N';
      }
      if (f.skOp.selectedOptions[0]?.disabled) f.skOp.value = '=';
    }
    and.hidden = !k.sk || f.skOp.value !== 'between';
    keyRow.hidden = f.mode.value !== 'Query';
  };
  for (const el of [f.mode, f.index, f.skOp]) el.addEventListener('change', keyNames);
  keyNames();
  const current = () => ({ op: f.mode.value, input: requestOf(t, f, rows) });
  // what the form holds, as saved operations keep it (savedOps in items.js), and back
  const FIELDS = ['mode', 'index', 'pkValue', 'skOp', 'skValue', 'skValue2', 'filter', 'projection', 'names', 'values', 'limit', 'budget'];
  const snapshot = () => ({ ...Object.fromEntries(FIELDS.map((k) => [k, f[k].value])), backward: f.backward.checked, all: f.all.checked,
    rows: rows.map((r) => ({ name: r.name.value, op: r.op.value, type: r.type.value, value: r.value.value, value2: r.value2.value })) });
  const load = (st) => {
    for (const k of FIELDS) if (st[k] !== undefined) f[k].value = st[k];
    f.backward.checked = Boolean(st.backward);
    f.all.checked = Boolean(st.all);
    keyNames();
    for (const r of [...rows]) { rows.splice(rows.indexOf(r), 1); r.el.remove(); }
    for (const x of st.rows || []) {
      const r = filterRow(remove);
      for (const k of ['name', 'op', 'type', 'value', 'value2']) r[k].value = x[k] ?? '';
      rows.push(r);
      rowsEl.append(r.el);
    }
    changed();
  };
  const form = h('form', { id: 'builder', oninput: changed, onchange: changed,
    onsubmit: (e) => { e.preventDefault(); run(() => requestOf(t, f, rows), f.mode.value); } },
    h('div', { class: 'row' }, field('Operation', f.mode), field('On', f.index), field('Page size', f.limit),
      field('Read at most (items a filtered page, or all matches)', f.budget),
      field('All matches (every page at once)', f.all, 'inline')), keyRow,
    h('fieldset', {}, h('legend', {}, 'Filters (all must hold; names aliased for you)'), rowsEl,
      h('button', { type: 'button', class: 'secondary', id: 'add-filter', onclick: addRow }, 'Add a filter')),
    h('div', { class: 'row' }, field('Projection (names, comma-separated)', f.projection), field('More filter (an expression)', f.filter),
      field('Attribute names (JSON)', f.names), field('Attribute values (DynamoDB JSON)', f.values)),
    h('button', { type: 'submit', id: 'run' }, 'Run'));
  // the 'i' key: a Query, the table or index to pick focused (its key names follow the choice)
  const queryIndex = () => {
    f.mode.value = 'Query';
    keyNames();
    changed();
    f.index.focus();
  };
  return { form, current, snapshot, load, queryIndex, budget: () => Math.max(1, Number(f.budget.value) || READ_BUDGET),
    all: () => f.all.checked };
}
