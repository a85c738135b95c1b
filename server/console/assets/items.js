// A table's items: Scan and Query (builder.js), a page at a time forwards and back, an item by its
// key, and an editor that puts, replaces and deletes items as DynamoDB JSON (numbers stay strings,
// binary base64); each operation also as code to paste (codegen.js); saved operations and the
// history of those sent (history.js), the page or the whole result downloaded (download.js), two
// items or two tables compared (compare.js), each by a key of its own (keys.js).
import { call, session } from './api.js';
import { builder, typeOfAttr } from './builder.js';
import { codeBox } from './codegen.js';
import { canonical, compareSection } from './compare.js';
import { count, field, guarded, h, itemsTable, pretty, say, showValue } from './dom.js';
import { exportBox } from './download.js';
import { history, savedOps } from './history.js';
import { itemForm } from './itemform.js';
import { shortcuts } from './keys.js';
import { costText, priceTable } from './model.js';
import { fromPlain, toPlain } from './plainjson.js';
import { auth } from './session.js';
import { describe } from './tables.js';
import { vectorSection } from './vectors.js';

/* An item's key, as DeleteItem takes it. */
function keyOf(t, it) { return Object.fromEntries(t.KeySchema.map((k) => [k.AttributeName, it[k.AttributeName]])); }

/* The key said in words, for a confirmation: pk = "a", sk = 3. */
const keyWords = (t, it) => t.KeySchema.map((k) => `${k.AttributeName} = ${JSON.stringify(showValue(it[k.AttributeName]))}`).join(', ');

const region = () => session.key?.region || 'us-east-1';

/* The item editor: a typed form (itemform.js) beside the item as DynamoDB JSON or plain JSON
   (plainjson.js), each kept in step with the other, checked as typed, saved with PutItem;
   Ctrl+Enter saves, Esc cancels. `saved(cancelled, item)` closes it (item: the one saved); `record`
   keeps each request sent in the history. */
function editor(t, item, saved, record) {
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
    const put = { TableName: t.TableName, Item: next };
    record({ op: 'PutItem', input: put });
    await call('PutItem', put);
    // a changed key is another item: the edited one moves there (as DynamoDB's console does)
    if (item && JSON.stringify(keyOf(t, next)) !== JSON.stringify(keyOf(t, item))) {
      const del = { TableName: t.TableName, Key: keyOf(t, item) };
      record({ op: 'DeleteItem', input: del });
      await call('DeleteItem', del);
    }
    say('Item saved');
    saved(false, next);
  });
  const op = h('select', { id: 'item-code-op' }, h('option', {}, 'PutItem'), h('option', {}, 'GetItem'));
  const code = codeBox('item-code', () => {
    const it = read(shown);
    return op.value === 'GetItem' ? { op: 'GetItem', input: { TableName: t.TableName, Key: keyOf(t, it) } }
      : { op: 'PutItem', input: { TableName: t.TableName, Item: it } };
  }, region);
  op.addEventListener('change', code.redraw);
  code.box.querySelector('.row').prepend(field('Operation', op));
  return h('section', { id: 'editor', 'aria-labelledby': 'editor-h', 'data-keys-off': true,
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
  const info = h('p', { class: 'note', id: 'page-info', tabindex: -1 });
  // starts[i]: the ExclusiveStartKey of page i + 1 (undefined for the first), so Previous goes back
  // without the API having a way backwards
  // items: the page on screen (what Export's "this page" writes); got: it is an item got by its key
  const state = { input: null, starts: [undefined], last: null, op: 'Scan', seq: 0, items: [], got: false, table: null };
  const draw = (items) => {
    state.items = items;
    state.table = itemsTable(items, keyNames,
      [['Edit', 'secondary', (it, tr) => openEditor(it, tr)], ['Delete', 'danger', (it) => remove(it)], ['Compare', 'secondary', (it) => cmp.pick(it)]]);
    results.replaceChildren(state.table);
  };
  // the page line and the first row brought into view when either is off the screen (on opening the
  // screen, on Run, on paging): under the form they were below the fold of a 1366x768 screen and
  // Run left them there (issue 76)
  const showResults = () => {
    const first = results.querySelector('tbody tr') || results;
    if (info.getBoundingClientRect().top < 0 || first.getBoundingClientRect().bottom > innerHeight) info.scrollIntoView({ block: 'start' });
  };
  const clear = (text) => {
    results.replaceChildren();
    state.items = [];
    info.textContent = text;
    capacity.textContent = '';
    next.disabled = true;
    prev.disabled = true;
  };
  // A filtered Scan or Query reads on (the next page of the table, the same filter) until the page
  // holds the page size of matches, the table ends, Stop is pressed or the read budget (the form's
  // "Read at most", items read a page) is spent, saying as it goes how many it read and matched: a
  // filter that matched 111 of 5,000 items showed 0-3 a page, 78 pages to see them all (issue 76).
  // With "All matches" it reads on to the table's end (or Stop, or the budget) whatever the page
  // size, each request without a Limit (up to 1 MB) but the budget left.
  const stop = h('button', { type: 'button', id: 'stop-read-on', class: 'secondary', hidden: true,
    onclick: () => { state.stopped = true; } }, 'Stop');
  // what the page's requests consumed (ReturnConsumedCapacity TOTAL) and its price, as the Model
  // tab's access patterns say it (model.js): the price table is asked for on the first page but,
  // under --auth (where a key without rights=admin is refused), on a saved operation's run only
  const capacity = h('p', { class: 'note', id: 'page-capacity', 'aria-live': 'polite' });
  let prices = null;
  const priced = () => {
    if (!prices && (!auth || state.saved)) prices = priceTable();
    return prices || Promise.resolve(null);
  };
  /* The ExclusiveStartKey that resumes after `it`: its table key, and the index's key when the request
     names one; null when the items lack them (a projection without them). */
  const startAfter = (input, it) => {
    const index = [...(t.GlobalSecondaryIndexes || []), ...(t.LocalSecondaryIndexes || [])].find((i) => i.IndexName === input.IndexName);
    const names = [...new Set([...keyNames, ...(index ? index.KeySchema.map((k) => k.AttributeName) : [])])];
    return names.every((n) => it[n]) ? Object.fromEntries(names.map((n) => [n, it[n]])) : null;
  };
  /* Reads the page state.starts names: `reveal` brings it into view (showResults). */
  const page = (reveal) => guarded(box, async () => {
    const input = { ...state.input, ReturnConsumedCapacity: 'TOTAL' };
    const start = state.starts[state.starts.length - 1];
    if (start) input.ExclusiveStartKey = start;
    const seq = ++state.seq;
    const all = state.all;
    const want = all ? 0 : input.Limit || 0; // no page size: each request reads up to 1 MB, and one match ends the page
    const budget = b.budget();
    const at = `Page ${state.starts.length}${all ? ' (all matches)' : ''}`;
    const items = [];
    let out, read = 0, requests = 0, units = 0, why = '';
    state.stopped = false;
    capacity.textContent = '';
    try {
      for (;;) {
        if (all) input.Limit = budget - read;
        out = await call(state.op, input);
        if (seq !== state.seq) return; // a later request's answer shows instead
        items.push(...out.Items);
        read += out.ScannedCount ?? out.Count;
        units += out.ConsumedCapacity?.CapacityUnits ?? 0;
        requests++;
        if (!out.LastEvaluatedKey || (!all && (!input.FilterExpression || items.length >= Math.max(want, 1)))) break;
        if (state.stopped) { why = ': stopped'; break; }
        if (read >= budget) { why = `: the read budget, ${budget} items; Next page reads on`; break; }
        input.ExclusiveStartKey = out.LastEvaluatedKey;
        info.textContent = `${at}: ${items.length}${want ? ` of ${want}` : ''} matched, ${read} read in ${count(requests, 'request')}; reading on`;
        stop.hidden = false;
        draw([...items]);
        if (reveal) { showResults(); reveal = false; }
      }
      stop.hidden = true;
      state.got = false;
      state.last = out.LastEvaluatedKey || null;
      // the last request matched past the page size: the next page starts after the page's last item
      const after = want && items.length > want ? startAfter(input, items[want - 1]) : null;
      if (after) { items.length = want; state.last = after; }
      const over = requests > 1 ? ` in ${requests} requests` : '';
      info.textContent = `${at}: ${count(items.length, 'item')} (${read} read${over}${why})${state.last ? '' : ', the last page'}`;
      next.disabled = !state.last;
      prev.disabled = state.starts.length < 2;
      draw(items);
      if (reveal) showResults();
      const price = await priced();
      if (seq === state.seq) {
        capacity.textContent = `Consumed by this page's ${count(requests, 'request')}: ${costText(t, units, price,
          prices ? undefined : 'under --auth the price table (GET /ddbd/usage, rights=admin) is read for a saved operation\'s run')}`;
      }
    } catch (err) {
      stop.hidden = true;
      // a failed request leaves no earlier page on screen as if it were its answer
      if (seq === state.seq) clear('');
      throw err;
    }
  });
  // `sent`: the user ran it (the form, a saved operation, the history), so the history keeps it
  const run = (make, op, sent) => guarded(box, () => {
    try {
      state.input = make();
    } catch (err) { clear(''); throw err; }
    state.op = op;
    state.all = b.all();
    state.saved = fromSaved;
    fromSaved = false;
    state.starts = [undefined];
    if (sent) hist.record({ op, input: state.input, form: b.snapshot() });
    return page(true);
  });
  const rerun = () => (state.input ? page(false) : null);
  let fromSaved = false; // the form is run from the saved operations' list
  // The editor opens under the row it edits (a new item's above the form) and, saved or cancelled,
  // goes back to that row, its Edit focused and the row marked: it opened at the top of the screen,
  // focus in the partition key, and stayed there once saved (issue 76).
  let editing = null; // the open editor's element: its table row, or the editor above the form
  const closeEditor = () => { editing?.remove(); editing = null; };
  const mark = (tr) => {
    for (const r of results.querySelectorAll('tr.edited')) { r.classList.remove('edited'); r.removeAttribute('aria-current'); }
    tr.classList.add('edited');
    tr.setAttribute('aria-current', 'true');
    tr.scrollIntoView({ block: 'nearest' });
    tr.querySelector('button[data-action="0"]').focus({ preventScroll: true });
  };
  const keyText = (it) => keyNames.map((n) => (it[n] ? canonical(it[n]) : '')).join('\u0000');
  /* After a save: the saved item's row on the page read again, else `from` or the page line (the
     item left the page: a changed key, a filter it no longer meets). */
  const backTo = (item, from) => {
    const i = state.items.findIndex((it) => keyText(it) === keyText(item));
    const tr = i >= 0 ? state.table?.row(i) : null;
    if (tr) mark(tr);
    else (from || info).focus();
  };
  const openEditor = (it, tr) => {
    closeEditor();
    const ed = editor(t, it, (cancelled, item) => {
      closeEditor();
      if (cancelled && tr?.isConnected) mark(tr);
      else if (cancelled) view.querySelector('#new-item').focus();
      else Promise.resolve(rerun()).then(() => backTo(item, tr ? null : view.querySelector('#new-item')));
    }, hist.record);
    if (tr) {
      editing = h('tr', { class: 'editor-row' }, h('td', { colspan: tr.children.length }, ed));
      tr.after(editing);
      ed.style.width = `${results.clientWidth}px`; // as wide as the screen's column, however wide the table
    } else {
      editing = ed;
      edit.replaceChildren(ed);
    }
    (ed.querySelector('#item-form .a-input') || ed.querySelector('textarea')).focus();
  };
  const remove = (it) => guarded(box, async () => {
    if (!confirm(`Delete the item ${keyWords(t, it)}?`)) return;
    const del = { TableName: t.TableName, Key: keyOf(t, it) };
    hist.record({ op: 'DeleteItem', input: del });
    await call('DeleteItem', del);
    say('Item deleted');
    await rerun();
  });
  const show = (key) => guarded(box, async () => {
    state.seq++;
    clear(''); // a refused key (a wrong type, say) leaves no earlier page on screen
    const get = { TableName: t.TableName, Key: key };
    hist.record({ op: 'GetItem', input: get });
    state.got = true;
    const out = await call('GetItem', get);
    info.textContent = out.Item ? 'The item of that key' : 'No item has that key.';
    next.disabled = true;
    prev.disabled = true;
    draw(out.Item ? [out.Item] : []);
  });
  const next = h('button', { type: 'button', id: 'next-page', disabled: true, 'aria-keyshortcuts': ']',
    title: 'Next page (])', onclick: () => { state.starts.push(state.last); page(true); } }, 'Next page');
  const prev = h('button', { type: 'button', id: 'prev-page', class: 'secondary', disabled: true, 'aria-keyshortcuts': '[',
    title: 'Previous page ([)', onclick: () => { if (state.starts.length > 1) state.starts.pop(); page(true); } }, 'Previous page');
  // the history's entry sent again: a Scan or Query through the form (so the screen shows what runs),
  // a get by its key, a write after a confirmation naming it
  const replay = (e) => guarded(box, async () => {
    if (e.op === 'Scan' || e.op === 'Query') {
      if (e.form) b.load(e.form);
      return run(() => e.input, e.op, true);
    }
    if (e.op === 'GetItem') return show(e.input.Key);
    if (!confirm(`Send ${e.op} of ${keyWords(t, e.input.Item || e.input.Key)} again?`)) return undefined;
    hist.record(e);
    await call(e.op, e.input);
    say(`${e.op} sent again`);
    return rerun();
  });
  const hist = history(t, replay);
  let code;
  const b = builder(t, (make, op) => run(make, op, true), () => code.redraw());
  code = codeBox('query-code', b.current, region);
  const saved = savedOps(t, b, () => { fromSaved = true; b.form.requestSubmit(); });
  const out = exportBox(t, keyNames, () => ({ op: state.op, input: state.got ? null : state.input, items: state.items,
    page: state.starts.length }));
  const cmp = compareSection(t, () => (state.got ? null : state.input));
  const focusGet = () => view.querySelector('#get-pk').focus();
  // one list: the keys, and the help '?' shows (keys.js); ] and [ were asked first, since Next was 125
  // Tabs from the top of a 50-row page and under a 1,000-row page the drawing of more rows pushed it away
  const press = (button) => () => { if (!button.disabled) button.click(); };
  const help = shortcuts(view, box, [
    [']', 'next page', press(next)],
    ['[', 'previous page', press(prev)],
    ['r', 'run the form (Scan or Query)', () => b.form.requestSubmit()],
    ['i', 'Query the table or an index: pick it, its key names follow', b.queryIndex],
    ['s', 'save the form under a name (type it, Enter)', saved.focusName],
    ['o', 'open a saved operation (pick it, Enter runs it)', saved.focusList],
    ['h', 'history of the operations sent (pick one, Enter runs it again)', hist.focus],
    ['e', 'export this page or the whole result as JSON or CSV', out.focus],
    ['c', 'compare two items of this table', cmp.items],
    ['t', 'compare this table with another', cmp.tables],
    ['g', 'get an item by its key', focusGet],
    ['n', 'new item', () => openEditor(null)],
  ]);
  view.append(
    h('p', {}, h('a', { href: `#/table/${encodeURIComponent(name)}` }, 'Table details'), ' ',
      h('button', { type: 'button', id: 'new-item', 'aria-keyshortcuts': 'n', onclick: () => openEditor(null) }, 'New item')),
    help.el, edit, h('section', {}, h('h2', {}, 'Scan or query'), b.form, saved.el, hist.el, code.box), info,
    h('div', { class: 'row pager' }, prev, next, stop), capacity, out.el, results, cmp.el, getByKey(t, show), vectorSection(t));
  await run(() => ({ TableName: t.TableName, Limit: 50 }), 'Scan');
}
