// The verifier keys the user pins (localStorage: they are public keys, and a pin must outlive the
// tab), and the keys the server lists at GET /keys (only ever used when the user says so, and
// then shown as "listed by the server", which proves nothing about the server).

import { api } from './api.mjs';
import { parseVerifierKey } from './note.mjs';

const PIN = 'quackrunner.pinnedKeys';

export function pinnedTexts() {
  return (localStorage.getItem(PIN) || '').split('\n').map((s) => s.trim()).filter(Boolean);
}

/** Parses and stores the pinned key texts; throws Error naming the first bad line. */
export async function pin(text) {
  const lines = text.split('\n').map((s) => s.trim()).filter(Boolean);
  for (const l of lines) {
    try {
      await parseVerifierKey(l);
    } catch (e) {
      throw new Error(l.slice(0, 40) + '…: ' + e.message);
    }
  }
  localStorage.setItem(PIN, lines.join('\n'));
  return lines;
}

export async function pinnedKeys() {
  return Promise.all(pinnedTexts().map(parseVerifierKey));
}

export async function serverKeys() {
  const r = await api.json('/keys', { auth: false });
  return Promise.all(r.keys.map((k) => parseVerifierKey(k.verifier_key)));
}

/** Returns {keys, source} for a verification: the pinned keys, else the server's if allowed. */
export async function trustedKeys(allowServer) {
  const pinned = await pinnedKeys();
  if (pinned.length) return { keys: pinned, source: 'pinned' };
  if (allowServer) return { keys: await serverKeys(), source: 'server' };
  return { keys: [], source: 'none' };
}
