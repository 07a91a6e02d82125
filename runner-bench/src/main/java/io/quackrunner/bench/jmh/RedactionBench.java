package io.quackrunner.bench.jmh;

import io.quackrunner.logs.Redaction;
import io.quackrunner.logs.Redactor;
import io.quackrunner.secrets.SecretValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of redacting secrets from a run's output as {@code LogCapture} does: 16 MiB of log lines
 * (printable ASCII, one secret occurrence per 64 KiB) fed in 16 KiB reads through a {@link
 * Redactor} for 0, 1 and 4 secrets of 40 bytes (each with its URL and base64 forms). Milliseconds
 * per 16 MiB; MB/s = 16.8 / (ms / 1000).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class RedactionBench {
  private static final int SIZE = 16 << 20;
  private static final int READ = 16 << 10;

  @Param({"0", "1", "4"})
  public int secrets;

  private byte[] log;
  private Redaction redaction;

  /** Builds the log and the secrets. */
  @Setup(Level.Trial)
  public void setUp() {
    Random rnd = new Random(42);
    List<SecretValue> values = new ArrayList<>();
    for (int i = 0; i < secrets; i++) {
      StringBuilder v = new StringBuilder("tok-");
      for (int j = 0; j < 36; j++) {
        v.append((char) ('a' + rnd.nextInt(26)));
      }
      values.add(
          new SecretValue(
              "S" + i,
              SecretValue.Delivery.FILE,
              "S" + i,
              v.toString().getBytes(StandardCharsets.US_ASCII)));
    }
    redaction = Redaction.of(values);
    log = new byte[SIZE];
    for (int i = 0; i < SIZE; i++) {
      log[i] = (i % 100 == 99) ? (byte) '\n' : (byte) (' ' + rnd.nextInt(95));
    }
    for (int at = 1000; !values.isEmpty() && at + 40 < SIZE; at += 65536) {
      byte[] v = values.get((at / 65536) % values.size()).value();
      System.arraycopy(v, 0, log, at, v.length);
    }
  }

  /** Redacts the whole log; returns the bytes kept. */
  @Benchmark
  public long redact16MiB() {
    Redactor r = redaction.redactor();
    long[] kept = new long[1];
    Redactor.Sink sink = (b, off, len) -> kept[0] += len;
    for (int off = 0; off < SIZE; off += READ) {
      r.write(log, off, Math.min(READ, SIZE - off), sink);
    }
    r.finish(sink);
    return kept[0] + r.count();
  }
}
