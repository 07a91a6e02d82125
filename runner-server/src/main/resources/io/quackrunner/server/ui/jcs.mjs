// RFC 8785 JSON Canonicalization Scheme over a parsed JSON value. Numbers are serialized as
// ECMAScript's Number.prototype.toString does (RFC 8785 §3.2.2.3 adopts exactly that), strings
// as JSON.stringify does (§3.2.2.2), and object members sorted by their UTF-16 code units
// (§3.2.3), which is the order of JavaScript's default string comparison.

/** Returns the canonical JSON text of a value parsed by JSON.parse. */
export function canonicalize(v) {
  if (v === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error('JCS has no form for ' + v);
    return Object.is(v, -0) ? '0' : String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(canonicalize).join(',') + ']';
  if (typeof v === 'object') {
    const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalize(v[k])).join(',') + '}';
  }
  throw new Error('not a JSON value: ' + typeof v);
}
