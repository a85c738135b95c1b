// The Faults screen (#/faults): the request faults in force (GET /ddbd/faults, the admin door,
// --admin; docs/testing.md, "Injected faults"), each with its remaining and injected counts, read
// again every 2 s; a form that adds one (POST {"faults": [...]}: the server's refusal shown as it
// words it); Clear all (DELETE, which also turns the storage faults off). Below them, the server's
// clock (clock.js), which the faults' windows follow.
import { admin } from './api.js';
import { clockSection } from './clock.js';
import { errorBox, field, guarded, h, say } from './dom.js';

/* What the server injects (server/api/faults/inject.h's DDB_INJECT_KINDS; "" is latency alone). */
const KINDS = ['InternalServerError', 'ServiceUnavailableException', 'ThrottlingException',
  'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'TransactionConflict', 'UnprocessedItems', 'StreamLag',
  'ReplicationLag', 'ConnectionReset', 'TruncatedBody', 'BadCrc32'];
/* Suggestions only: any operation's name is taken (and refused by the server if it names none). */
const OPERATIONS = ['*', 'read', 'write', 'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem',
  'BatchWriteItem', 'TransactGetItems', 'TransactWriteItems', 'ExecuteStatement', 'GetRecords', 'ListTables', 'DescribeTable'];
const EVERY_MS = 2000;

function faultsTable(state) {
  if (!state.faults?.length) return h('p', { class: 'note' }, 'No faults.');
  const head = ['operation', 'table', 'fault', 'count', 'remaining', 'probability', 'latency', 'injected'];
  return h('div', { class: 'scroll' }, h('table', {},
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, state.faults.map((f) => h('tr', {}, h('td', {}, f.operation), h('td', {}, f.table), h('td', {}, f.error),
      h('td', { class: 'num' }, f.count ?? 'any'), h('td', { class: 'num' }, f.remaining ?? ''),
      h('td', { class: 'num' }, String(f.probability)), h('td', { class: 'num' }, f.latency_ms ? `${f.latency_ms} ms` : ''),
      h('td', { class: 'num' }, String(f.injected)))))));
}

function storageText(state) {
  const on = [state.write_errors ? 'every storage write fails' : '',
    state.free_bytes !== null && state.free_bytes !== undefined ? `the disk reads ${state.free_bytes} bytes free` : '',
    state.stuck_resume ? 'a resume after a full disk hangs until it counts as stuck' : ''].filter(Boolean);
  return on.length ? `Storage faults: ${on.join('; ')} (Clear all turns them off).` : '';
}

/* The form's fault: its empty fields left out, numbers sent as numbers. */
function faultOf(els) {
  const f = {};
  for (const [k, el] of Object.entries(els)) {
    const v = el.value.trim();
    if (v === '') continue;
    f[k] = el.type === 'number' ? Number(v) : v;
  }
  return f;
}

export function faultsScreen(view) {
  const list = h('div', { id: 'fault-list' }, h('p', { class: 'note' }, 'Reading…'));
  const storage = h('p', { id: 'fault-storage', class: 'note' });
  const box = h('div', { id: 'fault-status' });
  const ops = h('datalist', { id: 'fault-ops' }, OPERATIONS.map((o) => h('option', { value: o })));
  const els = {
    operation: h('input', { id: 'fault-op', list: 'fault-ops', placeholder: '* (any)' }),
    table: h('input', { id: 'fault-table', placeholder: '* (any)' }),
    error: h('select', { id: 'fault-error' }, KINDS.map((k) => h('option', { value: k }, k)), h('option', { value: '' }, '(none: latency only)')),
    count: h('input', { id: 'fault-count', type: 'number', min: 0, step: 1, placeholder: 'every one' }),
    probability: h('input', { id: 'fault-probability', type: 'number', min: 0, max: 1, step: 'any', placeholder: '1' }),
    latency_ms: h('input', { id: 'fault-latency', type: 'number', min: 0, step: 1, placeholder: '0' }),
    after_ms: h('input', { id: 'fault-after', type: 'number', min: 0, step: 1, placeholder: 'now' }),
    for_ms: h('input', { id: 'fault-for', type: 'number', min: 0, step: 1, placeholder: 'until cleared' }),
    message: h('input', { id: 'fault-message', maxlength: 255, placeholder: 'DynamoDB\'s' }),
    reason: h('input', { id: 'fault-reason', maxlength: 63, placeholder: 'DynamoDB\'s' }),
  };
  const show = (state) => {
    list.replaceChildren(faultsTable(state));
    storage.textContent = storageText(state);
  };
  const form = h('form', { id: 'fault-form', onsubmit: async (e) => {
    e.preventDefault();
    const state = await guarded(box, () => admin('POST', '/ddbd/faults', { faults: [faultOf(els)] }));
    if (state) { show(state); say('Fault added.'); }
  } }, h('div', { class: 'row' }, field('Operation', els.operation), ops, field('Table', els.table), field('Fault', els.error)),
  h('div', { class: 'row' }, field('Count (the next N requests)', els.count), field('Probability (0 to 1)', els.probability),
    field('Latency added (ms)', els.latency_ms)),
  h('details', { id: 'fault-more' }, h('summary', {}, 'When, and the words (optional)'),
    h('div', { class: 'row' }, field('From (ms after now, the server\'s clock)', els.after_ms), field('For (ms)', els.for_ms)),
    h('div', { class: 'row' }, field('Message', els.message), field('Throttling reason', els.reason))),
  h('div', {}, h('button', { type: 'submit', id: 'fault-add' }, 'Add fault')));
  const clear = h('button', { type: 'button', class: 'danger', id: 'fault-clear', onclick: async () => {
    const state = await guarded(box, () => admin('DELETE', '/ddbd/faults'));
    if (state) { show(state); say('Faults cleared.'); }
  } }, 'Clear all');
  const poll = h('div');
  view.replaceChildren(h('h1', {}, 'Faults'),
    h('p', { class: 'note' }, 'Requests that fail on purpose, with DynamoDB\'s status, type and message, so that an application\'s ',
      'retries run as they do in production (docs/testing.md, "Injected faults"). The first fault that matches a request decides.'),
    h('section', {}, h('h2', {}, 'In force'), poll, list, storage, clear),
    h('section', {}, h('h2', {}, 'Add a fault'), box, form), clockSection());
  const tick = async () => {
    if (!view.contains(list)) return; // the screen was left
    try {
      show(await admin('GET', '/ddbd/faults'));
      poll.replaceChildren();
    } catch (err) {
      poll.replaceChildren(errorBox(err));
      // a key without rights=admin (under --auth) is refused every time: said once, not asked again
      if (err.type === 'AccessDeniedException') return;
    }
    setTimeout(tick, EVERY_MS);
  };
  tick();
}
