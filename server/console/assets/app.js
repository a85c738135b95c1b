// The console's page: the screens by the URL's fragment (#/tables, #/table/T[/TAB], #/items/T,
// #/stream/T, #/imports, #/partiql, #/activity; with --admin #/usage and #/faults), and the key its
// API calls are signed with.
import { call, session, setKey } from './api.js';
import { activityScreen } from './activity.js';
import { faultsScreen } from './faults.js';
import { field, guarded, h } from './dom.js';
import { importsScreen } from './exports.js';
import { itemsScreen } from './items.js';
import { partiqlScreen } from './partiql.js';
import { admin, auth } from './session.js';
import { streamScreen } from './streams.js';
import { tableScreen, tablesScreen } from './tables.js';
import { usageScreen } from './usage.js';

const view = document.getElementById('view');

// the admin door's screens are offered only when it is open: without --admin /ddbd/usage and
// /ddbd/faults answer 404, and the console asks nothing that fails by design
for (const a of document.querySelectorAll('header nav a.admin')) a.hidden = !admin;

/* #/usage or #/faults on a server without --admin: said, and nothing asked of it. */
function noAdmin(name) {
  view.replaceChildren(h('h1', {}, name), h('p', { class: 'note', id: 'no-admin' },
    `This server runs without --admin, so it serves no ${name.toLowerCase()} (GET /ddbd/${name.toLowerCase()} is an admin `,
    'endpoint: docs/admin.md). Start ddbd with --admin to see it here; under --auth the key needs rights=admin.'));
}

/* The sign-in form: the key id, secret and region the calls are signed with (kept for this tab). */
function signIn(reason) {
  const id = h('input', { id: 'key-id', autocomplete: 'username', required: true });
  const secret = h('input', { id: 'key-secret', type: 'password', autocomplete: 'current-password', required: true });
  const region = h('input', { id: 'key-region', value: 'us-east-1', required: true });
  const box = h('div');
  view.replaceChildren(h('h1', {}, 'Sign in'),
    h('p', {}, 'This server checks signatures (--auth). Enter a key it knows; the console signs each API call with it ',
      'in this tab and keeps it only until the tab closes.'), reason ? h('div', { class: 'error', role: 'alert' }, String(reason)) : '',
    h('form', { id: 'sign-in', onsubmit: (e) => {
      e.preventDefault();
      setKey({ id: id.value.trim(), secret: secret.value, region: region.value.trim() });
      guarded(box, async () => { await call('ListTables', { Limit: 1 }); route(); });
    } }, field('Access key id', id), field('Secret access key', secret), field('Region', region),
    h('div', {}, h('button', { type: 'submit' }, 'Sign in'))), box);
  id.focus();
}

const AUTH_ERRORS = new Set(['UnrecognizedClientException', 'InvalidSignatureException', 'MissingAuthenticationTokenException',
  'IncompleteSignatureException']);

function who() {
  const el = document.getElementById('who');
  el.replaceChildren(session.key ? h('span', {}, `key ${session.key.id}`) : '',
    session.key ? h('button', { type: 'button', class: 'secondary', onclick: () => { setKey(null); signIn(); } }, 'Sign out') : '');
}

async function route() {
  who();
  // with --auth, nothing is asked of the API before a key is typed (a refused call would put an
  // error on the sign-in screen, and in the browser's console, before anything was typed)
  if (auth && !session.key) return signIn();
  const [, screen = 'tables', arg, ...more] = location.hash.split('/').map((p, i) => (i ? decodeURIComponent(p) : p));
  for (const a of document.querySelectorAll('header nav a')) {
    if (a.getAttribute('href') === `#/${screen}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  try {
    if (screen === 'table') await tableScreen(view, arg, more[0]);
    else if (screen === 'items') await itemsScreen(view, arg);
    else if (screen === 'stream') await streamScreen(view, arg);
    else if (screen === 'imports') await importsScreen(view, arg, ...more);
    else if (screen === 'partiql') partiqlScreen(view);
    else if (screen === 'activity') activityScreen(view);
    else if (screen === 'usage') (admin ? usageScreen(view) : noAdmin('Usage'));
    else if (screen === 'faults') (admin ? faultsScreen(view) : noAdmin('Faults'));
    else await tablesScreen(view);
    const err = view.querySelector('.error');
    if (err && AUTH_ERRORS.has(err.textContent.split(':')[0])) signIn(err.textContent);
  } catch (err) {
    view.replaceChildren(h('div', { class: 'error', role: 'alert' }, String(err)));
  }
  document.title = `${view.querySelector('h1')?.textContent || 'ddbd'} · ddbd console`;
  // the first screen drawn with its data (what docs/console.md's timing reports)
  if (performance.getEntriesByName('ddbd-console-ready').length === 0) performance.mark('ddbd-console-ready');
}

window.addEventListener('hashchange', () => { route(); view.focus(); });
route();
