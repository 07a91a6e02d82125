// The receipt check of `runner verify`, in the browser, trusting only the keys the user gives:
// SIGNATURE (DSSE v1.0.2 over PAE, Ed25519, 64-byte signatures), CANONICAL (RFC 8785, and the
// statement's exact shape), ARTIFACTS (SHA-256 of each downloaded file against the receipt),
// INCLUSION (RFC 9162 §2.1.3 proof of SHA-256(0x00 ‖ envelope) to a checkpoint signed by a
// trusted key), CONSISTENCY (RFC 9162 §2.1.4, an earlier signed checkpoint to the current one).
// docs/RECEIPTS.md, "Verifying", names the same checks.

import { concat, equal, fromBase64, fromUtf8, hex, sha256, utf8 } from './bytes.mjs';
import { canonicalize } from './jcs.mjs';
import { verifyConsistency, verifyInclusion, leafHash } from './merkle.mjs';
import { ed25519Verify, parseCheckpoint, verifyCheckpoint } from './note.mjs';

export const CHECKS = ['SIGNATURE', 'CANONICAL', 'ARTIFACTS', 'INCLUSION', 'CONSISTENCY'];
export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPE = 'https://quackrunner.io/receipt/v1';

/** The predicate's members: docs/receipt-predicate.schema.json `required` (a test compares). */
export const PREDICATE_FIELDS = [
  'container_id', 'trigger_hash', 'execution_id', 'status', 'run_status', 'failure_reason',
  'artifacts', 'stdout', 'stderr', 'started_at', 'finished_at', 'exit_code', 'signal', 'limits',
  'resource_usage', 'tool', 'command', 'environment_fingerprint', 'sandbox', 'runner_version',
  'error_kind', 'secrets',
];

/** The members a predicate may carry: the schema's properties outside `required` (a test compares). */
export const OPTIONAL_PREDICATE_FIELDS = ['lock_file', 'network', 'origin', 'trigger'];

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN in bytes. */
export function pae(type, body) {
  const t = utf8(type);
  return concat(utf8('DSSEv1 ' + t.length + ' '), t, utf8(' ' + body.length + ' '), body);
}

const pass = (check, reason) => ({ check, outcome: 'PASS', reason });
const fail = (check, reason) => ({ check, outcome: 'FAIL', reason });
const skip = (check, reason) => ({ check, outcome: 'SKIPPED', reason });

/** Parses a DSSE envelope's bytes; throws Error on a malformed one. */
export function parseEnvelope(bytes) {
  const e = JSON.parse(fromUtf8(bytes));
  if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new Error('not a JSON object');
  const names = Object.keys(e).sort().join(',');
  if (names !== 'payload,payloadType,signatures') {
    throw new Error('an envelope has exactly payload, payloadType and signatures');
  }
  if (typeof e.payloadType !== 'string') throw new Error('payloadType is not a string');
  if (!Array.isArray(e.signatures) || e.signatures.length === 0) {
    throw new Error('an envelope has at least one signature');
  }
  const sigs = e.signatures.map((s) => {
    if (typeof s?.keyid !== 'string' || typeof s?.sig !== 'string') {
      throw new Error('each signature is {keyid, sig}');
    }
    return { keyid: s.keyid, sig: fromBase64(s.sig) };
  });
  return { payloadType: e.payloadType, payload: fromBase64(e.payload), signatures: sigs };
}

/** Parses the payload as a receipt statement; throws Error naming the first problem. */
export function parseStatement(payload) {
  const s = JSON.parse(fromUtf8(payload));
  const keys = Object.keys(s ?? {}).sort().join(',');
  if (keys !== '_type,predicate,predicateType,subject') {
    throw new Error('a statement has exactly _type, subject, predicateType and predicate');
  }
  if (s._type !== STATEMENT_TYPE) throw new Error('_type is ' + s._type);
  if (s.predicateType !== PREDICATE_TYPE) throw new Error('predicateType is ' + s.predicateType);
  const p = s.predicate;
  const have = Object.keys(p ?? {});
  const missing = PREDICATE_FIELDS.filter((f) => !have.includes(f));
  const unknown = have.filter(
    (f) => !PREDICATE_FIELDS.includes(f) && !OPTIONAL_PREDICATE_FIELDS.includes(f));
  if (missing.length) throw new Error('predicate lacks ' + missing.join(', '));
  if (unknown.length) throw new Error('predicate has unknown ' + unknown.join(', '));
  if (!Array.isArray(p.artifacts)) throw new Error('predicate.artifacts is not an array');
  const want = p.artifacts.length
    ? p.artifacts.map((a) => ({ name: a.artifact_id, sha256: String(a.content_hash).replace(/^sha256:/, '') }))
    : [{ name: 'stdout', sha256: p.stdout?.sha256 }];
  const got = (Array.isArray(s.subject) ? s.subject : []).map((x) => ({
    name: x?.name,
    sha256: x?.digest?.sha256,
    ok: x && Object.keys(x).sort().join(',') === 'digest,name' && Object.keys(x.digest ?? {}).join(',') === 'sha256',
  }));
  if (got.length !== want.length || got.some((g, i) => !g.ok || g.name !== want[i].name || g.sha256 !== want[i].sha256)) {
    throw new Error('subjects must list the artifacts');
  }
  return s;
}

/**
 * Runs every check.
 *
 * @param envelopeBytes the receipt exactly as served (the ledger entry)
 * @param keys trusted keys from parseVerifierKey
 * @param artifact async (path) => Uint8Array of the downloaded artifact, or null when absent; or
 *     null to skip ARTIFACTS
 * @param ledger {index, checkpointText, proof: {leaf_index, tree_size, hashes}} or null to skip
 *     INCLUSION; with {earlierText, consistency: {from_size, to_size, hashes}} for CONSISTENCY
 * @returns {results: [{check, outcome: PASS|FAIL|SKIPPED, reason}], statement}
 */
export async function verifyReceipt({ envelopeBytes, keys, artifact, ledger }) {
  const results = [];
  let env;
  try {
    env = parseEnvelope(envelopeBytes);
  } catch (e) {
    results.push(fail('SIGNATURE', 'unreadable envelope: ' + e.message));
    for (const c of CHECKS.slice(1)) results.push(skip(c, 'the envelope is unreadable'));
    return { results, statement: null };
  }
  results.push(await signature(env, keys));
  let statement = null;
  try {
    const text = fromUtf8(env.payload);
    if (!equal(utf8(canonicalize(JSON.parse(text))), env.payload)) {
      results.push(fail('CANONICAL', 'payload is not RFC 8785 canonical JSON'));
    } else {
      statement = parseStatement(env.payload);
      results.push(pass('CANONICAL', 'payload is canonical and a receipt statement'));
    }
  } catch (e) {
    results.push(fail('CANONICAL', e.message));
  }
  results.push(await artifacts(statement, artifact));
  results.push(await inclusion(envelopeBytes, ledger, keys));
  results.push(await consistency(ledger, keys));
  return { results, statement };
}

async function signature(env, keys) {
  if (env.payloadType !== PAYLOAD_TYPE) return fail('SIGNATURE', 'payloadType is ' + env.payloadType);
  if (!keys.length) return skip('SIGNATURE', 'no verifier key given');
  const m = pae(env.payloadType, env.payload);
  const problems = [];
  for (const s of env.signatures) {
    const k = keys.find((x) => x.keyId === s.keyid);
    if (!k) problems.push('no trusted key has keyid ' + s.keyid);
    else if (await ed25519Verify(k, s.sig, m)) return pass('SIGNATURE', 'signed by ' + s.keyid);
    else problems.push('signature by ' + s.keyid + ' does not verify');
  }
  return fail('SIGNATURE', problems.join('; '));
}

async function artifacts(statement, artifact) {
  if (!artifact) return skip('ARTIFACTS', 'no artifacts fetched');
  if (!statement) return skip('ARTIFACTS', 'the receipt statement is unreadable');
  const list = statement.predicate.artifacts;
  const problems = [];
  for (const a of list) {
    const b = await artifact(a.artifact_id);
    if (b === null) {
      problems.push(a.artifact_id + ': missing');
      continue;
    }
    const h = 'sha256:' + hex(await sha256(b));
    if (b.length !== a.size) problems.push(a.artifact_id + ': size ' + b.length + ', receipt says ' + a.size);
    else if (h !== a.content_hash) problems.push(a.artifact_id + ': SHA-256 ' + h.slice(7, 19) + '…, receipt says ' + String(a.content_hash).slice(7, 19) + '…');
  }
  return problems.length
    ? fail('ARTIFACTS', problems.join('; '))
    : pass('ARTIFACTS', list.length + ' artifact(s) match');
}

async function inclusion(envelopeBytes, ledger, keys) {
  if (!ledger) return skip('INCLUSION', 'no ledger evidence');
  if (!keys.length) return skip('INCLUSION', 'no verifier key given');
  let cp;
  try {
    cp = parseCheckpoint(ledger.checkpointText);
    await verifyCheckpoint(cp, keys);
  } catch (e) {
    return fail('INCLUSION', 'checkpoint: ' + e.message);
  }
  const p = ledger.proof;
  if (BigInt(p.tree_size) !== cp.size) {
    return fail('INCLUSION', 'proof is to size ' + p.tree_size + ', checkpoint has ' + cp.size);
  }
  if (p.leaf_index !== ledger.index) {
    return fail('INCLUSION', 'proof is for entry ' + p.leaf_index + ', the run names ' + ledger.index);
  }
  const ok = await verifyInclusion(p.leaf_index, p.tree_size, await leafHash(envelopeBytes), p.hashes.map(fromBase64), cp.root);
  if (!ok) return fail('INCLUSION', 'envelope is not entry ' + p.leaf_index + ' of the checkpointed tree');
  return pass('INCLUSION', 'entry ' + p.leaf_index + ' of ' + cp.origin + ' at size ' + cp.size);
}

async function consistency(ledger, keys) {
  if (!ledger || !ledger.earlierText) return skip('CONSISTENCY', 'no earlier checkpoint given');
  let earlier;
  let current;
  try {
    earlier = parseCheckpoint(ledger.earlierText);
    current = parseCheckpoint(ledger.checkpointText);
    await verifyCheckpoint(earlier, keys);
    await verifyCheckpoint(current, keys);
  } catch (e) {
    return fail('CONSISTENCY', 'checkpoint: ' + e.message);
  }
  if (earlier.origin !== current.origin) return fail('CONSISTENCY', 'checkpoints are of different logs');
  const c = ledger.consistency;
  if (!c || BigInt(c.from_size) !== earlier.size || BigInt(c.to_size) !== current.size) {
    return fail('CONSISTENCY', 'proof sizes do not match the checkpoints');
  }
  if (!(await verifyConsistency(c.from_size, c.to_size, earlier.root, current.root, c.hashes.map(fromBase64)))) {
    return fail('CONSISTENCY', 'the tree at size ' + earlier.size + ' is not a prefix of the tree at ' + current.size);
  }
  return pass('CONSISTENCY', 'size ' + earlier.size + ' is a prefix of size ' + current.size);
}
