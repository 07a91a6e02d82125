package io.quackrunner.bench.jmh;

import io.quackrunner.ledger.ConsistencyProof;
import io.quackrunner.ledger.InclusionProof;
import io.quackrunner.ledger.Ledger;
import io.quackrunner.ledger.MerkleProofs;
import io.quackrunner.ledger.SqliteLedgerStore;
import io.quackrunner.receipts.SigningKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ledger at 10^6 entries ({@link Ledger} on {@link SqliteLedgerStore}, WAL, {@code
 * synchronous=FULL}): one durable append, and RFC 9162 inclusion and consistency proofs, generated
 * from the node cache and verified.
 *
 * <p>A master ledger of 1,000,000 entries of 256 random bytes is built once at a fixed path (see
 * {@link BenchFiles}; the setup prints how long it took) and reused by every fork and later run.
 * Each trial works on a fresh copy of it, so the appends measured here never grow the master and
 * every proof is against a tree of exactly 1,000,000 entries.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class LedgerBench {
  static final long SIZE = 1_000_000;
  static final String ORIGIN = "bench.quackrunner/ledger";
  private static final int BATCH = 4096;

  private Path work;
  private Ledger ledger;
  private byte[] entry;
  private byte[] root;
  private InclusionProof[] inclusion;
  private byte[][] leaves;
  private ConsistencyProof[] consistency;
  private byte[][] fromRoots;
  private int next;

  /** Builds the master ledger if absent, copies it and opens the copy. */
  @Setup(Level.Trial)
  public void open() throws IOException {
    SigningKey key = SigningKey.generate(ORIGIN);
    Path master = BenchFiles.dir().resolve("ledger-1m.db");
    if (!Files.isRegularFile(master)) {
      build(master, key);
    }
    work = BenchFiles.dir().resolve("ledger-1m-work.db");
    deleteDb(work);
    Files.copy(master, work, StandardCopyOption.REPLACE_EXISTING);
    ledger = Ledger.open(SqliteLedgerStore.open(work), ORIGIN, key);
    if (ledger.size() != SIZE) {
      throw new IllegalStateException(master + " holds " + ledger.size() + " entries, not " + SIZE);
    }
    root = ledger.rootHash(SIZE);
    entry = new byte[2636]; // the size of a realistic signed receipt envelope (docs/LEDGER.md)
    new Random(7).nextBytes(entry);
    Random random = new Random(11);
    int n = 1024;
    inclusion = new InclusionProof[n];
    leaves = new byte[n][];
    consistency = new ConsistencyProof[n];
    fromRoots = new byte[n][];
    for (int i = 0; i < n; i++) {
      inclusion[i] = ledger.inclusionProof(random.nextLong(SIZE), SIZE);
      leaves[i] = MerkleProofs.leafHash(ledger.entry(inclusion[i].leafIndex()));
      long from = 1 + random.nextLong(SIZE - 1);
      consistency[i] = ledger.consistencyProof(from, SIZE);
      fromRoots[i] = ledger.rootHash(from);
    }
  }

  /** Closes and deletes the working copy; the master stays for the next run. */
  @TearDown(Level.Trial)
  public void close() throws IOException {
    ledger.close();
    deleteDb(work);
  }

  private static void build(Path master, SigningKey key) throws IOException {
    Path partial = master.resolveSibling(master.getFileName() + ".partial");
    deleteDb(partial);
    long t0 = System.nanoTime();
    Random random = new Random(42);
    try (Ledger l = Ledger.open(SqliteLedgerStore.open(partial), ORIGIN, key)) {
      List<byte[]> batch = new ArrayList<>(BATCH);
      for (long i = 0; i < SIZE; i++) {
        byte[] e = new byte[256];
        random.nextBytes(e);
        batch.add(e);
        if (batch.size() == BATCH || i == SIZE - 1) {
          l.appendAll(batch);
          batch.clear();
        }
      }
    }
    // The WAL is checkpointed into the main file on close, so one file is the whole ledger.
    deleteDb(master);
    Files.move(partial, master);
    deleteDb(partial);
    System.out.printf(
        "%nbuilt %s: %,d entries of 256 bytes in %.1f s (appendAll, %d per transaction), %,d MB%n",
        master, SIZE, (System.nanoTime() - t0) / 1e9, BATCH, Files.size(master) >> 20);
  }

  private static void deleteDb(Path db) throws IOException {
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
    }
  }

  /** Appends one receipt-sized entry and waits until it is durable (one commit, one fsync). */
  @Benchmark
  public long append() {
    return ledger.append(entry);
  }

  /** Generates an inclusion proof for a random entry of the 10^6-entry tree. */
  @Benchmark
  public InclusionProof inclusionProof() {
    return ledger.inclusionProof(ThreadLocalRandom.current().nextLong(SIZE), SIZE);
  }

  /** Verifies a precomputed inclusion proof against the root (20 hashes). */
  @Benchmark
  public boolean inclusionVerify() {
    int i = next++ & (inclusion.length - 1);
    return inclusion[i].verify(leaves[i], root);
  }

  /** Generates a consistency proof from a random earlier size to 10^6. */
  @Benchmark
  public ConsistencyProof consistencyProof() {
    return ledger.consistencyProof(1 + ThreadLocalRandom.current().nextLong(SIZE - 1), SIZE);
  }

  /** Verifies a precomputed consistency proof between the two roots. */
  @Benchmark
  public boolean consistencyVerify() {
    int i = next++ & (consistency.length - 1);
    return consistency[i].verify(fromRoots[i], root);
  }
}
