// A table's items: Scan and Query (key condition, filter, projection), a page at a time, and an
// editor that puts, replaces and deletes items as DynamoDB JSON (numbers stay strings, binary base64).
import { call } from './api.js';
import { field, guarded, h, itemsTable, pretty, say } from './dom.js';
import { fromPlain, toPlain } from './plainjson.js';
import { describe } from './tables.js';
import { vectorSection } from './vectors.js';

const SK_OPS = ['=', '<', '<=', '>', '>=', 'begins_with', 'between'];

function keysOf(schema) {
  return { pk: schema.find((k) => k.KeyType === 'HASH')?.AttributeName, sk: schema.find((k) => k.KeyType === 'RANGE')?.AttributeName };
}

/* The indexes a request may name: '' for the table itself, with each one's key. */
function targets(t) {
  const out = [['', keysOf(t.KeySchema)]];
  for (const i of [...(t.GlobalSecondaryIndexes || []), ...(t.LocalSecondaryIndexes || [])]) out.push([i.IndexName, keysOf(i.KeySchema)]);
  return out;
}

/* An item's key, as DeleteItem takes it. */
function keyOf(t, it) { return Object.fromEntries(t.KeySchema.map((k) => [k.AttributeName, it[k.AttributeName]])); }

function typeOfAttr(t, name) { return t.AttributeDefinitions.find((a) => a.AttributeName === name)?.AttributeType || 'S'; }

/* The Scan or Query input the builder's fields describe (without ExclusiveStartKey). */
function requestOf(t, f) {
  const input = { TableName: t.TableName };
  const names = {};
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
  if (f.filter.value.trim()) input.FilterExpression = f.filter.value.trim();
  if (f.projection.value.trim()) input.ProjectionExpression = f.projection.value.trim();
  Object.assign(names, f.names.value.trim() ? JSON.parse(f.names.value) : {});
  if (Object.keys(names).length) input.ExpressionAttributeNames = names;
  if (Object.keys(values).length) input.ExpressionAttributeValues = values;
  if (f.limit.value) input.Limit = Number(f.limit.value);
  return input;
}

function builder(t, run) {
  const f = {
    mode: h('select', { id: 'mode' }, h('option', {}, 'Scan'), h('option', {}, 'Query')),
    index: h('select', { id: 'index' }, targets(t).map(([n, k]) => h('option', { value: n }, n ? `index ${n} (${k.pk}${k.sk ? `, ${k.sk}` : ''})` : `table (${k.pk}${k.sk ? `, ${k.sk}` : ''})`))),
    pkValue: h('input', { id: 'pk-value' }), skOp: h('select', { id: 'sk-op' }, SK_OPS.map((o) => h('option', {}, o))),
    skValue: h('input', { id: 'sk-value' }), skValue2: h('input', { id: 'sk-value2', placeholder: '(between only)' }),
    backward: h('input', { type: 'checkbox' }),
    filter: h('input', { id: 'filter', size: 40, placeholder: 'e.g. #n > :v' }), projection: h('input', { id: 'projection', size: 30 }),
    names: h('input', { id: 'names', size: 30, placeholder: '{"#n": "name"}' }), values: h('input', { id: 'values', size: 40, placeholder: '{":v": {"N": "3"}}' }),
    limit: h('input', { id: 'limit', type: 'number', min: 1, value: 50 }),
  };
  const keyRow = h('div', { class: 'row', hidden: true }, field('Partition key value', f.pkValue), field('Sort key condition', f.skOp),
    field('Sort key value', f.skValue), field('and', f.skValue2), field('Descending', f.backward, 'inline'));
  f.mode.addEventListener('change', () => { keyRow.hidden = f.mode.value !== 'Query'; });
  return h('form', { id: 'builder', onsubmit: (e) => { e.preventDefault(); run(() => requestOf(t, f), f.mode.value); } },
    h('div', { class: 'row' }, field('Operation', f.mode), field('On', f.index), field('Page size', f.limit)), keyRow,
    h('div', { class: 'row' }, field('Filter expression', f.filter), field('Projection', f.projection),
      field('Attribute names (JSON)', f.names), field('Attribute values (DynamoDB JSON)', f.values)),
    h('button', { type: 'submit', id: 'run' }, 'Run'));
}

/* The item editor: DynamoDB JSON or plain JSON (plainjson.js) in a textarea, saved with PutItem. */
function editor(t, item, saved) {
  const text = h('textarea', { id: 'item-json', spellcheck: 'false', rows: 14 }, '');
  text.value = pretty(item || Object.fromEntries(t.KeySchema.map((k) => [k.AttributeName, { [typeOfAttr(t, k.AttributeName)]: '' }])));
  const format = h('select', { id: 'item-format' }, h('option', { value: 'ddb' }, 'DynamoDB JSON'), h('option', { value: 'plain' }, 'plain JSON'));
  const box = h('div');
  const read = (f) => (f === 'plain' ? fromPlain(text.value) : JSON.parse(text.value));
  let shown = 'ddb';
  format.addEventListener('change', () => guarded(box, () => {
    const it = read(shown);
    text.value = format.value === 'plain' ? toPlain(it) : pretty(it);
    shown = format.value;
  }).then(() => { format.value = shown; }));
  const save = () => guarded(box, async () => {
    const next = read(shown);
    await call('PutItem', { TableName: t.TableName, Item: next });
    // a changed key is another item: the edited one moves there (as DynamoDB's console does)
    if (item && JSON.stringify(keyOf(t, next)) !== JSON.stringify(keyOf(t, item))) {
      await call('DeleteItem', { TableName: t.TableName, Key: keyOf(t, item) });
    }
    say('Item saved');
    saved();
  });
  return h('section', { id: 'editor', 'aria-labelledby': 'editor-h' }, h('h2', { id: 'editor-h' }, item ? 'Edit item' : 'New item'),
    field('Format', format),
    field('Item (DynamoDB JSON: {"name": {"S": "..."}}, numbers as strings, binary as base64; or plain JSON, numbers exact; '
      + 'a changed key moves the item)', text),
    h('button', { type: 'button', id: 'save-item', onclick: save }, 'Save item'),
    h('button', { type: 'button', class: 'secondary', onclick: () => saved(true) }, 'Cancel'), box);
}

export async function itemsScreen(view, name) {
  const box = h('div');
  view.replaceChildren(h('h1', {}, `Items of ${name}`), box);
  const t = await guarded(box, () => describe(name));
  if (!t) return;
  const keyNames = t.KeySchema.map((k) => k.AttributeName);
  const results = h('div', { id: 'results' });
  const edit = h('div');
  const info = h('p', { class: 'note', id: 'page-info' });
  const state = { input: null, last: null, page: 0, op: 'Scan', seq: 0 };
  const page = (first) => guarded(box, async () => {
    const input = { ...state.input };
    if (!first && state.last) input.ExclusiveStartKey = state.last;
    const seq = ++state.seq;
    const out = await call(state.op, input);
    if (seq !== state.seq) return; // a later request's answer shows instead
    state.last = out.LastEvaluatedKey || null;
    state.page = first ? 1 : state.page + 1;
    info.textContent = `Page ${state.page}: ${out.Count} items (${out.ScannedCount} read)${state.last ? '' : ', the last page'}`;
    next.disabled = !state.last;
    results.replaceChildren(itemsTable(out.Items, keyNames, (it) => [
      h('button', { type: 'button', class: 'secondary', onclick: () => openEditor(it) }, 'Edit'),
      h('button', { type: 'button', class: 'danger', onclick: () => remove(it) }, 'Delete')]));
  });
  const run = (make, op) => guarded(box, () => { state.input = make(); state.op = op; return page(true); });
  const rerun = () => (state.input ? page(true) : null);
  const openEditor = (it) => {
    edit.replaceChildren(editor(t, it, (cancelled) => { edit.replaceChildren(); if (!cancelled) rerun(); }));
    edit.querySelector('textarea').focus();
  };
  const remove = (it) => guarded(box, async () => {
    if (!confirm('Delete this item?')) return;
    await call('DeleteItem', { TableName: t.TableName, Key: keyOf(t, it) });
    say('Item deleted');
    await rerun();
  });
  const next = h('button', { type: 'button', id: 'next-page', disabled: true, onclick: () => page(false) }, 'Next page');
  view.append(
    h('p', {}, h('a', { href: `#/table/${encodeURIComponent(name)}` }, 'Table details'), ' ',
      h('button', { type: 'button', id: 'new-item', onclick: () => openEditor(null) }, 'New item')),
    edit, vectorSection(t), h('section', {}, h('h2', {}, 'Scan or query'), builder(t, run)), info, results, next);
  await run(() => ({ TableName: t.TableName, Limit: 50 }), 'Scan');
}
