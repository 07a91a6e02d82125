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
const { pae, PREDICATE_FIELDS } = await load('verify.mjs');
const { fromBase64, utf8 } = await load('bytes.mjs');

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

console.log(passed + ' passed, ' + failed + ' failed');
process.exit(failed ? 1 : 0);
