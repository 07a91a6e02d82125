package io.quackrunner.bench.jmh;

import io.quackrunner.artifacts.ArtifactCollector;
import io.quackrunner.artifacts.Collection;
import io.quackrunner.artifacts.Sha256Sums;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
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
 * SHA-256 of one 1 GiB file three ways, in one table: {@link Sha256Sums#hash} (read and hash), the
 * {@link ArtifactCollector} path (copy to a destination while hashing, as every artifact is), and
 * coreutils {@code sha256sum} started as a process. Each operation is one whole file, so the mode
 * is single-shot: 3 warm-up and 5 measured operations in one fork.
 *
 * <p>The file (random bytes, made once at a fixed path, see {@link BenchFiles}) stays in the page
 * cache after the first read on a machine with enough memory, so this measures hashing and copying,
 * not the disk. The collector's copy writes 1 GiB per operation to the same file system.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class HashBench {
  static final long SIZE = 1L << 30;
  private Path out;
  private Path file;
  private Path dest;

  /** Makes (once) a directory holding one 1 GiB file of random bytes. */
  @Setup(Level.Trial)
  public void makeFile() throws IOException {
    out = Files.createDirectories(BenchFiles.dir().resolve("hash-out"));
    file = out.resolve("one-gib.bin");
    if (!Files.isRegularFile(file) || Files.size(file) != SIZE) {
      Files.deleteIfExists(file);
      Random random = new Random(42);
      byte[] block = new byte[1 << 20];
      try (OutputStream o = Files.newOutputStream(file)) {
        for (long done = 0; done < SIZE; done += block.length) {
          random.nextBytes(block);
          o.write(block);
        }
      }
    }
    dest = BenchFiles.dir().resolve("hash-dest");
    BenchFiles.deleteTree(dest);
  }

  /** Removes the collector's copy so the next operation copies again (CREATE_NEW). */
  @TearDown(Level.Invocation)
  public void removeCopy() throws IOException {
    BenchFiles.deleteTree(dest);
  }

  /** Reads and hashes the file: {@code Sha256Sums.hash}, 64 KiB reads, JDK SHA-256. */
  @Benchmark
  public String sha256SumsHash() throws IOException {
    return Sha256Sums.hash(file);
  }

  /** Copies the file to a destination while hashing it, as {@code ArtifactCollector} does. */
  @Benchmark
  public Collection collectorCopyAndHash() {
    Collection c = ArtifactCollector.collect(out, dest);
    if (c.artifacts().size() != 1 || c.artifacts().get(0).sizeBytes() != SIZE) {
      throw new IllegalStateException("collected " + c);
    }
    return c;
  }

  /** Runs coreutils {@code sha256sum FILE} as a process and reads its hex. */
  @Benchmark
  public String coreutilsSha256sum() throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("sha256sum", file.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    if (p.waitFor() != 0 || line.length() < 64) {
      throw new IllegalStateException("sha256sum failed: " + line);
    }
    return line.substring(0, 64);
  }
}
