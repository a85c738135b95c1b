// What the server does, from GET /metrics once a second, drawn by hand as SVG lines over the last
// two minutes: requests a second and mean latency per operation, consumed capacity per table,
// errors by type (throttles among them), the history kept against --memory-budget; the
// background tasks (bgwork.js) and Contributor Insights' hot keys (hotkeys.js).
import { metrics } from './api.js';
import { errorBox, h } from './dom.js';
import { hotKeysView } from './hotkeys.js';
import { backgroundView } from './bgwork.js';
import { legend, plot, plotView, record } from './plot.js';

/* The plots: each series a metric's label(s) (`key` of a matching line, or null), and how its
   figure is made: `rate` (a counter's change a second), `mean` (a _sum's change over its _count's,
   in ms) or `gauge` (the value itself). */
const PANELS = [
  { id: 'rate', title: 'Requests a second, per operation', unit: '/s', kind: 'rate',
    key: (n) => /^ddbd_requests_total\{operation="([^"]*)"/.exec(n)?.[1] },
  { id: 'latency', title: 'Mean latency, per operation', unit: ' ms', kind: 'mean',
    key: (n) => /^ddbd_request_duration_seconds_sum\{operation="([^"]*)"/.exec(n)?.[1] },
  { id: 'capacity', title: 'Consumed capacity units a second, per table', unit: '/s', kind: 'rate',
    key: (n) => { const m = /^ddbd_consumed_capacity_units_total\{table="([^"]*)",kind="([^"]*)"/.exec(n); return m && `${m[1]} ${m[2]}`; } },
  { id: 'errors', title: 'Errors a second, by type (throttling among them)', unit: '/s', kind: 'rate',
    key: (n) => /^ddbd_errors_total\{type="([^"]*)"/.exec(n)?.[1] },
  { id: 'retained', title: 'History kept beyond the tables, bytes (against --memory-budget)', unit: ' B', kind: 'gauge',
    key: (n) => { const m = /^ddbd_retained(_limit)?_bytes\{kind="([^"]*)"/.exec(n); return m && `${m[2]}${m[1] ? ' limit' : ''}`; } },
];

/* The panel's figures in one reading: label -> value (for `mean`: [sum, count]). */
function figures(panel, m) {
  const out = new Map();
  for (const [name, v] of m) {
    const label = panel.key(name);
    if (label === undefined || label === null) continue;
    if (panel.kind === 'mean') out.set(label, [v, m.get(name.replace('_sum{', '_count{')) || 0]);
    else out.set(label, (out.get(label) || 0) + v);
  }
  return out;
}

/* The point of each series at this reading, from the previous one `dt` seconds before. */
function points(panel, now, prev, dt) {
  const out = new Map();
  for (const [label, v] of now) {
    const p = prev.get(label);
    if (panel.kind === 'gauge') out.set(label, v);
    else if (panel.kind === 'rate') out.set(label, Math.max(0, (v - (p ?? 0)) / dt));
    else out.set(label, v[1] > (p?.[1] ?? 0) ? ((v[0] - (p?.[0] ?? 0)) / (v[1] - (p?.[1] ?? 0))) * 1000 : 0);
  }
  return out;
}

function panelView(p) {
  const { plotEl, list } = plotView(p.id);
  const empty = h('p', { class: 'note' }, 'Nothing yet.');
  return { ...p, plotEl, list, empty, series: new Map(),
    section: h('section', {}, h('h2', {}, p.title), plotEl, list, empty) };
}

export function activityScreen(view) {
  const panels = PANELS.map(panelView);
  const hot = hotKeysView();
  const box = h('div');
  view.replaceChildren(h('h1', {}, 'Activity'), box, ...panels.map((p) => p.section), backgroundView(view), hot.section,
    h('p', { class: 'note' }, 'From GET /metrics, read once a second (the console\'s own calls count too).'));
  let prev = null;
  const tick = async () => {
    if (!view.contains(box)) return; // the screen was left
    try {
      const m = await metrics();
      hot.update(m);
      const now = { at: performance.now(), figs: panels.map((p) => figures(p, m)) };
      if (prev) {
        const dt = (now.at - prev.at) / 1000;
        panels.forEach((p, i) => {
          for (const [label, y] of points(p, now.figs[i], prev.figs[i], dt)) record(p.series, label, y);
          p.empty.hidden = p.series.size > 0;
          plot(p.plotEl, p.series, p.unit, p.title);
          legend(p.list, p.series, p.unit);
          p.plotEl.dataset.points = String([...p.series.values()].reduce((a, ys) => a + ys.filter((y) => y > 0).length, 0));
        });
      }
      prev = now;
      box.replaceChildren();
    } catch (err) {
      box.replaceChildren(errorBox(err));
      // refused every time (a key without ddbd:ReadMetrics), or served on another port: said once,
      // not asked again every second
      if (err.type === 'AccessDeniedException' || err.type === 'NotServedHere') return;
    }
    setTimeout(tick, 1000);
  };
  tick();
}
