// C2SP signed-note keys and signatures, and C2SP tlog-checkpoint bodies, with Ed25519 from
// WebCrypto. A verifier key is `name+hex(keyhash)+base64(0x01 ‖ 32-byte key)`, keyhash being the
// first 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ key); a signature line is
// `— name base64(keyhash ‖ 64-byte signature)`; the signature covers the body (every line before
// the blank line, each ending in LF).

import { concat, equal, fromBase64, hex, sha256, utf8 } from './bytes.mjs';

/**
 * Parses and checks a verifier key text; returns {name, keyHash, keyId, publicKey (CryptoKey),
 * text}. Throws Error naming what is wrong.
 */
export async function parseVerifierKey(text) {
  const t = text.trim();
  // C2SP signed-note: <name>+<hash>+<keydata>; the name has no '+', the base64 key data may.
  const first = t.indexOf('+');
  const second = first < 0 ? -1 : t.indexOf('+', first + 1);
  if (first <= 0 || second < 0 || /\s/.test(t.slice(0, first))) {
    throw new Error('a verifier key is name+hash+base64');
  }
  const name = t.slice(0, first);
  const hashHex = t.slice(first + 1, second);
  const b64 = t.slice(second + 1);
  if (!/^[0-9a-f]{8}$/.test(hashHex)) throw new Error('the key hash is not 8 hex digits');
  const raw = fromBase64(b64);
  if (raw.length !== 33 || raw[0] !== 1) throw new Error('not an Ed25519 key (0x01 ‖ 32 bytes)');
  const pub = raw.subarray(1);
  const keyHash = (await sha256(concat(utf8(name + '\n'), raw))).subarray(0, 4);
  if (hex(keyHash) !== hashHex) throw new Error('the key hash does not match the key');
  const publicKey = await crypto.subtle.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']);
  return { name, keyHash, keyId: name + '+' + hashHex, publicKey, text: t };
}

/** Verifies an Ed25519 signature; a signature of any length but 64 bytes is refused. */
export async function ed25519Verify(key, sig, message) {
  if (sig.length !== 64) return false;
  return crypto.subtle.verify({ name: 'Ed25519' }, key.publicKey, sig, message);
}

/**
 * Parses a checkpoint note strictly: origin, canonical decimal size, 32-byte padded base64 root,
 * optional extension lines, a blank line, one or more signature lines, final LF.
 * Returns {origin, size (BigInt), root, body (bytes), signatures: [{name, keyHash, sig}]}.
 */
export function parseCheckpoint(text) {
  if (!text.endsWith('\n')) throw new Error('a checkpoint ends with a newline');
  const split = text.indexOf('\n\n');
  if (split < 0) throw new Error('a checkpoint has a blank line before its signatures');
  const bodyText = text.slice(0, split + 1);
  const lines = bodyText.slice(0, -1).split('\n');
  if (lines.length < 3) throw new Error('a checkpoint body has origin, size and root lines');
  const [origin, sizeText, rootText] = lines;
  if (!origin) throw new Error('the origin line is empty');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) throw new Error('the size is not a canonical decimal');
  const root = fromBase64(rootText);
  if (root.length !== 32) throw new Error('the root is not 32 bytes');
  const sigLines = text.slice(split + 2, -1).split('\n');
  const signatures = sigLines.map((l) => {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(l);
    if (!m) throw new Error('malformed signature line: ' + JSON.stringify(l.slice(0, 80)));
    const b = fromBase64(m[2]);
    if (b.length < 5) throw new Error('a signature line is too short');
    return { name: m[1], keyHash: b.subarray(0, 4), sig: b.subarray(4) };
  });
  return { origin, size: BigInt(sizeText), root, body: utf8(bodyText), signatures };
}

/**
 * Checks a parsed checkpoint against trusted keys: throws Error unless one signature by a trusted
 * key verifies; a bad signature by a trusted key is an error too; others (witnesses) are ignored.
 * Returns the key that verified.
 */
export async function verifyCheckpoint(cp, keys) {
  let good = null;
  for (const s of cp.signatures) {
    const k = keys.find((x) => x.name === s.name && equal(x.keyHash, s.keyHash));
    if (!k) continue;
    if (!(await ed25519Verify(k, s.sig, cp.body))) {
      throw new Error('the checkpoint signature by ' + k.keyId + ' does not verify');
    }
    good = k;
  }
  if (!good) {
    throw new Error(
      'no signature by a trusted key (signed by ' +
        cp.signatures.map((s) => s.name + '+' + hex(s.keyHash)).join(', ') + ')');
  }
  return good;
}
