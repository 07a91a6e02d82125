// The inspector's shell: sign-in, the hash router (#/runs, #/run/<id>, #/ledger, #/keys) and
// the views' lifetimes (each view gets an AbortSignal that ends its polling and log streams).

import { ApiError, api, token } from './api.mjs';
import { h, fill } from './dom.mjs';
import { runsView } from './runs.mjs';
import { runView } from './run.mjs';
import { ledgerView } from './ledger.mjs';
import { keysView } from './keys-view.mjs';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let current = null;

function signIn(message) {
  nav.hidden = true;
  const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'off', required: true, placeholder: 'bearer token', size: 48 });
  const err = h('p.error', { id: 'signin-error', role: 'alert' }, message || '');
  const form = h('form.card.signin', { id: 'signin', on: { submit: async (e) => {
    e.preventDefault();
    token.set(input.value.trim());
    try {
      await api.json('/runs?limit=1');
      if (location.hash === '#/runs') route();
      else location.hash = '#/runs';
    } catch (x) {
      token.clear();
      fill(err, x instanceof ApiError && x.status === 401 ? 'That token was refused (401).' : 'Sign-in failed: ' + x.message);
    }
  } } },
  h('h1', 'Sign in'),
  h('p', 'Paste a bearer token (e.g. the admin token from the server\'s state directory). It is kept in this tab\'s sessionStorage and sent as an Authorization header; no cookie is set.'),
  h('label', { for: 'token' }, 'Token'), ' ', input, ' ', h('button', { type: 'submit' }, 'Sign in'), err);
  fill(main, form);
  input.focus();
}

async function route() {
  if (current) current.abort();
  current = new AbortController();
  const signal = current.signal;
  if (!token.get()) return signIn();
  // Each view draws into its own element: one left behind by a later navigation is detached,
  // so its late answers land nowhere.
  const view = h('div.view');
  fill(main, view);
  nav.hidden = false;
  const hash = location.hash || '#/runs';
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', hash.startsWith(a.getAttribute('href')));
  try {
    let m;
    if ((m = /^#\/run\/([A-Za-z0-9-]{1,64})$/.exec(hash))) await runView(view, m[1], signal);
    else if (hash.startsWith('#/ledger')) await ledgerView(view, signal);
    else if (hash.startsWith('#/keys')) await keysView(view, signal);
    else await runsView(view, new URLSearchParams(hash.split('?')[1] || ''), signal);
  } catch (e) {
    if (signal.aborted) return;
    if (e instanceof ApiError && e.status === 401) {
      token.clear();
      return signIn('The server refused the token (401); sign in again.');
    }
    fill(view, h('div.card', h('h1', 'Error'), h('p.error', e.message)));
  }
}

document.getElementById('signout').addEventListener('click', () => {
  token.clear();
  route();
});
window.addEventListener('hashchange', route);
route();
