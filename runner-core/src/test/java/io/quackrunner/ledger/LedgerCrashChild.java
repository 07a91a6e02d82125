package io.quackrunner.ledger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A separate JVM for {@link LedgerCrashTest}: appends from several threads forever and prints
 * {@code ack <index> <entry-number>} for every append the ledger acknowledged, until killed.
 */
public final class LedgerCrashChild {
  private LedgerCrashChild() {}

  /** Arguments: the database path and the number of appender threads. */
  public static void main(String[] args) throws InterruptedException {
    Ledger ledger =
        Ledger.open(
            SqliteLedgerStore.open(Path.of(args[0])),
            LedgerFixture.ORIGIN,
            new TestNoteKey(LedgerFixture.ORIGIN));
    int threads = Integer.parseInt(args[1]);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      workers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (long i = 0; ; i++) {
                      long n = thread * 1_000_000_000L + i;
                      long index = ledger.append(LedgerFixture.entry(n));
                      synchronized (System.out) {
                        System.out.println("ack " + index + " " + n);
                        System.out.flush();
                      }
                    }
                  }));
    }
    for (Thread w : workers) {
      w.join();
    }
  }
}
