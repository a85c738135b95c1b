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

/* A table of items: the key attributes first, then every other name seen; `actions(item)` gives a
   row's buttons. */
export function itemsTable(items, keyNames, actions) {
  const names = [...keyNames];
  for (const it of items) for (const n of Object.keys(it)) if (!names.includes(n)) names.push(n);
  const head = h('tr', {}, actions ? h('th', { scope: 'col' }, 'Actions') : null,
    names.map((n) => h('th', { scope: 'col' }, n)));
  const rows = items.map((it) => h('tr', {}, actions ? h('td', {}, actions(it)) : null,
    names.map((n) => h('td', { class: 'val' }, showValue(it[n]), it[n] ? h('span', { class: 'type' }, ` ${typeOf(it[n])}`) : null))));
  return h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, head), h('tbody', {}, rows)));
}

export function pretty(x) { return JSON.stringify(x, null, 2); }

/* "1 item", "2 items": a count with its noun. */
export function count(n, noun) { return `${n} ${noun}${Number(n) === 1 ? '' : 's'}`; }
