// A table as NoSQL Workbench's visualizer shows it (the table screen's Model tab, #/table/T/model):
// its model's facets (each the item shape it names, under its key aliases, with the items of that
// shape), the aggregate view (every item grouped by partition key, each partition's items in
// sort-key order), and the model's access patterns (its saved queries) run as Queries, each with the
// capacity DynamoDB charges it and that capacity's price from the server's price table.
// The model is --seed's (GET /ddbd/models, the admin door) or one imported on the Tables screen
// (workbench.js, kept in this browser).
import { admin as door, call, session } from './api.js';
import { count, guarded, h, showValue } from './dom.js';
import { admin as doorOpen, auth } from './session.js';
import { facetsOf, patternsOf, savedOperation } from './workbench.js';

const AGGREGATE_MAX = 2000; // items the aggregate view reads at most (the Items screen pages the rest)
const REFUSED = 'ddbd.door.refused'; // the key the admin door refused in this tab
const reads = new Map(); // path + key id -> the answer's promise: one read of each a page (seeds and prices do not change)

/* A GET of the admin door, asked only where it is served (--admin) and not of a key it refused in
   this tab: under --auth a key without rights=admin is refused every time, and each refusal is an
   error in the browser's console; that key's refusal is remembered and it is not asked again.
   null: not asked, or refused. */
function fromDoor(path) {
  const who = session.key?.id ?? '';
  if (!doorOpen || (auth && sessionStorage.getItem(REFUSED) === who)) return Promise.resolve(null);
  const at = `${path}\u0000${who}`;
  if (!reads.has(at)) {
    reads.set(at, door('GET', path).catch((e) => {
      reads.delete(at);
      if (e.type !== 'AccessDeniedException') throw e;
      sessionStorage.setItem(REFUSED, who);
      return null;
    }));
  }
  return reads.get(at);
}

/** What a NoSQL Workbench model shows of table `name` besides its items: {from, facets, queries}
    (--seed's, else one imported in this browser), or null where no model named it. */
export async function modelOf(name) {
  const seeded = (await fromDoor('/ddbd/models'))?.tables?.find((x) => x.table === name);
  if (seeded) return { from: `model ${seeded.model} (--seed ${seeded.file})`, facets: seeded.facets || [], queries: seeded.savedQueries || {} };
  const facets = facetsOf(name);
  const queries = patternsOf(name);
  if (facets.length === 0 && Object.keys(queries).length === 0) return null;
  return { from: 'the model imported in this browser', facets, queries };
}

/* Key values in DynamoDB's order: numbers by value, strings and binaries by their bytes. */
const enc = new TextEncoder();
const bytesOf = (v) => (v.S !== undefined ? enc.encode(v.S) : Uint8Array.from(atob(v.B ?? ''), (c) => c.charCodeAt(0)));
export function compareKeys(a, b) {
  if (a === undefined || b === undefined) return (a === undefined) - (b === undefined);
  if (a.N !== undefined) return Number(a.N) - Number(b.N);
  const x = bytesOf(a);
  const y = bytesOf(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

const keysOf = (schema) => ['HASH', 'RANGE'].map((k) => schema.find((s) => s.KeyType === k)?.AttributeName);

/** Items grouped by partition key, partitions and each one's items in key order: [[pk value, items]]. */
export function partitions(items, pk, sk) {
  const by = new Map();
  for (const it of items) {
    const k = JSON.stringify(it[pk]);
    if (!by.has(k)) by.set(k, [it[pk], []]);
    by.get(k)[1].push(it);
  }
  const all = [...by.values()].sort((a, b) => compareKeys(a[0], b[0]));
  for (const [, list] of all) list.sort((a, b) => compareKeys(a[sk], b[sk]));
  return all;
}

const valueText = (v) => (v === undefined ? '' : showValue(v));
const attrs = (it, skip) => Object.keys(it).filter((n) => !skip.includes(n)).sort()
  .map((n) => h('span', { class: 'agg-attr' }, h('b', {}, n), ' ', valueText(it[n])));

async function scanAll(name) {
  const items = [];
  let start;
  do {
    const out = await call('Scan', { TableName: name, ExclusiveStartKey: start, Limit: AGGREGATE_MAX - items.length });
    items.push(...out.Items);
    start = out.LastEvaluatedKey;
  } while (start && items.length < AGGREGATE_MAX);
  return { items, more: Boolean(start) };
}

/* The aggregate view: one <tbody> a partition, its key value heading its items' rows. */
function aggregate(t, items, more) {
  const [pk, sk] = keysOf(t.KeySchema);
  const head = h('tr', {}, h('th', { scope: 'col' }, `${pk} (partition key)`), sk ? h('th', { scope: 'col' }, `${sk} (sort key)`) : '',
    h('th', { scope: 'col' }, 'Attributes'));
  const groups = partitions(items, pk, sk).map(([v, list]) => h('tbody', { class: 'partition' }, list.map((it, i) => h('tr', {},
    i === 0 ? h('th', { scope: 'rowgroup', rowspan: list.length, class: 'pk' }, valueText(v)) : '',
    sk ? h('td', { class: 'sk' }, valueText(it[sk])) : '', h('td', { class: 'agg-attrs' }, attrs(it, [pk, sk]))))));
  return [h('p', { class: 'note', id: 'aggregate-count' }, `${count(groups.length, 'partition')}, ${count(items.length, 'item')}`,
    more ? ` (the first ${AGGREGATE_MAX}: the Items screen pages the rest)` : ''),
  h('div', { class: 'scroll' }, h('table', { id: 'aggregate-table' }, h('thead', {}, head), groups))];
}

/** The facet an item is of: of those whose shape (the key and its NonKeyAttributes) holds every
    attribute of the item, the one with the fewest the item lacks; undefined where none does. */
export function facetOf(facets, keyNames, it) {
  let best;
  let gap = Infinity;
  for (const f of facets) {
    const shape = new Set([...keyNames, ...(f.NonKeyAttributes || [])]);
    const names = Object.keys(it);
    if (!names.every((n) => shape.has(n))) continue;
    if (shape.size - names.length < gap) { gap = shape.size - names.length; best = f; }
  }
  return best;
}

/* Each facet as the visualizer draws it: its items, the key under its aliases, its attributes. */
function facetViews(t, facets, items) {
  const [pk, sk] = keysOf(t.KeySchema);
  const keyNames = [pk, sk].filter(Boolean);
  const mine = new Map(facets.map((f) => [f, []]));
  for (const it of items) mine.get(facetOf(facets, keyNames, it))?.push(it);
  return facets.map((f) => {
    const cols = [...keyNames, ...(f.NonKeyAttributes || [])];
    const alias = [f.KeyAttributeAlias?.PartitionKeyAlias, f.KeyAttributeAlias?.SortKeyAlias];
    const list = partitions(mine.get(f), pk, sk).flatMap(([, l]) => l);
    return h('section', { class: 'facet', 'data-facet': f.FacetName }, h('h3', {}, `${f.FacetName} (${count(list.length, 'item')})`),
      h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {}, cols.map((c, i) => h('th', { scope: 'col' },
        i < keyNames.length && alias[i] ? `${alias[i]} (${c})` : c)))),
      h('tbody', {}, list.map((it) => h('tr', {}, cols.map((c) => h('td', {}, valueText(it[c])))))))));
  });
}

/** A price as small as a request's: to four significant digits, "$0.0000001875"; a cent or more to the cent. */
export function dollars(x) {
  if (x === 0) return '$0';
  if (x >= 0.01) return `$${x.toFixed(2)}`;
  return `$${x.toFixed(Math.min(20, 3 - Math.floor(Math.log10(x)))).replace(/0+$/, '')}`;
}

/** The server's price table (GET /ddbd/usage's "prices"), read once a page; null where the admin door
    is not served or refuses this key. */
export const priceTable = () => fromDoor('/ddbd/usage').then((u) => u?.prices ?? null, () => null);

const NO_PRICE = 'the price table is GET /ddbd/usage\'s, read only with --admin (and rights=admin under --auth)';

/** What a read of `units` read capacity units costs at the table's class's on-demand price (prices:
    /ddbd/usage's "prices", or null where it cannot be read, `why` then saying why); a provisioned
    table's units said as part of its capacity, their on-demand price beside them. */
export function costText(t, units, prices, why = NO_PRICE) {
  const u = `${units} RCU`;
  const provisioned = (t.BillingModeSummary?.BillingMode ?? 'PROVISIONED') === 'PROVISIONED';
  const of = provisioned ? ` of the table's ${t.ProvisionedThroughput?.ReadCapacityUnits} provisioned read capacity units a second` : '';
  const cls = t.TableClassSummary?.TableClass ?? 'STANDARD';
  const row = prices?.tableClasses?.find((r) => r.tableClass === cls) ?? prices?.tableClasses?.[0];
  if (!row) return `${u}${of} · no price: ${why}`;
  const run = (units * row.readRequestUnitsPerMillion) / 1e6;
  const price = `${dollars(run)} per run · ${dollars(run * 1e6)} per million runs`;
  return provisioned ? `${u}${of} · on demand ${price}` : `${u} · ${price}`;
}

/** A saved query's Query request, asking for its consumed capacity. */
export function patternInput(t, q) {
  const op = savedOperation(t, q);
  const index = [...(t.GlobalSecondaryIndexes || []), ...(t.LocalSecondaryIndexes || [])].find((i) => i.IndexName === op.index);
  const [pk, sk] = keysOf((index || t).KeySchema);
  const type = (n) => t.AttributeDefinitions.find((a) => a.AttributeName === n)?.AttributeType || 'S';
  const input = { TableName: t.TableName, ...(index ? { IndexName: index.IndexName } : {}), KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': pk }, ExpressionAttributeValues: { ':pk': { [type(pk)]: op.pkValue } }, ReturnConsumedCapacity: 'TOTAL' };
  if (sk && op.skValue !== '') {
    input.ExpressionAttributeNames['#sk'] = sk;
    input.ExpressionAttributeValues[':sk'] = { [type(sk)]: op.skValue };
    if (op.skOp === 'begins_with') input.KeyConditionExpression += ' AND begins_with(#sk, :sk)';
    else if (op.skOp === 'between') {
      input.ExpressionAttributeValues[':sk2'] = { [type(sk)]: op.skValue2 };
      input.KeyConditionExpression += ' AND #sk BETWEEN :sk AND :sk2';
    } else input.KeyConditionExpression += ` AND #sk ${op.skOp} :sk`;
  }
  return input;
}

/* The request in words: "Query on GSI1: PK = SFO AND SK BETWEEN a AND b". */
function patternWords(input) {
  const names = input.ExpressionAttributeNames;
  const values = input.ExpressionAttributeValues;
  return `Query ${input.IndexName ? `index ${input.IndexName}` : input.TableName}: ${input.KeyConditionExpression
    .replace(/#\w+/g, (n) => names[n]).replace(/:\w+/g, (v) => JSON.stringify(showValue(values[v])))}`;
}

/* The access patterns, each run by its button: its items below, its capacity and cost in its row. */
function patterns(t, queries, prices) {
  const names = Object.keys(queries);
  if (names.length === 0) return h('p', { class: 'note' }, 'The model saves no access patterns (SavedQuery) for this table.');
  const found = h('div', { id: 'pattern-items' });
  const rows = names.map((n) => {
    const result = h('td', { class: 'pattern-result', 'aria-live': 'polite' });
    let input;
    try { input = patternInput(t, queries[n]); } catch (e) { result.textContent = String(e); }
    const run = () => guarded(found, async () => {
      result.textContent = 'Running…';
      const out = await call('Query', input);
      const units = out.ConsumedCapacity?.CapacityUnits ?? 0;
      result.textContent = `${count(out.Count, 'item')}${out.LastEvaluatedKey ? ' (more: the first 1 MB)' : ''} · ${costText(t, units, await prices)}`;
      found.replaceChildren(h('h3', {}, n), itemsTableOf(t, out.Items));
    });
    return h('tr', { 'data-pattern': n }, h('th', { scope: 'row' }, n), h('td', {}, input ? patternWords(input) : ''),
      h('td', {}, h('button', { type: 'button', class: 'secondary', 'aria-label': `Run ${n}`, disabled: !input, onclick: run }, 'Run')), result);
  });
  return [h('div', { class: 'scroll' }, h('table', { id: 'patterns-table' }, h('thead', {}, h('tr', {},
    ['Access pattern', 'Request', '', 'Last run'].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows))), found];
}

/* The items a run found, in the Query's order: each one's key values, then its other attributes. */
function itemsTableOf(t, items) {
  const keyNames = keysOf(t.KeySchema).filter(Boolean);
  const row = (it) => h('tr', {}, h('td', {}, keyNames.map((k) => valueText(it[k])).join(' · ')),
    h('td', { class: 'agg-attrs' }, attrs(it, keyNames)));
  return h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Key'),
    h('th', { scope: 'col' }, 'Attributes'))), h('tbody', {}, items.map(row))));
}

/** The Model tab's sections for table t (DescribeTable's). */
export async function modelSections(t) {
  const m = await modelOf(t.TableName);
  const prices = priceTable();
  const { items, more } = await scanAll(t.TableName);
  const refused = auth && sessionStorage.getItem(REFUSED) === (session.key?.id ?? '');
  const from = m ? `From ${m.from}.` : `No NoSQL Workbench model names this table (one given to --seed, read with --admin, or `
    + `imported on the Tables screen)${refused ? '; this key may not read the seeded ones (GET /ddbd/models asks rights=admin)' : ''}: `
    + 'its aggregate view only.';
  return [h('p', { class: 'note', id: 'model-from' }, from),
    m ? h('section', { id: 'patterns' }, h('h2', {}, 'Access patterns'),
      h('p', { class: 'note' }, 'Each run as a Query with ReturnConsumedCapacity TOTAL, priced at the table class\'s on-demand read '
        + 'request unit (GET /ddbd/usage\'s price table).'), patterns(t, m.queries, prices)) : '',
    m && m.facets.length ? h('section', { id: 'facet-views' }, h('h2', {}, 'Facets'), facetViews(t, m.facets, items)) : '',
    h('section', { id: 'aggregate' }, h('h2', {}, 'Aggregate view'), aggregate(t, items, more))];
}
