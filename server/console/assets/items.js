// A table's items: Scan and Query (builder.js), a page at a time forwards and back, an item by its
// key, and an editor that puts, replaces and deletes items as DynamoDB JSON (numbers stay strings,
// binary base64); each operation also as code to paste (codegen.js).
import { call, session } from './api.js';
import { builder, typeOfAttr } from './builder.js';
import { codeBox } from './codegen.js';
import { count, field, guarded, h, itemsTable, pretty, say, showValue } from './dom.js';
import { itemForm } from './itemform.js';
import { fromPlain, toPlain } from './plainjson.js';
import { describe } from './tables.js';
import { vectorSection } from './vectors.js';

/* An item's key, as DeleteItem takes it. */
function keyOf(t, it) { return Object.fromEntries(t.KeySchema.map((k) => [k.AttributeName, it[k.AttributeName]])); }

/* The key said in words, for a confirmation: pk = "a", sk = 3. */
const keyWords = (t, it) => t.KeySchema.map((k) => `${k.AttributeName} = ${JSON.stringify(showValue(it[k.AttributeName]))}`).join(', ');

const region = () => session.key?.region || 'us-east-1';

/* The item editor: a typed form (itemform.js) beside the item as DynamoDB JSON or plain JSON
   (plainjson.js), each kept in step with the other, checked as typed, saved with PutItem;
   Ctrl+Enter saves, Esc cancels. */
function editor(t, item, saved) {
  const text = h('textarea', { id: 'item-json', spellcheck: 'false', rows: 14 }, '');
  const start = item || Object.fromEntries(t.KeySchema.map((k) => [k.AttributeName, { [typeOfAttr(t, k.AttributeName)]: '' }]));
  text.value = pretty(start);
  const format = h('select', { id: 'item-format' }, h('option', { value: 'ddb' }, 'DynamoDB JSON'), h('option', { value: 'plain' }, 'plain JSON'));
  const box = h('div');
  const check = h('p', { id: 'item-check', class: 'note', role: 'status' }, 'A valid item.');
  const read = (f) => (f === 'plain' ? fromPlain(text.value) : JSON.parse(text.value));
  let shown = 'ddb';
  let problem = ''; // what the side last edited says is wrong: Save refuses while there is one
  const verdict = (p) => {
    problem = p;
    check.textContent = p ? `Not saved as it is: ${p}` : 'A valid item.';
    check.classList.toggle('bad', Boolean(p));
  };
  const formChanged = () => {
    try {
      const it = form.read();
      text.value = shown === 'plain' ? toPlain(it) : pretty(it);
      verdict('');
    } catch (err) { verdict(err.message); }
    code.redraw();
  };
  let form = itemForm(start, formChanged);
  const formSlot = h('div', { class: 'pane' }, h('h3', {}, 'Attributes'), form.el);
  const textChanged = () => {
    try {
      const it = read(shown);
      if (!it || typeof it !== 'object' || Array.isArray(it)) throw new Error('an item is a JSON object');
      form = itemForm(it, formChanged);
      formSlot.replaceChildren(formSlot.firstChild, form.el);
      form.read(); // its values checked too (a number's digits, base64)
      verdict('');
    } catch (err) { verdict(err.message); }
    code.redraw();
  };
  text.addEventListener('input', textChanged);
  text.addEventListener('change', textChanged);
  format.addEventListener('change', () => guarded(box, () => {
    const it = read(shown);
    text.value = format.value === 'plain' ? toPlain(it) : pretty(it);
    shown = format.value;
  }).then(() => { format.value = shown; }));
  const save = () => guarded(box, async () => {
    if (problem) throw new Error(problem);
    const next = read(shown);
    await call('PutItem', { TableName: t.TableName, Item: next });
    // a changed key is another item: the edited one moves there (as DynamoDB's console does)
    if (item && JSON.stringify(keyOf(t, next)) !== JSON.stringify(keyOf(t, item))) {
      await call('DeleteItem', { TableName: t.TableName, Key: keyOf(t, item) });
    }
    say('Item saved');
    saved();
  });
  const op = h('select', { id: 'item-code-op' }, h('option', {}, 'PutItem'), h('option', {}, 'GetItem'));
  const code = codeBox('item-code', () => {
    const it = read(shown);
    return op.value === 'GetItem' ? { op: 'GetItem', input: { TableName: t.TableName, Key: keyOf(t, it) } }
      : { op: 'PutItem', input: { TableName: t.TableName, Item: it } };
  }, region);
  op.addEventListener('change', code.redraw);
  code.box.querySelector('.row').prepend(field('Operation', op));
  return h('section', { id: 'editor', 'aria-labelledby': 'editor-h',
    onkeydown: (e) => {
      if (e.key === 'Escape') { e.preventDefault(); saved(true); } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); save(); }
    } }, h('h2', { id: 'editor-h' }, item ? `Edit item ${keyWords(t, item)}` : 'New item'),
    h('div', { class: 'editor-grid' }, formSlot,
      h('div', { class: 'pane' }, h('h3', {}, 'As JSON'), field('Format', format),
        field('Item (DynamoDB JSON: {"name": {"S": "..."}}, numbers as strings, binary as base64; or plain JSON, numbers exact; '
          + 'a changed key moves the item)', text))),
    check, h('p', { class: 'note' }, 'Ctrl+Enter saves, Esc cancels.'),
    h('button', { type: 'button', id: 'save-item', onclick: save }, 'Save item'),
    h('button', { type: 'button', class: 'secondary', id: 'cancel-item', onclick: () => saved(true) }, 'Cancel'), box, code.box);
}

/* Saved operations: the builder's fields under a name, per table, in this browser's localStorage. */
function savedOps(t, b) {
  const key = `ddbd.saved.${t.TableName}`;
  const all = () => JSON.parse(localStorage.getItem(key) || '{}');
  const list = h('select', { id: 'saved-list' });
  const name = h('input', { id: 'saved-name', size: 16, placeholder: 'a name' });
  const fill = () => {
    const names = Object.keys(all()).sort();
    list.replaceChildren(...(names.length ? names.map((n) => h('option', { value: n }, n)) : [h('option', { value: '' }, '(none saved)')]));
  };
  fill();
  const save = () => {
    const n = name.value.trim();
    if (!n) { name.focus(); return; }
    localStorage.setItem(key, JSON.stringify({ ...all(), [n]: b.snapshot() }));
    fill();
    list.value = n;
    say(`Saved as ${n}`);
  };
  const load = () => { const st = all()[list.value]; if (st) { b.load(st); name.value = list.value; say(`${list.value} loaded`); } };
  const drop = () => {
    const rest = all();
    delete rest[list.value];
    localStorage.setItem(key, JSON.stringify(rest));
    fill();
  };
  return h('div', { class: 'row', id: 'saved-ops' }, field('Saved operations (this browser)', list),
    h('button', { type: 'button', class: 'secondary', id: 'saved-load', onclick: load }, 'Load'),
    h('button', { type: 'button', class: 'danger', id: 'saved-delete', onclick: drop }, 'Forget'),
    field('Save the form as', name), h('button', { type: 'button', class: 'secondary', id: 'saved-save', onclick: save }, 'Save'));
}

/* The get-by-key box: the table's key values, typed as its attribute definitions say. */
function getByKey(t, show) {
  const inputs = t.KeySchema.map((k) => [k.AttributeName, h('input', { id: k.KeyType === 'HASH' ? 'get-pk' : 'get-sk' })]);
  const key = () => Object.fromEntries(inputs.map(([n, el]) => [n, { [typeOfAttr(t, n)]: el.value }]));
  const code = codeBox('get-code', () => ({ op: 'GetItem', input: { TableName: t.TableName, Key: key() } }), region);
  return h('section', { 'aria-labelledby': 'get-h' }, h('h2', { id: 'get-h' }, 'Get an item by its key'),
    h('form', { id: 'get-item', oninput: code.redraw, onsubmit: (e) => { e.preventDefault(); show(key()); } },
      h('div', { class: 'row' }, inputs.map(([n, el]) => field(n, el)), h('button', { type: 'submit', id: 'get-run' }, 'Get'))), code.box);
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
  // starts[i]: the ExclusiveStartKey of page i + 1 (undefined for the first), so Previous goes back
  // without the API having a way backwards
  const state = { input: null, starts: [undefined], last: null, op: 'Scan', seq: 0 };
  const draw = (items) => results.replaceChildren(itemsTable(items, keyNames,
    [['Edit', 'secondary', (it) => openEditor(it)], ['Delete', 'danger', (it) => remove(it)]]));
  const clear = (text) => { results.replaceChildren(); info.textContent = text; next.disabled = true; prev.disabled = true; };
  // A filtered Scan or Query whose page matched nothing reads on (the next page of the table, the
  // same filter) until a page matches, the table ends, Stop is pressed or READ_ON requests were made:
  // a first page of "0 items (50 read)" read as "nothing matches" where the matches came later.
  const READ_ON = 100;
  const stop = h('button', { type: 'button', id: 'stop-read-on', class: 'secondary', hidden: true,
    onclick: () => { state.stopped = true; } }, 'Stop');
  const page = () => guarded(box, async () => {
    const input = { ...state.input };
    const start = state.starts[state.starts.length - 1];
    if (start) input.ExclusiveStartKey = start;
    const seq = ++state.seq;
    let out, read = 0, requests = 0;
    state.stopped = false;
    try {
      for (;;) {
        out = await call(state.op, input);
        if (seq !== state.seq) return; // a later request's answer shows instead
        read += out.ScannedCount ?? out.Count;
        requests++;
        if (!input.FilterExpression || out.Count > 0 || !out.LastEvaluatedKey || state.stopped || requests >= READ_ON) break;
        input.ExclusiveStartKey = out.LastEvaluatedKey;
        info.textContent = `Page ${state.starts.length}: no match yet, ${read} read; reading on`;
        stop.hidden = false;
      }
      stop.hidden = true;
      state.last = out.LastEvaluatedKey || null;
      const over = requests > 1 ? ` in ${requests} requests${state.last && out.Count === 0 ? ', stopped' : ''}` : '';
      info.textContent = `Page ${state.starts.length}: ${count(out.Count, 'item')} (${read} read${over})${state.last ? '' : ', the last page'}`;
      next.disabled = !state.last;
      prev.disabled = state.starts.length < 2;
      draw(out.Items);
    } catch (err) {
      stop.hidden = true;
      // a failed request leaves no earlier page on screen as if it were its answer
      if (seq === state.seq) clear('');
      throw err;
    }
  });
  const run = (make, op) => guarded(box, () => {
    try {
      state.input = make();
    } catch (err) { clear(''); throw err; }
    state.op = op;
    state.starts = [undefined];
    return page();
  });
  const rerun = () => (state.input ? page() : null);
  const openEditor = (it) => {
    edit.replaceChildren(editor(t, it, (cancelled) => { edit.replaceChildren(); if (!cancelled) rerun(); }));
    (edit.querySelector('#item-form .a-input') || edit.querySelector('textarea')).focus();
  };
  const remove = (it) => guarded(box, async () => {
    if (!confirm(`Delete the item ${keyWords(t, it)}?`)) return;
    await call('DeleteItem', { TableName: t.TableName, Key: keyOf(t, it) });
    say('Item deleted');
    await rerun();
  });
  const show = (key) => guarded(box, async () => {
    state.seq++;
    clear(''); // a refused key (a wrong type, say) leaves no earlier page on screen
    const out = await call('GetItem', { TableName: t.TableName, Key: key });
    info.textContent = out.Item ? 'The item of that key' : 'No item has that key.';
    next.disabled = true;
    prev.disabled = true;
    draw(out.Item ? [out.Item] : []);
  });
  const next = h('button', { type: 'button', id: 'next-page', disabled: true, 'aria-keyshortcuts': ']',
    title: 'Next page (])', onclick: () => { state.starts.push(state.last); page(); } }, 'Next page');
  const prev = h('button', { type: 'button', id: 'prev-page', class: 'secondary', disabled: true, 'aria-keyshortcuts': '[',
    title: 'Previous page ([)', onclick: () => { if (state.starts.length > 1) state.starts.pop(); page(); } }, 'Previous page');
  // ] and [ page from anywhere on the screen but a field being typed in: Next was 125 Tabs from the
  // top of a 50-row page, and under a 1,000-row page the drawing of more rows pushed it away
  const keys = (e) => {
    if (!view.contains(box)) { document.removeEventListener('keydown', keys); return; } // the screen was left
    if (e.ctrlKey || e.metaKey || e.altKey || e.target.closest?.('input, textarea, select, [contenteditable]')) return;
    const button = e.key === ']' ? next : e.key === '[' ? prev : null;
    if (button && !button.disabled) { e.preventDefault(); button.click(); }
  };
  document.addEventListener('keydown', keys);
  let code;
  const b = builder(t, run, () => code.redraw());
  code = codeBox('query-code', b.current, region);
  view.append(
    h('p', {}, h('a', { href: `#/table/${encodeURIComponent(name)}` }, 'Table details'), ' ',
      h('button', { type: 'button', id: 'new-item', onclick: () => openEditor(null) }, 'New item')),
    edit, h('section', {}, h('h2', {}, 'Scan or query'), b.form, savedOps(t, b), code.box), info, h('div', { class: 'row pager' }, prev, next, stop), results,
    getByKey(t, show), vectorSection(t));
  await run(() => ({ TableName: t.TableName, Limit: 50 }), 'Scan');
}
