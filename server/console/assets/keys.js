// A screen's keyboard shortcuts: one list ([key, what it does, action], ...) that both answers the
// keys and is the help the screen shows, so that no key works unlisted nor is listed unbound. A key
// acts from anywhere on the screen but a field being typed in (there it is typed) or a part marked
// data-keys-off (the item editor, whose work a stray key would throw away), and without Ctrl, Alt or
// Meta (the browser's own shortcuts stay its own).
import { h } from './dom.js';

/* Installs `list`'s keys while `owner` is on `view` (they go with the screen) and returns the help:
   { el, toggle() }, '?' opening and closing it. */
export function shortcuts(view, owner, list) {
  const rows = h('tbody', {}, list.map(([key, what]) => h('tr', {}, h('td', {}, h('kbd', {}, key)), h('td', {}, what))));
  const el = h('details', { id: 'shortcuts' }, h('summary', { 'aria-keyshortcuts': '?' }, 'Keyboard shortcuts (?)'),
    h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Key'), h('th', { scope: 'col' }, 'Does'))), rows));
  const toggle = () => {
    el.open = !el.open;
    el.querySelector('summary').focus();
  };
  const all = [['?', 'show or hide this list', toggle], ...list];
  const keys = (e) => {
    if (!view.contains(owner)) { document.removeEventListener('keydown', keys); return; } // the screen was left
    if (e.ctrlKey || e.metaKey || e.altKey || e.target.closest?.('input, textarea, select, [contenteditable], [data-keys-off]')) return;
    const hit = all.find(([key]) => key === e.key);
    if (hit) { e.preventDefault(); hit[2](); }
  };
  rows.prepend(h('tr', {}, h('td', {}, h('kbd', {}, '?')), h('td', {}, all[0][1])));
  document.addEventListener('keydown', keys);
  return { el, toggle };
}
