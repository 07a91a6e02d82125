package io.quackrunner.ledger;

import io.quackrunner.receipts.Dsse;
import io.quackrunner.receipts.ReceiptSigner;
import io.quackrunner.receipts.ReceiptStatement;
import io.quackrunner.receipts.SampleReceipts;
import io.quackrunner.receipts.SigningKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Prints ledger and receipt figures for docs/LEDGER.md: JCS and signing cost per receipt, receipts
 * signed and appended per second, and proof size and time at 1,000,000 entries. Not a test.
 *
 * <p>Argument: a scratch directory (default: a new temporary one); its ledger files are deleted at
 * the end.
 */
public final class LedgerBench {
  private static final long SEED = 42;

  private LedgerBench() {}

  /** Runs every benchmark and prints one line per figure. */
  public static void main(String[] args) throws Exception {
    Path dir =
        args.length > 0
            ? Files.createDirectories(Path.of(args[0]))
            : Files.createTempDirectory("ledger-bench");
    System.out.printf(
        "java %s, %d cpus, scratch %s%n",
        Runtime.version(), Runtime.getRuntime().availableProcessors(), dir);
    SigningKey key = SigningKey.generate("bench.quackrunner/ledger");
    signCost(key);
    for (int threads : new int[] {1, 8, 64}) {
      appendRate(dir, key, threads);
    }
    proofsAtOneMillion(dir, key);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        if (f.getFileName().toString().startsWith("bench-")) {
          Files.delete(f);
        }
      }
    }
  }

  private static ReceiptStatement receipt(long i) {
    return ReceiptStatement.of(
        SampleReceipts.succeeded(
            "run-" + i,
            Map.of(
                "report.pdf", ("report " + i).getBytes(StandardCharsets.UTF_8),
                "data/table.csv", ("a,b\n" + i + ",2\n").getBytes(StandardCharsets.UTF_8))));
  }

  private static void signCost(SigningKey key) {
    int n = 20_000;
    List<ReceiptStatement> statements = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      statements.add(receipt(i));
    }
    ReceiptSigner signer = new ReceiptSigner(key);
    for (int round = 0; round < 2; round++) { // the first round warms the JIT up
      long t0 = System.nanoTime();
      long bytes = 0;
      List<byte[]> payloads = new ArrayList<>(n);
      for (ReceiptStatement s : statements) {
        byte[] p = s.canonicalJson();
        bytes += p.length;
        payloads.add(p);
      }
      long t1 = System.nanoTime();
      for (byte[] p : payloads) {
        Dsse.write(Dsse.sign(ReceiptStatement.PAYLOAD_TYPE, p, key));
      }
      long t2 = System.nanoTime();
      long envelopeBytes = 0;
      for (ReceiptStatement s : statements) {
        envelopeBytes += signer.sign(s).length;
      }
      long t3 = System.nanoTime();
      if (round == 1) {
        System.out.printf(
            "receipt payload (JCS) %d bytes, envelope %d bytes%n", bytes / n, envelopeBytes / n);
        System.out.printf("JCS canonicalize: %.1f us/receipt%n", (t1 - t0) / 1e3 / n);
        System.out.printf("DSSE+Ed25519 sign+write: %.1f us/receipt%n", (t2 - t1) / 1e3 / n);
        System.out.printf(
            "ReceiptSigner.sign (JCS+DSSE+Ed25519): %.1f us/receipt%n", (t3 - t2) / 1e3 / n);
      }
    }
  }

  private static void appendRate(Path dir, SigningKey key, int threads) throws Exception {
    Path db = dir.resolve("bench-append-" + threads + ".db");
    int perThread = threads == 1 ? 300 : 12_000 / threads;
    ReceiptSigner signer = new ReceiptSigner(key);
    try (Ledger ledger = Ledger.open(SqliteLedgerStore.open(db), "bench.quackrunner/ledger", key);
        ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      long t0 = System.nanoTime();
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    ledger.append(signer.sign(receipt(thread * 1_000_000L + i)));
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "sign+append, %2d threads: %,.0f receipts/s (%d receipts in %.2f s, synchronous=FULL)%n",
          threads, threads * perThread / seconds, threads * perThread, seconds);
    }
    deleteDb(db);
  }

  private static void proofsAtOneMillion(Path dir, SigningKey key) throws Exception {
    int size = 1_000_000;
    Path db = dir.resolve("bench-million.db");
    Random random = new Random(SEED);
    try (Ledger ledger = Ledger.open(SqliteLedgerStore.open(db), "bench.quackrunner/ledger", key)) {
      long t0 = System.nanoTime();
      List<byte[]> batch = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        byte[] entry = new byte[256];
        random.nextBytes(entry);
        batch.add(entry);
        if (batch.size() == GroupCommitter.MAX_BATCH_ENTRIES || i == size - 1) {
          ledger.appendAll(batch);
          batch.clear();
        }
      }
      System.out.printf(
          "fill: %,d entries of 256 bytes in %.1f s (batches of %d), db %,d MB%n",
          size,
          (System.nanoTime() - t0) / 1e9,
          GroupCommitter.MAX_BATCH_ENTRIES,
          Files.size(db) >> 20);
      Checkpoint checkpoint = ledger.checkpoint();
      int n = 2000;
      long hashes = 0;
      long jsonBytes = 0;
      long t1 = System.nanoTime();
      List<InclusionProof> proofs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        InclusionProof p = ledger.inclusionProof(random.nextLong(size), size);
        proofs.add(p);
      }
      long t2 = System.nanoTime();
      List<byte[]> leaves = new ArrayList<>();
      for (InclusionProof p : proofs) {
        leaves.add(MerkleProofs.leafHash(ledger.entry(p.leafIndex())));
        hashes += p.hashes().size();
        jsonBytes += p.toJson().length();
      }
      long t3v = System.nanoTime();
      for (int i = 0; i < n; i++) {
        if (!proofs.get(i).verify(leaves.get(i), checkpoint.rootHash())) {
          throw new AssertionError("proof of " + proofs.get(i).leafIndex() + " does not verify");
        }
      }
      long t3 = System.nanoTime() - t3v + t2;
      System.out.printf(
          "inclusion proof at 1M: %.1f hashes (%d bytes raw, %d bytes JSON), generate %.0f us, verify %.1f us%n",
          (double) hashes / n,
          hashes * 32 / n,
          jsonBytes / n,
          (t2 - t1) / 1e3 / n,
          (t3 - t2) / 1e3 / n);
      hashes = 0;
      jsonBytes = 0;
      long t4 = System.nanoTime();
      List<ConsistencyProof> cproofs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        cproofs.add(ledger.consistencyProof(1 + random.nextLong(size - 1), size));
      }
      long t5 = System.nanoTime();
      for (ConsistencyProof p : cproofs) {
        hashes += p.hashes().size();
        jsonBytes += p.toJson().length();
      }
      System.out.printf(
          "consistency proof to 1M: %.1f hashes (%d bytes JSON), generate %.0f us%n",
          (double) hashes / n, jsonBytes / n, (t5 - t4) / 1e3 / n);
      long t6 = System.nanoTime();
      LedgerVerification v = ledger.verify(List.of(key.verifierKey()));
      System.out.printf(
          "full audit (verify) of 1M entries: %.1f s, %s%n",
          (System.nanoTime() - t6) / 1e9, v.problem());
    }
    {
      long t7 = System.nanoTime();
      try (Ledger reopened =
          Ledger.open(SqliteLedgerStore.open(db), "bench.quackrunner/ledger", key)) {
        System.out.printf(
            "reopen at 1M: %.0f ms, size %,d%n", (System.nanoTime() - t7) / 1e6, reopened.size());
      }
    }
    deleteDb(db);
  }

  private static void deleteDb(Path db) throws Exception {
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
    }
  }
}
