// What the Items screen keeps in this browser (localStorage, which is per origin: one list per
// server address and table): saved operations, the builder's fields under a name; and the history
// of the operations it sent (Scan, Query, GetItem, PutItem, DeleteItem: the request only, never the
// key it was signed with), newest first, each run again from the list.
import { field, h, say, showValue } from './dom.js';

const KEEP = 50; // history entries a table keeps
const BIGGEST = 32 * 1024; // an entry's request kept up to this size (an item may be 400 KB)

/* Saved operations: the builder's fields under a name, per table. Enter in the name saves; Enter in
   the list loads the operation and runs it. */
export function savedOps(t, b, runForm) {
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
  const load = () => {
    const st = all()[list.value];
    if (st) { b.load(st); name.value = list.value; say(`${list.value} loaded`); }
    return Boolean(st);
  };
  const drop = () => {
    const rest = all();
    delete rest[list.value];
    localStorage.setItem(key, JSON.stringify(rest));
    fill();
  };
  name.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); save(); } });
  list.addEventListener('keydown', (e) => { if (e.key === 'Enter' && load()) { e.preventDefault(); runForm(); } });
  return {
    el: h('div', { class: 'row', id: 'saved-ops' }, field('Saved operations (this browser; Enter runs one)', list),
      h('button', { type: 'button', class: 'secondary', id: 'saved-load', onclick: load }, 'Load'),
      h('button', { type: 'button', class: 'danger', id: 'saved-delete', onclick: drop }, 'Forget'),
      field('Save the form as (Enter saves)', name), h('button', { type: 'button', class: 'secondary', id: 'saved-save', onclick: save }, 'Save')),
    focusName: () => name.focus(),
    focusList: () => list.focus(),
  };
}

/* An expression with its #names and :values put back: "status = open AND n >= 3". */
function readable(expr, input) {
  const names = input.ExpressionAttributeNames || {};
  const values = input.ExpressionAttributeValues || {};
  return expr.replace(/#[\w]+/g, (n) => names[n] ?? n).replace(/:[\w]+/g, (v) => (values[v] ? JSON.stringify(showValue(values[v])) : v));
}

const keyText = (key) => Object.entries(key || {}).map(([n, v]) => `${n} = ${JSON.stringify(showValue(v))}`).join(', ');

/* One entry as a line of the list. */
function describe(e) {
  const at = new Date(e.at).toLocaleTimeString([], { hour12: false });
  const i = e.input;
  if (!i) return `${at} ${e.op} (too large to keep)`;
  const on = i.IndexName ? ` on ${i.IndexName}` : '';
  let what = '';
  if (e.op === 'Query') what = readable(i.KeyConditionExpression || '', i);
  else if (e.op === 'Scan') what = 'every item';
  else what = keyText(i.Key || Object.fromEntries(Object.entries(i.Item || {}).filter(([n]) => e.keys?.includes(n))));
  if (i.FilterExpression) what += `, filter ${readable(i.FilterExpression, i)}`;
  return `${at} ${e.op}${on}: ${what}`;
}

/* The history: { el, record({op, input, form?, keys?}), focus() }; `replay(entry)` runs one again
   (Enter in the list, or Run again). A request sent again moves to the top rather than being listed twice. */
export function history(t, replay) {
  const key = `ddbd.history.${t.TableName}`;
  const all = () => JSON.parse(localStorage.getItem(key) || '[]');
  const list = h('select', { id: 'history-list', size: 6, 'aria-label': 'Operations sent, newest first' });
  const fill = () => {
    const entries = all();
    list.replaceChildren(...(entries.length ? entries.map((e, i) => h('option', { value: i }, describe(e)))
      : [h('option', { value: '', disabled: true }, '(nothing sent yet)')]));
    list.size = Math.min(8, Math.max(2, entries.length));
    if (entries.length) list.value = '0';
  };
  const record = (e) => {
    const entry = { at: Date.now(), op: e.op, input: e.input, form: e.form, keys: t.KeySchema.map((k) => k.AttributeName) };
    if (JSON.stringify(entry).length > BIGGEST) { delete entry.input; delete entry.form; }
    const same = JSON.stringify([entry.op, entry.input]);
    const rest = all().filter((x) => JSON.stringify([x.op, x.input]) !== same);
    localStorage.setItem(key, JSON.stringify([entry, ...rest].slice(0, KEEP)));
    fill();
  };
  const again = () => {
    const e = all()[Number(list.value)];
    if (!list.value || !e) return;
    if (!e.input) { say('That request was too large to keep'); return; }
    replay(e);
  };
  const clear = () => { localStorage.removeItem(key); fill(); };
  list.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); again(); } });
  list.addEventListener('dblclick', again);
  fill();
  return {
    el: h('div', { id: 'history' }, field(`History (this browser, the last ${KEEP}; Enter runs one again)`, list, 'wide'),
      h('div', { class: 'row' }, h('button', { type: 'button', class: 'secondary', id: 'history-run', onclick: again }, 'Run again'),
        h('button', { type: 'button', class: 'danger', id: 'history-clear', onclick: clear }, 'Clear history'))),
    record,
    focus: () => list.focus(),
  };
}
