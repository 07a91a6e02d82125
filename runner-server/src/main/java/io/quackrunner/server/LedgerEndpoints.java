package io.quackrunner.server;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.ledger.Ledger;

/** {@link LedgerAccess} over the core {@link Ledger}: checkpoints and RFC 9162 proofs. */
final class LedgerEndpoints implements LedgerAccess {
  private final Ledger ledger;

  LedgerEndpoints(Ledger ledger) {
    this.ledger = ledger;
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
          ErrorKind.USAGE,
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
          ErrorKind.USAGE,
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
