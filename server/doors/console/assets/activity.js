// What the server does, from GET /metrics a second: requests a second and mean latency per
// operation, drawn by hand as SVG lines over the last two minutes.
import { metrics } from './api.js';
import { errorBox, h } from './dom.js';

const POINTS = 120;
const COLORS = ['#0b5cad', '#d1495b', '#2a9d8f', '#e9a03b', '#6a4c93', '#577590', '#8ab17d', '#bc6c25', '#264653', '#c2185b'];
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

/* Per operation: [requests, seconds in all] from the counters. */
function totals(m) {
  const out = new Map();
  for (const [name, v] of m) {
    let hit = /^ddbd_requests_total\{operation="([^"]*)"/.exec(name);
    if (hit) { const t = out.get(hit[1]) || [0, 0]; t[0] += v; out.set(hit[1], t); continue; }
    hit = /^ddbd_request_duration_seconds_sum\{operation="([^"]*)"/.exec(name);
    if (hit) { const t = out.get(hit[1]) || [0, 0]; t[1] += v; out.set(hit[1], t); }
  }
  return out;
}

/* Lines of `series` (name -> numbers, newest last) in an SVG with a labelled y axis. */
function plot(svgEl, series, unit, title) {
  const W = 900, H = 240, L = 70, B = 18;
  let max = 0;
  for (const ys of series.values()) for (const y of ys) max = Math.max(max, y);
  max = max > 0 ? max * 1.1 : 1;
  svgEl.replaceChildren(svg('title', {}));
  svgEl.firstChild.textContent = title;
  for (const f of [0, 0.5, 1]) {
    const y = H - B - f * (H - B - 8);
    svgEl.append(svg('line', { x1: L, x2: W, y1: y, y2: y, stroke: '#d0d7de' }));
    const label = svg('text', { x: L - 4, y: y + 4, 'text-anchor': 'end', 'font-size': 13, fill: '#57606a' });
    label.textContent = `${+(max * f).toPrecision(2)}${unit}`;
    svgEl.append(label);
  }
  const axis = svg('text', { x: W, y: H - 3, 'text-anchor': 'end', 'font-size': 13, fill: '#57606a' });
  axis.textContent = `last ${POINTS} s`;
  svgEl.append(axis);
  let i = 0;
  for (const [, ys] of series) {
    const pts = ys.map((y, j) => `${(L + (W - L) * (j + POINTS - ys.length) / (POINTS - 1)).toFixed(1)},${(H - B - (y / max) * (H - B - 8)).toFixed(1)}`);
    svgEl.append(svg('polyline', { points: pts.join(' '), fill: 'none', stroke: COLORS[i++ % COLORS.length], 'stroke-width': 2 }));
  }
}

function legend(list, series, fmt) {
  let i = 0;
  list.replaceChildren(...[...series].map(([name, ys]) => h('li', {},
    h('i', { style: `background:${COLORS[i++ % COLORS.length]}` }), `${name}: ${fmt(ys[ys.length - 1] || 0)}`)));
}

export function activityScreen(view) {
  const rateSvg = svg('svg', { viewBox: '0 0 900 240', class: 'plot', id: 'rate-plot', role: 'img' });
  const latSvg = svg('svg', { viewBox: '0 0 900 240', class: 'plot', id: 'latency-plot', role: 'img' });
  const rateLegend = h('ul', { class: 'legend', id: 'rate-legend' });
  const latLegend = h('ul', { class: 'legend' });
  const box = h('div');
  view.replaceChildren(h('h1', {}, 'Activity'), box,
    h('section', {}, h('h2', {}, 'Requests a second, per operation'), rateSvg, rateLegend),
    h('section', {}, h('h2', {}, 'Mean latency, per operation'), latSvg, latLegend),
    h('p', { class: 'note' }, 'From GET /metrics, read once a second (the console\'s own calls count too).'));
  const rate = new Map();
  const lat = new Map();
  let prev = null;
  const push = (map, op, y) => {
    const ys = map.get(op) || new Array(0);
    ys.push(y);
    if (ys.length > POINTS) ys.shift();
    map.set(op, ys);
  };
  const tick = async () => {
    if (!view.contains(rateSvg)) return; // the screen was left
    try {
      const now = totals(await metrics());
      const at = performance.now();
      if (prev) {
        const dt = (at - prev.at) / 1000;
        for (const [op, [n, s]] of now) {
          const [n0, s0] = prev.now.get(op) || [0, 0];
          push(rate, op, (n - n0) / dt);
          push(lat, op, n > n0 ? ((s - s0) / (n - n0)) * 1000 : 0);
        }
        plot(rateSvg, rate, '/s', 'Requests a second per operation');
        plot(latSvg, lat, ' ms', 'Mean latency per operation, milliseconds');
        legend(rateLegend, rate, (y) => `${y.toFixed(1)}/s`);
        legend(latLegend, lat, (y) => `${y.toFixed(2)} ms`);
        rateSvg.dataset.points = String([...rate.values()].reduce((a, ys) => a + ys.filter((y) => y > 0).length, 0));
      }
      prev = { now, at };
      box.replaceChildren();
    } catch (err) {
      box.replaceChildren(errorBox(err));
    }
    setTimeout(tick, 1000);
  };
  tick();
}
