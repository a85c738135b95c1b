// A NoSQL Workbench data model (its JSON export) committed to this server, as the Workbench commits
// one to DynamoDB: each table of DataModel created (key attributes, global indexes with their
// projections, billing mode and capacity), then its sample data put (the table's TableData, then each
// facet's) in BatchWriteItem requests of 25. The mapping is --seed MODEL.json's (docs/seeding.md,
// "NoSQL Workbench models"); a value the API refuses is shown with the API's own error. Its facets and
// saved queries are kept in this browser: the facets shown on the table's overview and Model tab
// (model.js), the queries among its saved operations on the Items screen and run with their
// capacity and cost on the Model tab.
import { call } from './api.js';
import { count } from './dom.js';

const CAPACITY = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 }; // the Workbench's for a model that names none
const BATCH = 25;

function keySchema(keys) {
  return [['PartitionKey', 'HASH'], ['SortKey', 'RANGE']].filter(([k]) => keys?.[k])
    .map(([k, type]) => ({ AttributeName: keys[k].AttributeName, KeyType: type }));
}

/* The table's key attributes and its indexes', each once. */
function definitions(t) {
  const seen = new Map();
  for (const keys of [t.KeyAttributes, ...(t.GlobalSecondaryIndexes || []).map((g) => g.KeyAttributes)]) {
    for (const k of ['PartitionKey', 'SortKey']) {
      const a = keys?.[k];
      if (a) seen.set(`${a.AttributeName}\u0000${a.AttributeType}`, { AttributeName: a.AttributeName, AttributeType: a.AttributeType });
    }
  }
  return [...seen.values()];
}

/** A model table's CreateTable input. */
export function createInput(t) {
  const provisioned = (t.BillingMode ?? 'PROVISIONED') === 'PROVISIONED';
  const capacity = t.ProvisionedCapacitySettings?.ProvisionedThroughput ?? CAPACITY;
  const input = { TableName: t.TableName, KeySchema: keySchema(t.KeyAttributes), AttributeDefinitions: definitions(t),
    BillingMode: t.BillingMode ?? 'PROVISIONED' };
  if (provisioned) input.ProvisionedThroughput = capacity;
  if ((t.GlobalSecondaryIndexes || []).length > 0) {
    input.GlobalSecondaryIndexes = t.GlobalSecondaryIndexes.map((g) => ({ IndexName: g.IndexName, KeySchema: keySchema(g.KeyAttributes),
      Projection: g.Projection ?? { ProjectionType: 'ALL' }, ...(provisioned ? { ProvisionedThroughput: capacity } : {}) }));
  }
  return input;
}

/** A model table's items: its TableData's, then each facet's; a later one of a key replaces an earlier
    one (a batch may not name a key twice). */
export function itemsOf(t) {
  const key = keySchema(t.KeyAttributes).map((k) => k.AttributeName);
  const byKey = new Map();
  for (const item of [...(t.TableData || []), ...(t.TableFacets || []).flatMap((f) => f.TableData || [])]) {
    byKey.set(JSON.stringify(key.map((k) => item?.[k])), item);
  }
  return [...byKey.values()];
}

const SK_OPS = ['=', '<', '<=', '>', '>=', 'begins_with', 'between'];

/** A saved query of the model (the DynamoDB workshops' visualizer's SavedQuery: {"view": table or
    index, "PK": value, "SK": {"condition", "values"}}) as the Items screen keeps a saved operation:
    a Query of that key. */
export function savedOperation(t, q) {
  const sk = q.SK !== null && typeof q.SK === 'object' ? q.SK : q.SK !== undefined ? { condition: '=', values: [q.SK] } : null;
  const onIndex = (t.GlobalSecondaryIndexes || []).some((g) => g.IndexName === q.view);
  const known = sk && SK_OPS.includes(sk.condition);
  return { mode: 'Query', index: onIndex ? q.view : '', pkValue: String(q.PK ?? ''), skOp: known ? sk.condition : '=',
    skValue: known ? String(sk.values?.[0] ?? '') : '', skValue2: known ? String(sk.values?.[1] ?? '') : '', rows: [] };
}

/* What the model shows of a table besides its items, kept in this browser: its saved queries among
   the table's saved operations (under their names, where none of that name is kept: the Items
   screen's list), its facets (without their items) for the table's overview. */
function remember(t) {
  const key = `ddbd.saved.${t.TableName}`;
  const ops = JSON.parse(localStorage.getItem(key) || '{}');
  for (const [name, q] of Object.entries(t.SavedQuery || {})) if (!(name in ops)) ops[name] = savedOperation(t, q);
  localStorage.setItem(key, JSON.stringify(ops));
  const facets = (t.TableFacets || []).map((f) => Object.fromEntries(Object.entries(f).filter(([k]) => k !== 'TableData')));
  if (facets.length > 0) localStorage.setItem(`ddbd.facets.${t.TableName}`, JSON.stringify(facets));
  else localStorage.removeItem(`ddbd.facets.${t.TableName}`);
  // the saved queries as the model has them too: the Model tab runs them as its access patterns
  if (t.SavedQuery && Object.keys(t.SavedQuery).length > 0) localStorage.setItem(`ddbd.patterns.${t.TableName}`, JSON.stringify(t.SavedQuery));
  else localStorage.removeItem(`ddbd.patterns.${t.TableName}`);
}

/** The facets a model imported here showed of table `name` (none: []). */
export function facetsOf(name) {
  return JSON.parse(localStorage.getItem(`ddbd.facets.${name}`) || '[]');
}

/** The saved queries of the model imported here for table `name`, as the model has them (none: {}). */
export function patternsOf(name) {
  return JSON.parse(localStorage.getItem(`ddbd.patterns.${name}`) || '{}');
}

async function active(name) {
  for (;;) {
    const t = (await call('DescribeTable', { TableName: name })).Table;
    if (t.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function putAll(name, items, progress) {
  for (let i = 0; i < items.length; i += BATCH) {
    let req = { [name]: items.slice(i, i + BATCH).map((Item) => ({ PutRequest: { Item } })) };
    while (Object.keys(req).length > 0) req = (await call('BatchWriteItem', { RequestItems: req })).UnprocessedItems || {};
    progress(Math.min(i + BATCH, items.length));
  }
}

/** Creates the model's tables and puts their items; `progress(text)` says how far it is. Returns
    what was done, as a sentence. */
export async function importModel(text, progress) {
  let model;
  try { model = JSON.parse(text); } catch (e) { throw new Error(`not JSON: ${e.message}`); }
  if (!Array.isArray(model?.DataModel)) throw new Error('not a NoSQL Workbench model: no DataModel list of tables');
  let items = 0;
  for (const t of model.DataModel) {
    progress(`Creating ${t.TableName}`);
    await call('CreateTable', createInput(t));
    await active(t.TableName);
    const all = itemsOf(t);
    await putAll(t.TableName, all, (n) => progress(`${t.TableName}: ${n} of ${count(all.length, 'item')} put`));
    items += all.length;
    remember(t);
  }
  return `Model ${model.ModelName ?? ''}: ${count(model.DataModel.length, 'table')} created, ${count(items, 'item')} put`;
}
