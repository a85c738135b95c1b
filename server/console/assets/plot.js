// Lines drawn by hand as SVG, newest on the right over the last POINTS readings, with a labelled y
// axis, and their legend giving each series' latest value as text (activity.js, bgwork.js).
import { h } from './dom.js';

export const POINTS = 120;
/* style.css's .legend .c0 ... .c9 are these, in order: the console's CSP (style-src 'self') refuses an
   inline style attribute, so a swatch takes its colour from a class */
const COLORS = ['#0b5cad', '#d1495b', '#2a9d8f', '#e9a03b', '#6a4c93', '#577590', '#8ab17d', '#bc6c25', '#264653', '#c2185b'];
const SVG = 'http://www.w3.org/2000/svg';
export const W = 900, H = 240;
const L = 70, B = 18;

export function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

function text(x, y, anchor, s) {
  const t = svg('text', { x, y, 'text-anchor': anchor, 'font-size': 13, fill: '#57606a' });
  t.textContent = s;
  return t;
}

/* A y axis label in the L pixels left of the plot: 120000000 B is "120 MB", 4500 /s "4.5 k/s"
   (toPrecision alone wrote "120000000 B", cut at the plot's left edge). */
export function axisLabel(v, unit) {
  const a = Math.abs(v);
  const [d, s] = a >= 1e12 ? [1e12, 'T'] : a >= 1e9 ? [1e9, 'G'] : a >= 1e6 ? [1e6, 'M'] : a >= 1e4 ? [1e3, 'k'] : [1, ''];
  const n = +(v / d).toPrecision(2);
  return s ? `${n} ${s}${unit.trimStart()}` : `${n}${unit}`;
}

/* Lines of `series` (label -> numbers, newest last) with a labelled y axis. */
export function plot(el, series, unit, title, span = `last ${POINTS} s`) {
  let max = 0;
  for (const ys of series.values()) for (const y of ys) max = Math.max(max, y);
  max = max > 0 ? max * 1.1 : 1;
  const t = svg('title', {});
  t.textContent = title;
  el.replaceChildren(t);
  for (const f of [0, 0.5, 1]) {
    const y = H - B - f * (H - B - 8);
    el.append(svg('line', { x1: L, x2: W, y1: y, y2: y, stroke: '#d0d7de' }), text(L - 4, y + 4, 'end', axisLabel(max * f, unit)));
  }
  el.append(text(W, H - 3, 'end', span));
  let i = 0;
  for (const ys of series.values()) {
    const pts = ys.map((y, j) => `${(L + (W - L) * (j + POINTS - ys.length) / (POINTS - 1)).toFixed(1)},${(H - B - (y / max) * (H - B - 8)).toFixed(1)}`);
    el.append(svg('polyline', { points: pts.join(' '), fill: 'none', stroke: COLORS[i++ % COLORS.length], 'stroke-width': 2 }));
  }
}

export function legend(list, series, unit) {
  let i = 0;
  list.replaceChildren(...[...series].map(([label, ys]) => h('li', {},
    h('i', { class: `c${i++ % COLORS.length}` }), `${label}: ${+(ys[ys.length - 1] || 0).toFixed(2)}${unit}`)));
}


/* An empty plot (id-plot) and its legend (id-legend). */
export function plotView(id) {
  return { plotEl: svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'plot', id: `${id}-plot`, role: 'img' }),
    list: h('ul', { class: 'legend', id: `${id}-legend` }) };
}

/* Appends `y` to the series `label`, keeping its last POINTS values. */
export function record(series, label, y) {
  const ys = series.get(label) || [];
  ys.push(y);
  if (ys.length > POINTS) ys.shift();
  series.set(label, ys);
}
