// The server's clock, a section of the Faults screen (GET/POST /ddbd/clock, the admin door, --admin;
// docs/admin.md, "The clock"): its time and whether it stands or runs, read again every 2 s; Freeze,
// Run, and Advance by N seconds. A step answers once what came due meanwhile has run (TTL's deletes,
// replication, stream triggers), so the screens read after it show the result.
import { admin } from './api.js';
import { errorBox, field, guarded, h, say } from './dom.js';

const EVERY_MS = 2000;

export function clockSection() {
  const now = h('output', { id: 'clock-now' }, 'Reading…');
  const mode = h('strong', { id: 'clock-state' });
  const box = h('div', { id: 'clock-status' }); // a move's refusal
  const poll = h('div'); // a reading's
  const by = h('input', { id: 'clock-by', type: 'number', min: 0, step: 'any', value: '60', required: true });
  const freeze = h('button', { type: 'button', id: 'clock-freeze', class: 'secondary' }, 'Freeze');
  const run = h('button', { type: 'button', id: 'clock-run', class: 'secondary' }, 'Run');
  const show = (s) => {
    now.textContent = new Date(s.now).toISOString();
    mode.textContent = s.frozen ? 'frozen' : 'running';
    freeze.disabled = s.frozen;
    run.disabled = !s.frozen;
  };
  const move = async (body, what) => {
    const s = await guarded(box, () => admin('POST', '/ddbd/clock', body));
    if (s) { show(s); say(what); }
  };
  freeze.addEventListener('click', () => move({ freeze: true }, 'Clock frozen.'));
  run.addEventListener('click', () => move({ run: true }, 'Clock running.'));
  const form = h('form', { id: 'clock-form', onsubmit: (e) => {
    e.preventDefault();
    move({ advance: Math.round(Number(by.value) * 1000) }, `Clock advanced ${by.value} s.`);
  } }, h('div', { class: 'row' }, field('Advance by (seconds)', by), h('button', { type: 'submit', id: 'clock-advance' }, 'Advance')));
  const section = h('section', { id: 'clock' }, h('h2', {}, 'Clock'),
    h('p', { class: 'note' }, 'The server\'s clock, which TTL, index and replication lag, stale reads, capacity and fault ',
      'windows follow. Frozen, nothing that depends on it happens by itself; a step runs what came due, in order, ',
      'before it answers (docs/testing.md, "The frozen clock").'),
    poll, h('p', {}, 'Now ', now, ', ', mode), h('div', { class: 'row' }, freeze, run), form, box);
  const tick = async () => {
    if (!section.isConnected) return; // the screen was left
    try {
      show(await admin('GET', '/ddbd/clock'));
      poll.replaceChildren();
    } catch (err) {
      poll.replaceChildren(errorBox(err));
      if (err.type === 'AccessDeniedException') return; // refused every time: said once, not asked again
    }
    setTimeout(tick, EVERY_MS);
  };
  setTimeout(tick, 0); // once the section is on the page
  return section;
}
