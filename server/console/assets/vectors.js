// Vector search: SearchVectors on one of the table's vector indexes, with TopK and a condition on
// its SearchSchema attributes; the items best first, each with its score.
import { call } from './api.js';
import { field, guarded, h, showValue } from './dom.js';

export function vectorSection(t) {
  const indexes = t.VectorIndexes || [];
  if (indexes.length === 0) return '';
  const index = h('select', { id: 'vector-index' }, indexes.map((i) => h('option', { value: i.IndexName },
    `${i.IndexName} (${i.Dimensions} dimensions, ${i.DistanceFunction})`)));
  const vector = h('input', { id: 'vector', size: 40, placeholder: '[0.1, 0.2, 0.3]' });
  const topK = h('input', { id: 'top-k', type: 'number', min: 1, value: 10 });
  const cond = h('input', { id: 'vector-condition', size: 30, placeholder: 'category = :c' });
  const values = h('input', { id: 'vector-values', size: 30, placeholder: '{":c": {"S": "home"}}' });
  const box = h('div');
  const results = h('div', { id: 'vector-results' });
  const search = () => guarded(box, async () => {
    const input = { TableName: t.TableName, IndexName: index.value, TopK: Number(topK.value),
      // the numbers as typed, kept exact: DynamoDB JSON numbers are strings
      SearchVector: vector.value.replace(/[[\]\s]/g, '').split(',').filter(Boolean).map((x) => ({ N: x })) };
    if (cond.value.trim()) input.SearchConditionExpression = cond.value.trim();
    if (values.value.trim()) input.ExpressionAttributeValues = JSON.parse(values.value);
    const out = await call('SearchVectors', input);
    const rows = (out.SearchResults || []).map((r, i) => h('tr', {}, h('td', {}, String(i + 1)), h('td', {}, r.Score.toFixed(6)),
      h('td', { class: 'val' }, Object.entries(r.Item || {}).map(([k, v]) => `${k}: ${showValue(v)}`).join(', '))));
    results.replaceChildren(h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {},
      ['#', 'Score', 'Item'].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows))));
  });
  return h('section', { 'aria-labelledby': 'vector-h' }, h('h2', { id: 'vector-h' }, 'Vector search'),
    h('form', { onsubmit: (e) => { e.preventDefault(); search(); } },
      h('div', { class: 'row' }, field('Index', index), field('Vector (numbers, comma-separated)', vector), field('Top K', topK),
        field('Condition', cond), field('Values (DynamoDB JSON)', values)),
      h('button', { type: 'submit', id: 'vector-search' }, 'Search')), box, results);
}
