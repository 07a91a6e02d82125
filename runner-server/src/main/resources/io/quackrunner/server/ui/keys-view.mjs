// Pinning verifier keys: the user pastes keys obtained out of band (`runner keys show` on the
// server host); the server's own list is shown beside them for comparison, never pinned silently.

import { api } from './api.mjs';
import { h, fill } from './dom.mjs';
import { pin, pinnedTexts } from './keys.mjs';

export async function keysView(main, signal) {
  const area = h('textarea', { id: 'pin-keys', rows: 4, cols: 90, placeholder: 'name+hash+base64, one per line' });
  area.value = pinnedTexts().join('\n');
  const msg = h('p', { id: 'pin-result' });
  let listed = h('p.muted', 'The server lists no keys.');
  try {
    const r = await api.json('/keys', { auth: false, signal });
    listed = h('table.kv', h('tbody', r.keys.map((k) => h('tr', h('th', k.status), h('td', h('code', k.verifier_key))))));
  } catch (e) {
    listed = h('p.error', 'GET /keys failed: ' + e.message);
  }
  fill(main, h('section.card',
    h('h1', 'Verifier keys'),
    h('p', 'Receipts and checkpoints are checked against the keys pinned here (kept in this browser\'s localStorage). Get them out of band, e.g. ', h('code', 'runner keys show'), ' on the server host; a key taken from the server you are auditing only shows that it agrees with itself.'),
    area,
    h('div', h('button', { type: 'button', id: 'pin', on: { click: async () => {
      try {
        const n = await pin(area.value);
        fill(msg, n.length ? n.length + ' key(s) pinned.' : 'No key pinned.');
        msg.className = 'ok';
      } catch (e) {
        fill(msg, e.message);
        msg.className = 'error';
      }
    } } }, 'Pin')),
    msg,
    h('h3', 'Listed by the server (GET /keys)'), listed));
}
