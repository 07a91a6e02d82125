// Runs the inspector's own verification modules (the files the gateway serves at /ui/) against
// the public vectors: RFC 8785 JCS (../shared/vectors/jcs) and RFC 9162 inclusion proofs
// (../shared/vectors/merkle/inclusion), and checks DSSE PAE byte lengths and that the predicate
// field list equals the schema's. Node's WebCrypto is the same API the page uses.
// Usage: node vectors.mjs <ui-dir> <vectors-dir> <receipt-schema.json>
// Prints one line per group and "N passed, M failed"; a missing vectors folder is skipped, said so.

import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [ui, vectors, schema] = process.argv.slice(2);
const load = (m) => import(pathToFileURL(join(ui, m)).href);
const { canonicalize } = await load('jcs.mjs');
const { verifyInclusion } = await load('merkle.mjs');
const { pae, PREDICATE_FIELDS, OPTIONAL_PREDICATE_FIELDS } = await load('verify.mjs');
const { fromBase64, utf8 } = await load('bytes.mjs');
const { parseVerifierKey } = await load('note.mjs');

let passed = 0;
let failed = 0;
const check = (ok, what) => {
  if (ok) passed++;
  else {
    failed++;
    console.log('FAIL ' + what);
  }
};

const jcs = join(vectors, 'jcs');
if (existsSync(join(jcs, 'input'))) {
  let n = 0;
  for (const f of readdirSync(join(jcs, 'input')).sort()) {
    const input = readFileSync(join(jcs, 'input', f), 'utf8');
    const want = readFileSync(join(jcs, 'output', f));
    const got = Buffer.from(utf8(canonicalize(JSON.parse(input))));
    check(got.equals(want), 'jcs ' + f);
    n++;
  }
  console.log('jcs: ' + n + ' vector(s)');
} else {
  console.log('SKIP jcs: ' + jcs + ' is absent');
}

const inc = join(vectors, 'merkle', 'inclusion');
if (existsSync(inc)) {
  let n = 0;
  const walk = async (d) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) {
        await walk(p);
        continue;
      }
      if (!f.endsWith('.json')) continue;
      const v = JSON.parse(readFileSync(p, 'utf8'));
      let ok;
      try {
        ok = await verifyInclusion(v.leafIdx, v.treeSize, fromBase64(v.leafHash), (v.proof || []).map(fromBase64), fromBase64(v.root));
      } catch {
        ok = false;
      }
      check(ok === !v.wantErr, 'inclusion ' + p.slice(inc.length + 1) + ' (' + v.desc + '): verified=' + ok + ' wantErr=' + v.wantErr);
      n++;
    }
  };
  await walk(inc);
  console.log('merkle inclusion: ' + n + ' vector(s)');
} else {
  console.log('SKIP merkle inclusion: ' + inc + ' is absent');
}

// PAE counts bytes: "é" is 2 bytes, "€" 3 (DSSE v1.0.2).
const p = new TextDecoder().decode(pae('t/é', utf8('€x')));
check(p === 'DSSEv1 4 t/é 4 €x', 'pae byte lengths: ' + p);

const req = JSON.parse(readFileSync(schema, 'utf8')).required;
check(JSON.stringify([...req].sort()) === JSON.stringify([...PREDICATE_FIELDS].sort()), 'PREDICATE_FIELDS equals the schema\'s required list');
// A verifier key whose base64 key data holds '+' (as about half of random keys do) parses.
{
  const name = 'quackrunner.test/plus';
  const raw = new Uint8Array(33).fill(0xfb);
  raw[0] = 1;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array([...utf8(name + '\n'), ...raw])));
  const hash = [...digest.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('');
  const text = name + '+' + hash + '+' + Buffer.from(raw).toString('base64');
  let parsed = null;
  try {
    parsed = await parseVerifierKey(text);
  } catch (e) {
    parsed = e;
  }
  check(text.split('+').length > 3 && parsed?.name === name && parsed?.keyId === name + '+' + hash, 'a verifier key with + in its key data parses: ' + (parsed?.message ?? text));
}
const props = Object.keys(JSON.parse(readFileSync(schema, 'utf8')).properties);
const optional = props.filter((f) => !req.includes(f)).sort();
check(JSON.stringify(optional) === JSON.stringify([...OPTIONAL_PREDICATE_FIELDS].sort()), 'OPTIONAL_PREDICATE_FIELDS equals the schema\'s optional properties: ' + optional);

console.log(passed + ' passed, ' + failed + ' failed');
process.exit(failed ? 1 : 0);
