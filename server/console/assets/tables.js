// The tables: the list, Create Table (a form or JSON, or a NoSQL Workbench model's tables), Delete
// Table, and one table described.
import { call } from './api.js';
import { backupsSection } from './backups.js';
import { exportsSection } from './exports.js';
import { policySection } from './policy.js';
import { insightsSection, replicasSection, tagsSection, ttlSection } from './settings.js';
import { count, field, guarded, h, pretty, say } from './dom.js';
import { modelOf, modelSections } from './model.js';
import { importModel } from './workbench.js';

const TYPES = ['S', 'N', 'B'];
const typeSelect = (value = 'S') => h('select', {}, TYPES.map((t) => h('option', { value: t, selected: t === value }, t)));

async function listAll() {
  const names = [];
  let start;
  do {
    const out = await call('ListTables', start ? { ExclusiveStartTableName: start } : {});
    names.push(...out.TableNames);
    start = out.LastEvaluatedTableName;
  } while (start);
  return names;
}

/* The Create Table form's input, as CreateTable takes it. */
function formInput(f) {
  const attrs = new Map();
  const key = (name, type, kind) => { attrs.set(name, type); return { AttributeName: name, KeyType: kind }; };
  const schema = (pk, pkType, sk, skType) => [key(pk, pkType, 'HASH'), ...(sk ? [key(sk, skType, 'RANGE')] : [])];
  const input = {
    TableName: f.name.value.trim(),
    KeySchema: schema(f.pk.value.trim(), f.pkType.value, f.sk.value.trim(), f.skType.value),
    BillingMode: 'PAY_PER_REQUEST',
  };
  if (f.gsi.value.trim()) {
    input.GlobalSecondaryIndexes = [{
      IndexName: f.gsi.value.trim(),
      KeySchema: schema(f.gsiPk.value.trim(), f.gsiPkType.value, f.gsiSk.value.trim(), f.gsiSkType.value),
      Projection: { ProjectionType: 'ALL' },
    }];
  }
  if (f.stream.checked) input.StreamSpecification = { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' };
  input.AttributeDefinitions = [...attrs].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
  return input;
}

function createForm(done) {
  const f = {
    name: h('input', { required: true, autocomplete: 'off' }), pk: h('input', { required: true, value: 'pk' }),
    pkType: typeSelect(), sk: h('input', { placeholder: '(none)' }), skType: typeSelect(),
    gsi: h('input', { placeholder: '(none)' }), gsiPk: h('input'), gsiPkType: typeSelect(), gsiSk: h('input'),
    gsiSkType: typeSelect(), stream: h('input', { type: 'checkbox' }),
  };
  f.name.id = 'create-name';
  f.pk.id = 'create-pk';
  f.sk.id = 'create-sk';
  f.stream.id = 'create-stream';
  f.skType.id = 'create-sk-type';
  const json = h('textarea', { id: 'create-json', spellcheck: 'false' });
  const box = h('div');
  const create = (input) => guarded(box, async () => {
    await call('CreateTable', input);
    say(`Table ${input.TableName} created`);
    form.reset(); // ready for the next table, not a resubmission of this one
    json.value = '';
    done();
  });
  const fromJson = h('button', { type: 'button', id: 'create-from-json', onclick: () => guarded(box, () => create(JSON.parse(json.value))) },
    'Create from JSON');
  const showJson = h('button', { type: 'button', class: 'secondary', onclick: () => { json.value = pretty(formInput(f)); } },
    'Copy the form into JSON');
  const form = h('form', { id: 'create-table', onsubmit: (e) => { e.preventDefault(); create(formInput(f)); } },
    h('div', { class: 'row' }, field('Table name', f.name), field('Partition key', f.pk), field('Partition key type', f.pkType),
      field('Sort key', f.sk), field('Sort key type', f.skType)),
    h('div', { class: 'row' }, field('Global index', f.gsi), field('Index partition key', f.gsiPk), field('its type', f.gsiPkType),
      field('Index sort key', f.gsiSk), field('its type', f.gsiSkType)),
    h('div', { class: 'row' }, field('Stream (new and old images)', f.stream, 'inline')),
    h('button', { type: 'submit' }, 'Create table'));
  return h('section', { 'aria-labelledby': 'create-h' }, h('h2', { id: 'create-h' }, 'Create a table'), form,
    h('details', {}, h('summary', {}, 'Or as CreateTable JSON'), field('CreateTable input', json), showJson, fromJson), box);
}

/* A NoSQL Workbench model's export (a .json file): its tables created and its sample data put. */
function modelForm(done) {
  const file = h('input', { type: 'file', id: 'model-file', accept: '.json,application/json' });
  const status = h('p', { class: 'note', id: 'model-status', 'aria-live': 'polite' });
  const box = h('div');
  const run = () => guarded(box, async () => {
    const f = file.files[0];
    if (!f) { file.focus(); return; }
    status.textContent = `Reading ${f.name}`;
    try {
      status.textContent = await importModel(await f.text(), (text) => { status.textContent = text; });
    } catch (e) {
      status.textContent = `${f.name}: stopped`;
      throw e;
    }
    say(status.textContent);
    done();
  });
  return h('section', { 'aria-labelledby': 'model-h' }, h('h2', { id: 'model-h' }, 'Import a NoSQL Workbench model'),
    h('p', { class: 'note' }, 'Its tables, indexes and capacity created, then its sample data put, as the Workbench commits a model to DynamoDB.'),
    h('div', { class: 'row' }, field('Model (exported as JSON)', file),
      h('button', { type: 'button', id: 'model-import', onclick: run }, 'Import model')), status, box);
}

/* Bytes as a person reads them: 0 B, 12.3 KB, 4.5 MB (powers of 1,024, as DynamoDB's console). */
function bytes(n) {
  if (n === undefined) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let x = n;
  while (x >= 1024 && i < units.length - 1) { x /= 1024; i++; }
  return i ? `${x.toFixed(1)} ${units[i]}` : `${n} B`;
}

export async function tablesScreen(view) {
  const box = h('div');
  const list = h('div', { id: 'table-list' });
  const filter = h('input', { id: 'table-filter', type: 'search', placeholder: 'part of a name', autocomplete: 'off' });
  const shown = h('p', { class: 'note', id: 'table-count' });
  let rows = [];
  const applyFilter = () => {
    const want = filter.value.trim().toLowerCase();
    let n = 0;
    for (const [name, tr] of rows) { tr.hidden = !name.toLowerCase().includes(want); n += tr.hidden ? 0 : 1; }
    shown.textContent = want ? `${n} of ${count(rows.length, 'table')} shown` : count(rows.length, 'table');
  };
  filter.addEventListener('input', applyFilter);
  const refresh = () => guarded(box, async () => {
    const names = await listAll();
    // each one described for its status, item count and size (an error in its row, not the screen's)
    const all = await Promise.all(names.map((n) => call('DescribeTable', { TableName: n }).then((x) => x.Table, (e) => ({ error: e }))));
    rows = names.map((n, i) => {
      const t = all[i];
      return [n, h('tr', {}, h('td', {}, h('a', { href: `#/table/${encodeURIComponent(n)}` }, n)),
        h('td', {}, t.error ? String(t.error) : t.TableStatus), h('td', { class: 'num' }, t.error ? '' : String(t.ItemCount ?? '')),
        h('td', { class: 'num' }, t.error ? '' : bytes(t.TableSizeBytes)), h('td', {}, t.KeySchema ? keyText(t.KeySchema) : ''),
        h('td', {}, h('a', { href: `#/items/${encodeURIComponent(n)}`, 'aria-label': `Items of ${n}` }, 'Items'), ' ',
          h('button', { type: 'button', class: 'danger', 'aria-label': `Delete table ${n}`, onclick: () => drop(n) }, 'Delete')))];
    });
    list.replaceChildren(names.length === 0 ? h('p', { class: 'note' }, 'No tables yet.')
      : h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {},
        ['Table', 'Status', 'Items', 'Size', 'Key', ''].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows.map(([, tr]) => tr)))));
    applyFilter();
  });
  const drop = (name) => guarded(box, async () => {
    if (!confirm(`Delete table ${name} and all its items?`)) return;
    await call('DeleteTable', { TableName: name });
    say(`Table ${name} deleted`);
    await refresh();
  });
  view.replaceChildren(h('h1', {}, 'Tables'), box, h('div', { class: 'row' }, field('Filter', filter), shown), list, createForm(refresh),
    modelForm(refresh));
  await refresh();
}

function describeList(pairs) {
  return h('dl', {}, pairs.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));
}

const keyText = (ks) => ks.map((k) => `${k.AttributeName} (${k.KeyType === 'HASH' ? 'partition' : 'sort'})`).join(', ');

function indexesTable(t) {
  const all = [...(t.GlobalSecondaryIndexes || []).map((i) => ['global', i]), ...(t.LocalSecondaryIndexes || []).map((i) => ['local', i])];
  if (all.length === 0) return h('p', { class: 'note' }, 'No secondary indexes.');
  return h('div', { class: 'scroll' }, h('table', {},
    h('thead', {}, h('tr', {}, ['Index', 'Kind', 'Key', 'Projection', 'Status', 'Items'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, all.map(([kind, i]) => h('tr', {}, h('td', {}, i.IndexName), h('td', {}, kind), h('td', {}, keyText(i.KeySchema)),
      h('td', {}, i.Projection?.ProjectionType), h('td', {}, i.IndexStatus || 'ACTIVE'), h('td', {}, i.ItemCount ?? ''))))));
}

/* The facets of the NoSQL Workbench model given to --seed or imported here (model.js): its views of
   the table, each drawn with its items on the Model tab. */
async function facetsSection(name) {
  const facets = (await modelOf(name))?.facets || [];
  if (facets.length === 0) return '';
  const alias = (f, k) => f.KeyAttributeAlias?.[k] ?? '';
  return h('section', { id: 'facets' }, h('h2', {}, 'Facets (from its NoSQL Workbench model)'), h('div', { class: 'scroll' }, h('table', {},
    h('thead', {}, h('tr', {}, ['Facet', 'Partition key as', 'Sort key as', 'Attributes'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, facets.map((f) => h('tr', {}, h('td', {}, f.FacetName), h('td', {}, alias(f, 'PartitionKeyAlias')),
      h('td', {}, alias(f, 'SortKeyAlias')), h('td', {}, (f.NonKeyAttributes || []).join(', '))))))));
}

function vectorIndexes(t) {
  const all = t.VectorIndexes || [];
  if (all.length === 0) return '';
  return h('section', {}, h('h2', {}, 'Vector indexes'), h('div', { class: 'scroll' }, h('table', {},
    h('thead', {}, h('tr', {}, ['Index', 'Vector attribute', 'Dimensions', 'Distance', 'Search schema'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, all.map((i) => h('tr', {}, h('td', {}, i.IndexName), h('td', {}, i.VectorAttribute?.AttributeName), h('td', {}, String(i.Dimensions)),
      h('td', {}, i.DistanceFunction), h('td', {}, (i.SearchSchema || []).map((x) => `${x.AttributeName} (${x.SearchSchemaElementType})`).join(', '))))))));
}

/* Settings DescribeTable does not carry, each asked for on its own: an error shows in its place. */
async function extras(name, arn) {
  const part = (p) => p.then((x) => x, (e) => ({ error: e }));
  const [ttl, tags, ci] = await Promise.all([part(call('DescribeTimeToLive', { TableName: name })),
    part(call('ListTagsOfResource', { ResourceArn: arn })), part(call('DescribeContributorInsights', { TableName: name }))]);
  return { ttl, tags, ci };
}

/* The table screen's tabs: each a URL of its own (#/table/NAME/TAB), drawing only its sections. */
const TABS = [['overview', 'Overview'], ['model', 'Model'], ['settings', 'Settings'], ['backups', 'Backups and exports'], ['json', 'JSON']];

export async function tableScreen(view, name, tab = 'overview') {
  const box = h('div');
  const q = encodeURIComponent(name);
  const current = TABS.some(([id]) => id === tab) ? tab : 'overview';
  view.replaceChildren(h('h1', {}, `Table ${name}`), h('p', {}, h('a', { href: `#/items/${q}` }, 'Browse its items'), ' · ',
    h('a', { href: `#/stream/${q}` }, 'Tail its stream')),
  h('nav', { class: 'tabs', 'aria-label': 'Parts of the table' }, TABS.map(([id, text]) => h('a', { href: `#/table/${q}/${id}`,
    'aria-current': id === current ? 'page' : undefined, id: `tab-${id}` }, text))), box);
  await guarded(box, async () => {
    const t = (await call('DescribeTable', { TableName: name })).Table;
    const redraw = () => tableScreen(view, name, current);
    if (current === 'json') { box.replaceChildren(h('pre', { id: 'describe-json' }, pretty(t))); return; }
    if (current === 'backups') { box.replaceChildren(backupsSection(name), exportsSection(t)); return; }
    if (current === 'model') { box.replaceChildren(...await modelSections(t)); return; }
    const { ttl, tags, ci } = await extras(name, t.TableArn);
    const ttlDesc = ttl.error ? String(ttl.error) : `${ttl.TimeToLiveDescription.TimeToLiveStatus}${ttl.TimeToLiveDescription.AttributeName ? ` on ${ttl.TimeToLiveDescription.AttributeName}` : ''}`;
    if (current === 'settings') {
      box.replaceChildren(ttlSection(t, ttl, redraw), tagsSection(t, tags, redraw), insightsSection(t, ci, redraw), replicasSection(t, redraw),
        policySection(t));
      return;
    }
    const stream = t.StreamSpecification?.StreamEnabled ? `${t.StreamSpecification.StreamViewType} (${t.LatestStreamArn})` : 'off';
    box.replaceChildren(
      h('section', { id: 'overview' }, h('h2', {}, 'Overview'), describeList([
        ['Status', t.TableStatus], ['Key', keyText(t.KeySchema)], ['Items', t.ItemCount], ['Size (bytes)', t.TableSizeBytes],
        ['Billing', t.BillingModeSummary?.BillingMode || 'PROVISIONED'],
        ['Capacity', t.ProvisionedThroughput ? `${t.ProvisionedThroughput.ReadCapacityUnits} read, ${t.ProvisionedThroughput.WriteCapacityUnits} write` : ''],
        ['Time to Live', ttlDesc], ['Stream', stream], ['Deletion protection', t.DeletionProtectionEnabled ? 'on' : 'off'],
        ['Replicas', (t.Replicas || []).map((r) => r.RegionName).join(', ') || 'none'], ['ARN', t.TableArn], ['Created', t.CreationDateTime ? new Date(t.CreationDateTime * 1000).toISOString() : ''],
      ])),
      h('section', {}, h('h2', {}, 'Indexes'), indexesTable(t)),
      vectorIndexes(t), await facetsSection(name));
  });
}

/* The table's description, for the items screen (its keys and indexes). */
export async function describe(name) {
  return (await call('DescribeTable', { TableName: name })).Table;
}
