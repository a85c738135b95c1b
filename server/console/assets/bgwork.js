// The server's background work on the Activity screen, read from the API every 2 s (/metrics has no
// figure for it): how many exports, imports and index builds are in progress, as lines, and each
// task with its progress as text (an import's items processed, an index's items so far, an export's
// count once done), the latest finished ones after them.
import { call } from './api.js';
import { errorBox, h } from './dom.js';
import { exportsOf, importsOf } from './exports.js';
import { legend, plot, plotView, POINTS, record } from './plot.js';

const EVERY = 2000;
const KINDS = ['exports', 'imports', 'index builds'];
const tableOf = (arn) => /:table\/([^/]+)/.exec(arn || '')?.[1] || '';
const idOf = (arn) => (arn || '').split('/').pop();
const when = (t) => (t ? new Date(t * 1000).toISOString().slice(11, 19) : '');

async function exportTasks() {
  return (await exportsOf({ MaxResults: 25 })).map((d) => ({ kind: 'exports', status: d.ExportStatus, at: d.StartTime,
    text: `export ${idOf(d.ExportArn)} of ${tableOf(d.ExportArn)}: ${d.ExportStatus}, started ${when(d.StartTime)}`
      + (d.EndTime ? `, ended ${when(d.EndTime)}` : '') + (d.ItemCount !== undefined ? `, ${d.ItemCount} items` : '')
      + (d.FailureMessage ? ` (${d.FailureCode}: ${d.FailureMessage})` : '') }));
}

async function importTasks() {
  return (await importsOf({ PageSize: 25 })).map((d) => ({ kind: 'imports', status: d.ImportStatus, at: d.StartTime,
    text: `import ${idOf(d.ImportArn)} into ${tableOf(d.TableArn)}: ${d.ImportStatus}, started ${when(d.StartTime)}`
      + `, ${d.ProcessedItemCount ?? 0} items processed, ${d.ImportedItemCount ?? 0} imported, ${d.ErrorCount ?? 0} errors`
      + (d.FailureMessage ? ` (${d.FailureCode}: ${d.FailureMessage})` : '') }));
}

/* The global indexes not yet ACTIVE, of the first 100 tables. */
async function indexTasks() {
  const names = (await call('ListTables', { Limit: 100 })).TableNames;
  const tables = await Promise.all(names.map((n) => call('DescribeTable', { TableName: n }).then((x) => x.Table, () => null)));
  return tables.flatMap((t) => (t?.GlobalSecondaryIndexes || []).filter((i) => i.IndexStatus !== 'ACTIVE').map((i) => ({
    kind: 'index builds', status: 'IN_PROGRESS',
    text: `index ${i.IndexName} of ${t.TableName}: ${i.IndexStatus}${i.Backfilling ? ', backfilling' : ''}, ${i.ItemCount ?? 0} items so far` })));
}

export function backgroundView(view) {
  const { plotEl, list: legendEl } = plotView('tasks');
  const tasks = h('ul', { id: 'tasks' });
  const box = h('div');
  const series = new Map();
  const section = h('section', { 'aria-labelledby': 'tasks-h' }, h('h2', { id: 'tasks-h' }, 'Background tasks in progress'),
    box, plotEl, legendEl, h('h3', {}, 'Tasks'), tasks);
  const tick = async () => {
    if (!view.contains(section)) return; // the screen was left
    try {
      const all = (await Promise.all([exportTasks(), importTasks(), indexTasks()])).flat();
      const running = all.filter((t) => t.status === 'IN_PROGRESS');
      for (const k of KINDS) record(series, k, running.filter((t) => t.kind === k).length);
      plot(plotEl, series, '', 'Background tasks in progress', `last ${POINTS * EVERY / 60000} min`);
      legend(legendEl, series, '');
      plotEl.dataset.points = String([...series.values()].reduce((a, ys) => a + ys.filter((y) => y > 0).length, 0));
      const done = all.filter((t) => t.status !== 'IN_PROGRESS').sort((a, b) => (b.at || 0) - (a.at || 0)).slice(0, 5);
      tasks.replaceChildren(...(running.length ? running : [{ text: 'None in progress.' }]).concat(done)
        .map((t) => h('li', { class: t.status === 'IN_PROGRESS' ? '' : 'note' }, t.text)));
      box.replaceChildren();
    } catch (err) {
      box.replaceChildren(errorBox(err));
      // a key that may not list exports or imports is refused every time: said once, not asked
      // again every 2 s (as the clock's and the faults' sections)
      if (err.type === 'AccessDeniedException') return;
    }
    setTimeout(tick, EVERY);
  };
  setTimeout(tick); // once the section is on screen
  return section;
}
