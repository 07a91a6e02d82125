package io.quackrunner.ledger;

/**
 * The result of a full ledger audit: whether it holds, and if not, the first problem found.
 *
 * @param ok true if every check passed
 * @param size the number of stored entries seen
 * @param firstBadIndex the first altered, missing or misplaced entry index, or -1 if none is known
 *     (a problem with a checkpoint or key names no single entry)
 * @param problem one line saying what is wrong, or {@code "ok"}
 */
public record LedgerVerification(boolean ok, long size, long firstBadIndex, String problem) {
  static LedgerVerification passed(long size) {
    return new LedgerVerification(true, size, -1, "ok");
  }

  static LedgerVerification failed(long size, long index, String problem) {
    return new LedgerVerification(false, size, index, problem);
  }
}
