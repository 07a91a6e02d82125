package io.quackrunner.server;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.ledger.Ledger;
import io.quackrunner.receipts.KeyRing;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link LedgerAccess} over the core {@link Ledger} and {@link KeyRing}: checkpoints, RFC 9162
 * proofs and the signing keys.
 */
final class LedgerEndpoints implements LedgerAccess {
  private final Ledger ledger;
  private final KeyRing keys;
  private final java.util.function.Supplier<io.quackrunner.store.NodeStore> nodes;

  LedgerEndpoints(Ledger ledger, KeyRing keys) {
    this(ledger, keys, () -> null);
  }

  /**
   * @param nodes the node store whose {@code node_keys} are listed besides the local ring (its
   *     supplier may answer null before the run service joined)
   */
  LedgerEndpoints(
      Ledger ledger,
      KeyRing keys,
      java.util.function.Supplier<io.quackrunner.store.NodeStore> nodes) {
    this.ledger = ledger;
    this.keys = keys;
    this.nodes = nodes;
  }

  @Override
  public List<Map<String, Object>> keys() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (io.quackrunner.service.KeyListing.Entry e :
        io.quackrunner.service.KeyListing.list(keys, nodes.get())) {
      out.add(e.toJson());
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
