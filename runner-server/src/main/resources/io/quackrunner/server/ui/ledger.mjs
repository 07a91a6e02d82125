// The ledger: the current signed checkpoint, and a consistency check from an earlier checkpoint
// the user pastes to the current one (RFC 9162 §2.1.4), against the pinned keys.

import { api } from './api.mjs';
import { h, fill } from './dom.mjs';
import { fromBase64 } from './bytes.mjs';
import { verifyConsistency } from './merkle.mjs';
import { parseCheckpoint, verifyCheckpoint } from './note.mjs';
import { trustedKeys } from './keys.mjs';

export async function ledgerView(main, signal) {
  const text = await api.text('/ledger/checkpoint', { auth: false, signal });
  const cp = parseCheckpoint(text);
  const earlier = h('textarea', { id: 'ledger-earlier', rows: 5, cols: 70, placeholder: 'paste an earlier checkpoint' });
  const allow = h('input', { type: 'checkbox', id: 'ledger-allow-server-keys' });
  const out = h('div', { id: 'ledger-result' });
  const check = async () => {
    try {
      const { keys, source } = await trustedKeys(allow.checked);
      if (!keys.length) throw new Error('no trusted key: pin one on the Keys page, or allow the server\'s');
      const now = parseCheckpoint(await api.text('/ledger/checkpoint', { auth: false, signal }));
      const then = parseCheckpoint(earlier.value.trim() + '\n');
      await verifyCheckpoint(then, keys);
      await verifyCheckpoint(now, keys);
      if (then.origin !== now.origin) throw new Error('the checkpoints are of different logs');
      const p = await api.json(`/ledger/proof/consistency?from=${then.size}&to=${now.size}`, { auth: false, signal });
      const ok = await verifyConsistency(then.size, now.size, then.root, now.root, p.hashes.map(fromBase64));
      fill(out, h('p', { class: ok ? 'ok' : 'error', id: 'consistency', 'data-ok': String(ok) },
        ok ? `Size ${then.size} is a prefix of size ${now.size} (keys ${source}).` : `The tree at size ${then.size} is NOT a prefix of the tree at ${now.size}.`));
    } catch (e) {
      fill(out, h('p.error', { id: 'consistency', 'data-ok': 'false' }, e.message));
    }
  };
  fill(main, h('section.card',
    h('h1', 'Ledger'),
    h('p', 'Origin ', h('code', cp.origin), ', size ', h('strong', { id: 'ledger-size' }, String(cp.size)), '.'),
    h('h3', 'Current checkpoint (C2SP signed note)'),
    h('pre.note', { id: 'checkpoint' }, text),
    h('p.muted', 'Keep a copy: pasted back later, it proves the log only grew.'),
    h('h3', 'Consistency with an earlier checkpoint'), earlier,
    h('div', h('label', allow, ' use the server\'s keys if none is pinned'), ' ', h('button', { type: 'button', id: 'check-consistency', on: { click: check } }, 'Check')),
    out));
}
