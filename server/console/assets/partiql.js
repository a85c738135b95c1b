// The PartiQL editor: ExecuteStatement, with parameters, a page at a time.
import { call } from './api.js';
import { count, field, guarded, h, itemsTable } from './dom.js';

export function partiqlScreen(view) {
  const stmt = h('textarea', { id: 'statement', spellcheck: 'false', rows: 5 });
  stmt.value = sessionStorage.getItem('ddbd.partiql') || '';
  const params = h('input', { id: 'parameters', size: 50, placeholder: '[{"S": "a"}, {"N": "1"}]' });
  const box = h('div');
  const results = h('div', { id: 'partiql-results' });
  const state = { token: null, page: 0 };
  const next = h('button', { type: 'button', id: 'partiql-next', disabled: true, onclick: () => run(false) }, 'Next page');
  const run = (first) => guarded(box, async () => {
    results.replaceChildren(); // a failed statement leaves no earlier answer on screen as if it were its own
    next.disabled = true;
    sessionStorage.setItem('ddbd.partiql', stmt.value);
    const input = { Statement: stmt.value };
    if (params.value.trim()) input.Parameters = JSON.parse(params.value);
    if (!first && state.token) input.NextToken = state.token;
    const out = await call('ExecuteStatement', input);
    state.token = out.NextToken || null;
    state.page = first ? 1 : state.page + 1;
    next.disabled = !state.token;
    const items = out.Items || [];
    results.replaceChildren(h('p', { class: 'note' }, `Page ${state.page}: ${count(items.length, 'item')}${state.token ? '' : ', the last page'}`),
      items.length ? itemsTable(items, [], null) : '');
  });
  view.replaceChildren(h('h1', {}, 'PartiQL'),
    h('form', { onsubmit: (e) => { e.preventDefault(); run(true); } },
      field('Statement (SELECT, INSERT, UPDATE, DELETE)', stmt), h('div', { class: 'row' }, field('Parameters (JSON array)', params)),
      h('button', { type: 'submit', id: 'partiql-run' }, 'Run')), box, results, next);
}
