// Contributor Insights' heaviest keys (ddbd_contributor_insights_top in /metrics), as bars: one
// chart per table or index and rule, its keys heaviest first.
import { h } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const TOP = /^ddbd_contributor_insights_top\{table="([^"]*)",index="([^"]*)",rule="([^"]*)",kind="([^"]*)",key="((?:[^"\\]|\\.)*)"\}$/;

function svg(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

/* "table[/index] rule (kind)" -> [[key, weight], ...] heaviest first. */
function groups(m) {
  const out = new Map();
  for (const [name, v] of m) {
    const g = TOP.exec(name);
    if (!g) continue;
    const label = `${g[1]}${g[2] ? `/${g[2]}` : ''} ${g[3]} (${g[4]})`;
    if (!out.has(label)) out.set(label, []);
    out.get(label).push([g[5].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c)), v]);
  }
  for (const rows of out.values()) rows.sort((a, b) => b[1] - a[1]);
  return out;
}

function bars(label, rows) {
  const W = 900, ROW = 26, L = 260;
  const max = Math.max(...rows.map((r) => r[1]), 1);
  const el = svg('svg', { viewBox: `0 0 ${W} ${rows.length * ROW + 4}`, class: 'plot', role: 'img' });
  el.append(svg('title', {}, `Heaviest keys of ${label}`));
  rows.forEach(([key, v], i) => {
    const y = i * ROW + 4;
    el.append(svg('text', { x: L - 8, y: y + 16, 'text-anchor': 'end', 'font-size': 13, fill: '#1b1f24' }, key.length > 34 ? `${key.slice(0, 33)}…` : key),
      svg('rect', { x: L, y, width: Math.max(1, ((W - L - 80) * v) / max), height: ROW - 8, fill: '#0b5cad', rx: 2 }),
      svg('text', { x: L + ((W - L - 80) * v) / max + 6, y: y + 16, 'font-size': 13, fill: '#57606a' }, String(v)));
  });
  return h('figure', { class: 'hot' }, h('figcaption', {}, label), el);
}

export function hotKeysView() {
  const body = h('div', { id: 'hot-keys' }, h('p', { class: 'note' },
    'No table has Contributor Insights on (turn it on from a table\'s screen).'));
  return {
    section: h('section', {}, h('h2', {}, 'Hot keys (Contributor Insights, last minute or two)'), body),
    update(m) {
      const g = groups(m);
      if (g.size) body.replaceChildren(...[...g].map(([label, rows]) => bars(label, rows)));
    },
  };
}
