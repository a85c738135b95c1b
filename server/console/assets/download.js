// Export of the Items screen's result to a file: the page on screen, or the whole result of its
// Scan or Query (every page from the first, read again, so every match of a filtered one: Stop, or
// the read budget the row names, ends it and the file holds what was read, its name saying
// "partial"). As DynamoDB JSON (exact: what the API answers), plain JSON
// (numbers as their digits; binary as its base64 text and sets as lists, so it does not read back
// the same) or CSV (a column for every attribute name any item has, the key first; a map, list or
// set as plain JSON text).
import { call } from './api.js';
import { count, field, h } from './dom.js';

// (the extension tells the two JSON forms apart: a plain JSON file next to a DynamoDB JSON one of the
// same result no longer takes its name)
const FORMATS = [['ddb', 'DynamoDB JSON', 'json'], ['plain', 'plain JSON', 'plain.json'], ['csv', 'CSV', 'csv']];

/* A value as plain JSON text, numbers as their digits (never through a JavaScript number). */
export function plainValue(v) {
  const [type, x] = Object.entries(v)[0];
  switch (type) {
    case 'S': case 'B': return JSON.stringify(x);
    case 'N': return x;
    case 'BOOL': return String(x);
    case 'NULL': return 'null';
    case 'SS': case 'BS': return `[${x.map((s) => JSON.stringify(s)).join(',')}]`;
    case 'NS': return `[${x.join(',')}]`;
    case 'L': return `[${x.map(plainValue).join(',')}]`;
    case 'M': return `{${Object.entries(x).map(([k, y]) => `${JSON.stringify(k)}:${plainValue(y)}`).join(',')}}`;
    default: return JSON.stringify(v);
  }
}

/* Items as a JSON array, an item a line. */
export function asJson(items, plain) {
  const line = plain ? (it) => plainValue({ M: it }) : (it) => JSON.stringify(it);
  return items.length ? `[\n${items.map(line).join(',\n')}\n]\n` : '[]\n';
}

/* A CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break. */
const cell = (s) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/* Text a spreadsheet would run as a formula (OWASP's CSV injection: a cell that begins with =, +,
   -, @, a tab or a carriage return, "=HYPERLINK(...)" or "=cmd|..." from an item's string) gets a
   leading ' so that it opens as the text it is. A number's digits are never touched (DynamoDB's
   numbers are digits, a sign and an exponent: "-5" opens as the number -5). */
export const neutral = (s) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

/* A value as its cell's text: a string as itself, a number as its digits, binary as base64, a map,
   list or set as plain JSON; a missing attribute is an empty cell. */
function cellText(v) {
  if (!v) return '';
  const [type, x] = Object.entries(v)[0];
  if (type === 'N') return x;
  return type === 'S' || type === 'B' ? neutral(x) : plainValue(v);
}

/* Items as CSV: a header of every name (the key's first, then in the order first seen), CRLF lines. */
export function asCsv(items, keyNames) {
  const names = [...keyNames];
  const seen = new Set(names);
  for (const it of items) for (const n of Object.keys(it)) if (!seen.has(n)) { seen.add(n); names.push(n); }
  return [names.map((n) => cell(neutral(n))).join(','), ...items.map((it) => names.map((n) => cell(cellText(it[n]))).join(','))].join('\r\n') + '\r\n';
}

/* The file downloaded, as the browser downloads any link. */
function save(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/* The export row: format, what (this page or the whole result), Download, Stop, the read budget. `source()` gives
   { op, input, items, page } (input null when the screen shows an item got by its key). */
export function exportBox(t, keyNames, source) {
  const format = h('select', { id: 'export-format' }, FORMATS.map(([v, text]) => h('option', { value: v }, text)));
  const scope = h('select', { id: 'export-scope' }, h('option', { value: 'page' }, 'this page'),
    h('option', { value: 'all' }, 'the whole result (every page, all matches)'));
  const info = h('span', { id: 'export-info', class: 'note', role: 'status' });
  // the whole result's read budget (items read, matched or not): empty reads to the end; after
  // Download, which stays a Tab from the choice of what to export
  const budget = h('input', { id: 'export-budget', type: 'number', min: 1, size: 8, placeholder: '(no bound)' });
  const budgetField = field('Read at most (items)', budget);
  const scoped = () => { budgetField.hidden = scope.value !== 'all'; };
  scope.addEventListener('change', scoped);
  scoped();
  let stopped = false;
  const stop = h('button', { type: 'button', class: 'secondary', id: 'export-stop', hidden: true, onclick: () => { stopped = true; } }, 'Stop');
  const go = h('button', { type: 'button', class: 'secondary', id: 'export-run' }, 'Download');
  /* every page of the operation from the first: no Limit, so each request reads up to 1 MB (but the
     budget left: `most` items read) */
  const readAll = async (op, input, most) => {
    const req = { ...input };
    delete req.ExclusiveStartKey;
    delete req.Limit;
    const items = [];
    let requests = 0, read = 0;
    stopped = false;
    stop.hidden = false;
    go.disabled = true;
    try {
      for (;;) {
        if (most) req.Limit = most - read;
        const out = await call(op, req);
        items.push(...out.Items);
        requests++;
        read += out.ScannedCount ?? out.Count;
        // a filtered result says what it read beside what matched (111 matches of 5,000 read)
        info.textContent = req.FilterExpression ? `${count(items.length, 'item')} matched of ${read} read in ${count(requests, 'request')}…`
          : `${count(items.length, 'item')} read in ${count(requests, 'request')}…`;
        if (!out.LastEvaluatedKey) return { items, requests, read, partial: false };
        if (stopped) return { items, requests, read, partial: 'stopped' };
        if (most && read >= most) return { items, requests, read, partial: `the read budget, ${most} items` };
        req.ExclusiveStartKey = out.LastEvaluatedKey;
      }
    } finally {
      stop.hidden = true;
      go.disabled = false;
    }
  };
  const run = async () => {
    const src = source();
    const [fmt, , ext] = FORMATS.find(([v]) => v === format.value);
    const base = `${t.TableName}${src.input?.IndexName ? `-${src.input.IndexName}` : ''}-${src.input ? src.op.toLowerCase() : 'item'}`;
    let items = src.items;
    let name = src.input ? `${base}-page${src.page}` : base;
    let how = src.input ? `page ${src.page}` : 'the item got by its key';
    if (scope.value === 'all') {
      if (!src.input) { info.textContent = 'The screen shows an item got by its key: export it as this page.'; return; }
      const got = await readAll(src.op, src.input, Math.max(0, Math.floor(Number(budget.value) || 0)));
      items = got.items;
      name = `${base}-all${got.partial ? '-partial' : ''}`;
      how = `${got.partial ? `${got.partial}, the pages read` : 'every page'}: ${count(got.requests, 'request')}${
        src.input.FilterExpression ? `, ${got.read} read` : ''}`;
    }
    const text = fmt === 'csv' ? asCsv(items, keyNames) : asJson(items, fmt === 'plain');
    save(`${name}.${ext}`, text, fmt === 'csv' ? 'text/csv' : 'application/json');
    info.textContent = `${name}.${ext}: ${count(items.length, 'item')} (${how})`;
  };
  go.addEventListener('click', () => run().catch((err) => { info.textContent = String(err); }));
  return {
    el: h('div', { class: 'row', id: 'export' }, field('Export as', format), field('Of', scope), go, stop, budgetField, info),
    focus: () => format.focus(),
  };
}
