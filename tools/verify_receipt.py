#!/usr/bin/env python3
"""An independent QuackRunner receipt verifier, written only from the public specifications.

It shares no code with the runner, so a bug there cannot hide here. Specifications followed:
  - DSSE v1.0.2 envelope and PAE (secure-systems-lab/dsse, protocol.md)
  - in-toto Statement v1 (subject name + digest.sha256)
  - RFC 8785 JSON Canonicalization Scheme (for the receipt's content: strings, integers, booleans,
    null; keys compared as UTF-16 code units, which for these ASCII keys is plain ordering)
  - RFC 8032 Ed25519 (via python3-cryptography)
  - C2SP signed-note and tlog-checkpoint (verifier key, key hash, signature lines)
  - RFC 9162 section 2.1.3.2 (verifying an inclusion proof)

Usage: verify_receipt.py RECEIPT VERIFIER_KEY CHECKPOINT INCLUSION_JSON ARTIFACTS_DIR
Prints one line per check and exits 0 when all pass, 1 otherwise.
"""
import base64
import hashlib
import json
import os
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def pae(payload_type: bytes, body: bytes) -> bytes:
    # DSSE: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN in decimal bytes.
    return b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type, len(body), body)


def parse_verifier_key(text: str):
    # C2SP signed-note: <name>+<hex key hash>+<base64(0x01 || 32-byte Ed25519 key)>
    # The name holds no "+", the base64 may: split at the first two only.
    name, key_hash_hex, b64 = text.strip().split("+", 2)
    raw = base64.b64decode(b64)
    if raw[0] != 0x01 or len(raw) != 33:
        raise ValueError("not an Ed25519 verifier key")
    key_hash = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    if key_hash.hex() != key_hash_hex:
        raise ValueError("key hash does not match")
    return name, key_hash, Ed25519PublicKey.from_public_bytes(raw[1:])


def jcs(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(leaf: bytes, index: int, size: int, path, root: bytes) -> bool:
    # RFC 9162 section 2.1.3.2, step by step.
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def main(argv) -> int:
    receipt_path, key_text, checkpoint_path, proof_path, artifacts_dir = argv[1:6]
    if os.path.isfile(key_text):
        key_text = open(key_text).read()
    name, key_hash, public_key = parse_verifier_key(key_text)
    envelope_bytes = open(receipt_path, "rb").read()
    envelope = json.loads(envelope_bytes)
    payload = base64.b64decode(envelope["payload"])
    failures = 0

    def report(ok, what):
        nonlocal failures
        print(("PASS " if ok else "FAIL ") + what)
        failures += 0 if ok else 1

    signed = False
    for sig in envelope["signatures"]:
        raw = base64.b64decode(sig["sig"])
        if len(raw) != 64:
            continue
        try:
            public_key.verify(raw, pae(envelope["payloadType"].encode(), payload))
            signed = True
        except InvalidSignature:
            pass
    report(signed, "signature (DSSE PAE, Ed25519)")

    statement = json.loads(payload)
    report(jcs(statement) == payload, "canonical form (RFC 8785)")
    report(statement.get("_type") == "https://in-toto.io/Statement/v1", "in-toto Statement v1")

    artifacts_ok = True
    for a in statement["predicate"]["artifacts"]:
        path = os.path.join(artifacts_dir, a["artifact_id"])
        if os.path.islink(path) or not os.path.isfile(path):
            artifacts_ok = False
            continue
        digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
        artifacts_ok &= "sha256:" + digest == a["content_hash"]
    report(artifacts_ok, "artifact hashes")

    text = open(checkpoint_path).read()
    body, _, sigs = text.partition("\n\n")
    body += "\n"
    origin, size_line, root_b64 = body.splitlines()[:3]
    checkpoint_signed = False
    for line in sigs.splitlines():
        if not line.startswith("\u2014 " + name + " "):
            continue
        raw = base64.b64decode(line.rsplit(" ", 1)[1])
        if raw[:4] != key_hash:
            continue
        try:
            public_key.verify(raw[4:], body.encode())
            checkpoint_signed = True
        except InvalidSignature:
            pass
    report(checkpoint_signed, "checkpoint signature (C2SP signed note)")

    proof = json.loads(open(proof_path).read())
    included = proof["tree_size"] == int(size_line) and verify_inclusion(
        leaf_hash(envelope_bytes),
        proof["leaf_index"],
        proof["tree_size"],
        [base64.b64decode(h) for h in proof["hashes"]],
        base64.b64decode(root_b64),
    )
    report(included, "inclusion in the checkpoint (RFC 9162 2.1.3.2)")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
