// Small DOM helpers. Data from the server is only ever set as text (never parsed as HTML).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

let uid = 0;
/* A labelled field: <label>Text <input id=...></label>; `control` is an element made by h(). */
export function field(text, control, cls) {
  if (!control.id) control.id = `f${++uid}`;
  return h('label', { for: control.id, class: cls }, text, control);
}

export function say(text) {
  const el = document.getElementById('status');
  el.textContent = text;
  clearTimeout(say.timer);
  say.timer = setTimeout(() => { el.textContent = ''; }, 4000);
}

export function errorBox(err) {
  return h('div', { class: 'error', role: 'alert' }, String(err));
}

/* Runs `fn`, showing its error in `box` (emptied first) instead of throwing. */
export async function guarded(box, fn) {
  box.replaceChildren();
  try {
    return await fn();
  } catch (err) {
    box.replaceChildren(errorBox(err));
    return undefined;
  }
}

/* An attribute value, compact and exact: numbers as their strings, binary as its base64. */
export function showValue(v) {
  if (v === undefined) return '';
  const [type, x] = Object.entries(v)[0] || ['', ''];
  switch (type) {
    case 'S': case 'N': return x;
    case 'B': return `b64:${x}`;
    case 'BOOL': return String(x);
    case 'NULL': return 'null';
    case 'SS': case 'NS': return `{${x.join(', ')}}`;
    case 'BS': return `{${x.map((b) => `b64:${b}`).join(', ')}}`;
    case 'L': return `[${x.map(showValue).join(', ')}]`;
    case 'M': return `{${Object.entries(x).map(([k, y]) => `${k}: ${showValue(y)}`).join(', ')}}`;
    default: return JSON.stringify(v);
  }
}

export function typeOf(v) { return v ? Object.keys(v)[0] : ''; }

/* The rows drawn at once; the rest are added as the last one drawn scrolls into view. Laying out a
   1,000-item page (some 10,000 cells) took 100-250 ms on its own; the first rows fill any screen
   (issue 56: a 1,000-item page drawn in under 150 ms). */
const FIRST_ROWS = 100;
const MORE_ROWS = 200;

/* A table of items: the key attributes first, then every other name seen; `actions` ([label, class,
   run(item, tr)], ...) are each row's buttons, served by one click listener on the table. The element
   returned has row(i): item i's <tr>, drawn first if it was not yet (the item editor goes back to it). */
export function itemsTable(items, keyNames, actions) {
  const names = [...keyNames];
  const seen = new Set(names);
  for (const it of items) for (const n of Object.keys(it)) if (!seen.has(n)) { seen.add(n); names.push(n); }
  const head = h('tr', {}, actions ? h('th', { scope: 'col' }, 'Actions') : null,
    names.map((n) => h('th', { scope: 'col' }, n)));
  const body = document.createElement('tbody');
  const buttons = (actions || []).map(([label, cls], j) => h('button', { type: 'button', class: cls, 'data-action': j }, label));
  const row = (it, i) => {
    const tr = document.createElement('tr');
    if (actions) {
      const td = document.createElement('td');
      for (const b of buttons) {
        const c = b.cloneNode(true);
        c.dataset.row = i;
        td.append(c);
      }
      tr.append(td);
    }
    for (const n of names) {
      const td = document.createElement('td');
      td.className = 'val';
      const v = it[n];
      if (v) {
        const type = document.createElement('span');
        type.className = 'type';
        type.textContent = ` ${typeOf(v)}`;
        td.append(showValue(v), type);
      }
      tr.append(td);
    }
    return tr;
  };
  let drawn = 0;
  const note = h('p', { class: 'note rows-note' });
  const more = (n) => {
    const frag = document.createDocumentFragment();
    for (const end = Math.min(items.length, drawn + n); drawn < end; drawn++) frag.append(row(items[drawn], drawn));
    body.append(frag);
    note.textContent = drawn < items.length ? `Rows 1-${drawn} of ${items.length} drawn; more as you scroll.` : '';
    return drawn < items.length;
  };
  if (more(FIRST_ROWS)) {
    const watch = new IntersectionObserver((seenRows) => {
      if (!seenRows.some((e) => e.isIntersecting)) return;
      watch.disconnect();
      if (more(MORE_ROWS)) watch.observe(body.lastElementChild);
    }, { rootMargin: '400px' });
    watch.observe(body.lastElementChild);
  }
  if (actions) {
    body.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-action]');
      if (b) actions[b.dataset.action][2](items[b.dataset.row], b.closest('tr'));
    });
  }
  const el = h('div', {}, h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, head), body)), note);
  el.row = (i) => {
    if (i >= drawn) more(i + 1 - drawn); // (the observer still draws the rest as they near the screen)
    return body.querySelector(`tr > td > button[data-row="${i}"]`)?.closest('tr');
  };
  return el;
}

export function pretty(x) { return JSON.stringify(x, null, 2); }

/* "1 item", "2 items": a count with its noun. */
export function count(n, noun) { return `${n} ${noun}${Number(n) === 1 ? '' : 's'}`; }
