// A run's receipt, decoded, and its verification in this browser: the checks of verify.mjs over
// bytes fetched here (receipt, artifacts, checkpoint, proofs), against keys the user pinned or,
// only when asked, the keys the server lists (and then said so).

import { api, ApiError } from './api.mjs';
import { h, fill } from './dom.mjs';
import { fromUtf8 } from './bytes.mjs';
import { parseEnvelope, verifyReceipt } from './verify.mjs';
import { parseCheckpoint } from './note.mjs';
import { pinnedTexts, trustedKeys } from './keys.mjs';

function encodePath(p) {
  return p.split('/').map(encodeURIComponent).join('/');
}

export async function receiptPanel(el, run, signal) {
  el.dataset.ready = 'true';
  const bytes = await api.bytes(run.receipt.href, { signal });
  let decoded;
  try {
    const env = parseEnvelope(bytes);
    const st = JSON.parse(fromUtf8(env.payload));
    const p = st.predicate || {};
    decoded = h('div',
      h('p', 'DSSE envelope, payloadType ', h('code', env.payloadType), ', signature key id(s) ', env.signatures.map((s) => h('code', s.keyid)), ', ledger entry ', h('code', String(run.receipt.ledger_index)), '.'),
      h('h3', 'Subjects'),
      h('ul', (st.subject || []).map((s) => h('li', h('code', s.name), ' sha256:', h('code.sha', s.digest && s.digest.sha256)))),
      h('details', h('summary', 'Predicate fields'),
        h('table.kv', h('tbody', Object.entries(p).map(([k, v]) => h('tr', h('th', k), h('td', h('code', typeof v === 'string' ? v : JSON.stringify(v)))))))));
  } catch (e) {
    decoded = h('p.error', 'The receipt cannot be decoded: ' + e.message);
  }
  const allow = h('input', { type: 'checkbox', id: 'allow-server-keys' });
  const earlier = h('textarea', { id: 'earlier-checkpoint', rows: 4, cols: 70, placeholder: 'optional: an earlier checkpoint you kept, for the CONSISTENCY check' });
  const out = h('div', { id: 'verify-result' });
  const btn = h('button', { type: 'button', id: 'verify', on: { click: () => verify(run, bytes, allow.checked, earlier.value, out, signal) } }, 'Verify in this browser');
  fill(el, h('h2', 'Receipt'), decoded,
    h('h3', 'Verification'),
    h('p', pinnedTexts().length
      ? ['Trusted key(s): ', h('strong', 'pinned by you'), ' (', pinnedTexts().length, ', see ', h('a', { href: '#/keys' }, 'Keys'), ').']
      : ['No key is pinned (', h('a', { href: '#/keys' }, 'pin one'), '). ', h('label', allow, ' use the keys the server lists at /keys (this trusts the server\'s word)')]),
    h('label', { for: 'earlier-checkpoint' }, 'Earlier checkpoint (optional, for CONSISTENCY)'), earlier, h('div', btn), out);
}

async function verify(run, bytes, allowServer, earlierText, out, signal) {
  fill(out, h('p.muted', 'Checking…'));
  try {
    const { keys, source } = await trustedKeys(allowServer);
    const id = run.id;
    const artifact = async (path) => {
      try {
        return await api.bytes('/runs/' + encodeURIComponent(id) + '/artifacts/' + encodePath(path), { signal });
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    };
    const checkpointText = await api.text('/ledger/checkpoint', { auth: false, signal });
    const cp = parseCheckpoint(checkpointText);
    const index = run.receipt.ledger_index;
    const proof = await api.json(`/ledger/proof/inclusion?index=${index}&size=${cp.size}`, { auth: false, signal });
    const ledger = { index, checkpointText, proof };
    if (earlierText.trim()) {
      ledger.earlierText = earlierText.trim() + '\n';
      const e = parseCheckpoint(ledger.earlierText);
      ledger.consistency = await api.json(`/ledger/proof/consistency?from=${e.size}&to=${cp.size}`, { auth: false, signal });
    }
    const { results } = await verifyReceipt({ envelopeBytes: bytes, keys, artifact, ledger });
    const bad = results.some((r) => r.outcome === 'FAIL');
    fill(out,
      h('p', { id: 'key-source', 'data-source': source }, 'Keys: ', source === 'pinned' ? 'pinned by you' : source === 'server' ? 'listed by the server at /keys — this shows the server is consistent with itself, not that it is honest' : 'none given'),
      h('table.checks', h('tbody', results.map((r) => h('tr', { 'data-check': r.check, 'data-outcome': r.outcome },
        h('th', r.check), h('td', h('span.badge.o-' + r.outcome.toLowerCase(), r.outcome === 'PASS' ? 'passed' : r.outcome === 'FAIL' ? 'failed' : 'not checked')), h('td', r.reason))))),
      h('p', { id: 'verdict', 'data-ok': String(!bad), class: bad ? 'error' : 'ok' }, bad ? 'The receipt does NOT check out.' : 'No check failed.'));
  } catch (e) {
    if (!signal.aborted) fill(out, h('p.error', { id: 'verdict', 'data-ok': 'false' }, 'Verification could not run: ' + e.message));
  }
}

