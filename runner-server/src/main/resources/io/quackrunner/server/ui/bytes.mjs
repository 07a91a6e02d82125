// Byte helpers over Uint8Array: UTF-8, standard base64 (RFC 4648 §4, padded), hex, SHA-256.

const enc = new TextEncoder();

/** Returns the UTF-8 bytes of a string. */
export function utf8(s) {
  return enc.encode(s);
}

/** Decodes UTF-8 strictly; throws TypeError on invalid bytes. */
export function fromUtf8(b) {
  return new TextDecoder('utf-8', { fatal: true }).decode(b);
}

/** Decodes padded standard base64; throws Error on anything else (whitespace included). */
export function fromBase64(s) {
  if (typeof s !== 'string' || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
    throw new Error('not padded standard base64');
  }
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  if (toBase64(out) !== s) throw new Error('not canonical base64');
  return out;
}

/** Encodes padded standard base64. */
export function toBase64(b) {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Returns lower-case hex. */
export function hex(b) {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Concatenates byte arrays. */
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Tells whether two byte arrays are equal. */
export function equal(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Returns SHA-256 of the bytes (WebCrypto). */
export async function sha256(b) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', b));
}
