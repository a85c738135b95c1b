// The item editor's typed form: one row per attribute (name, type, value), maps and lists nested,
// sets one element a line; each value checked as it is typed (a number's digits, base64, a set's
// duplicates). It reads to and from DynamoDB JSON, which keeps numbers as their exact digits (38
// significant) and binary as base64.
import { h } from './dom.js';

const TYPES = ['S', 'N', 'B', 'BOOL', 'NULL', 'SS', 'NS', 'BS', 'L', 'M'];
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/* Why `text` is no DynamoDB number, or ''. */
function numberProblem(text) {
  if (!NUMBER.test(text)) return `"${text}" is not a number`;
  const digits = text.replace(/[eE].*$/, '').replace(/[^\d]/g, '').replace(/^0+/, '').replace(/0+$/, '');
  return digits.length > 38 ? `${digits.length} significant digits: DynamoDB keeps 38` : '';
}

/* Why a scalar of `type` written as `text` is refused, or ''. */
function scalarProblem(type, text) {
  if (type === 'N') return numberProblem(text.trim());
  if (type === 'B') return BASE64.test(text.trim()) ? '' : 'binary is written as base64';
  if (type === 'BOOL') return /^(true|false)$/.test(text.trim()) ? '' : 'true or false';
  return '';
}

/* Why a set written one element a line is refused, or ''. */
function setProblem(type, lines) {
  if (lines.length === 0) return 'a set holds at least one element';
  const one = { SS: 'S', NS: 'N', BS: 'B' }[type];
  for (const l of lines) { const p = scalarProblem(one, l); if (p) return p; }
  const seen = type === 'NS' ? lines.map((l) => l.trim()) : lines;
  return new Set(seen).size === seen.length ? '' : 'a set holds each element once';
}

const linesOf = (text) => text.split('\n').filter((l) => l !== '');

/* One value's row: `named` rows (a map's) have a name field; a list's elements do not. */
function valueRow(name, value, named, changed, removed) {
  const [type0, v0] = value ? Object.entries(value)[0] : ['S', ''];
  const r = {};
  r.name = named ? h('input', { class: 'a-name', size: 12, 'aria-label': 'Attribute name', value: name }) : null;
  r.type = h('select', { class: 'a-type', 'aria-label': 'Type' }, TYPES.map((t) => h('option', { value: t, selected: t === type0 }, t)));
  r.problem = h('span', { class: 'problem', role: 'status' });
  r.slot = h('div', { class: 'a-value' });
  r.el = h('div', { class: 'attr' }, h('div', { class: 'row' }, r.name, r.type, r.slot,
    h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${named ? 'attribute' : 'element'}`,
      onclick: () => { r.el.remove(); removed(r); changed(); } }, '×')), r.problem);
  const fill = (type, v) => {
    r.kids = null;
    r.input = null;
    if (type === 'L' || type === 'M') {
      r.kids = container(type === 'M' ? v || {} : v || [], type === 'M', changed);
      r.slot.replaceChildren(r.kids.el);
    } else if (type === 'NULL') {
      r.slot.replaceChildren(h('span', { class: 'note' }, 'null'));
    } else if (type === 'BOOL') {
      r.input = h('select', { class: 'a-input', 'aria-label': 'Value' }, h('option', {}, 'true'), h('option', {}, 'false'));
      r.input.value = String(v ?? true);
      r.slot.replaceChildren(r.input);
    } else if (type.length === 2) {
      r.input = h('textarea', { class: 'a-input set', rows: 2, 'aria-label': 'Elements, one a line' });
      r.input.value = (v || []).join('\n');
      r.slot.replaceChildren(r.input);
    } else {
      r.input = h('input', { class: 'a-input', size: 24, 'aria-label': 'Value', value: v ?? '' });
      r.slot.replaceChildren(r.input);
    }
  };
  fill(type0, v0);
  r.type.addEventListener('change', () => fill(r.type.value, undefined));
  /* The row's value as DynamoDB JSON, its problem shown; throws the first problem (with its path). */
  r.read = (path) => {
    const type = r.type.value;
    let problem = '';
    let out;
    if (type === 'L' || type === 'M') out = { [type]: r.kids.read(path) };
    else if (type === 'NULL') out = { NULL: true };
    else if (type === 'BOOL') out = { BOOL: r.input.value === 'true' };
    else if (type.length === 2) {
      const lines = linesOf(r.input.value);
      problem = setProblem(type, lines);
      out = { [type]: type === 'SS' ? lines : lines.map((l) => l.trim()) };
    } else {
      problem = scalarProblem(type, r.input.value);
      out = { [type]: type === 'S' ? r.input.value : r.input.value.trim() };
    }
    r.problem.textContent = problem;
    r.el.classList.toggle('invalid', Boolean(problem));
    if (r.input) r.input.setAttribute('aria-invalid', String(Boolean(problem)));
    if (problem) throw new Error(`${path}: ${problem}`);
    return out;
  };
  return r;
}

/* A map's attributes or a list's elements, with an Add button. */
function container(value, named, changed) {
  const rows = [];
  const list = h('div', { class: 'attrs' });
  const removed = (r) => rows.splice(rows.indexOf(r), 1);
  const add = (name, v) => {
    const r = valueRow(name, v, named, changed, removed);
    rows.push(r);
    list.append(r.el);
    return r;
  };
  for (const [k, v] of named ? Object.entries(value) : value.map((v, i) => [i, v])) add(k, v);
  const addButton = h('button', { type: 'button', class: 'secondary add-attr', onclick: () => {
    const r = add('', null);
    (r.name || r.input)?.focus();
    changed();
  } }, named ? 'Add attribute' : 'Add element');
  return {
    el: h('div', { class: named ? 'map' : 'list' }, list, addButton),
    read(path) {
      if (!named) return rows.map((r, i) => r.read(`${path}[${i}]`));
      const out = {};
      let problem = '';
      for (const r of rows) {
        const n = r.name.value;
        const v = r.read(path ? `${path}.${n}` : n);
        if (n === '') problem = 'an attribute has no name';
        else if (n in out) problem = `${n} is named twice`;
        out[n] = v;
      }
      if (problem) throw new Error(path ? `${path}: ${problem}` : problem);
      return out;
    },
  };
}

/* The form for `item` (DynamoDB JSON). `changed()` is called on each edit; read() gives the item or
   throws what is wrong with it. */
export function itemForm(item, changed) {
  const top = container(item || {}, true, changed);
  const el = h('div', { id: 'item-form', oninput: changed, onchange: changed }, top.el);
  return { el, read: () => top.read('') };
}
