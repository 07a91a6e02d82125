package io.quackrunner.receipts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Openers racing on a fresh state directory all read the one whole origin: the file is written
 * aside and linked into place, so none of them ever reads it empty.
 */
class OriginFileTest {
  @Test
  void concurrentOpenersOfAFreshLedgerDirectoryAllReadOneWholeOrigin(@TempDir Path tmp)
      throws Exception {
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 50; round++) {
        Path ledgerDir = tmp.resolve("round-" + round).resolve("ledger");
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<String>> got = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          got.add(
              pool.submit(
                  () -> {
                    start.await();
                    return ReceiptLog.origin(ledgerDir);
                  }));
        }
        Set<String> origins = new HashSet<>();
        for (Future<String> f : got) {
          origins.add(f.get()); // an empty read would throw CONFIGURATION here
        }
        assertThat(origins).singleElement().asString().matches("quackrunner\\.local/[0-9a-f]{8}");
        try (var files = Files.list(ledgerDir)) {
          assertThat(files.map(p -> p.getFileName().toString()))
              .as("no temporary file left behind")
              .containsExactly("origin");
        }
      }
    } finally {
      pool.shutdown();
    }
  }
}
