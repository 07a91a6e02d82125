package io.quackrunner.server;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.ledger.Ledger;
import io.quackrunner.receipts.KeyRing;
import io.quackrunner.receipts.VerifierKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link LedgerAccess} over the core {@link Ledger} and {@link KeyRing}: checkpoints, RFC 9162
 * proofs and the signing keys.
 */
final class LedgerEndpoints implements LedgerAccess {
  private final Ledger ledger;
  private final KeyRing keys;

  LedgerEndpoints(Ledger ledger, KeyRing keys) {
    this.ledger = ledger;
    this.keys = keys;
  }

  @Override
  public List<Map<String, Object>> keys() {
    List<Map<String, Object>> out = new ArrayList<>();
    VerifierKey active = keys.active().verifierKey();
    for (VerifierKey k : keys.verifierKeys()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key_id", k.keyId());
      m.put("verifier_key", k.text());
      m.put("status", k.equals(active) ? "active" : "retired");
      m.put("retired_at", keys.retiredAt(k).map(Object::toString).orElse(null));
      out.add(m);
    }
    return out;
  }

  @Override
  public String checkpoint() {
    return ledger.checkpoint().text();
  }

  @Override
  public Object inclusion(long index, long size) {
    long n = ledger.size();
    if (size < 1 || size > n || index >= size) {
      throw new RunnerException(
          ErrorKind.SCHEMA_VIOLATION,
          "need 0 <= index < size <= "
              + n
              + " (the ledger size), got index "
              + index
              + " size "
              + size);
    }
    return json(ledger.inclusionProof(index, size).toJson());
  }

  @Override
  public Object consistency(long from, long to) {
    long n = ledger.size();
    if (from < 1 || from > to || to > n) {
      throw new RunnerException(
          ErrorKind.SCHEMA_VIOLATION,
          "need 1 <= from <= to <= " + n + " (the ledger size), got " + from + ".." + to);
    }
    return json(ledger.consistencyProof(from, to).toJson());
  }

  private static Object json(String text) {
    try {
      return Http.JSON.readTree(text);
    } catch (java.io.IOException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "unreadable proof", e);
    }
  }
}
