package io.quackrunner.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The wall clock steps back one hour in the middle of a run. Stated outcome: the result's
 * finishedAt is startedAt plus the monotonic duration, so it is never before startedAt and the wall
 * time stays the real ~2 s.
 *
 * <p>The host clock is not touched: the runner runs in a child JVM under libfaketime (Debian {@code
 * faketime}), preloaded with {@code FAKETIME_DONT_FAKE_MONOTONIC=1}, so only CLOCK_REALTIME (what
 * {@code Instant.now()} reads) steps, as an NTP step would; the test changes the offset file once
 * the sandbox has started. The sandbox itself starts with an empty environment and so never sees
 * the preload. Skipped, saying so, when libfaketime is absent.
 */
class ClockStepIT {
  private static final Path LIBFAKETIME =
      Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1");

  @Test
  void aClockStepBackDuringARunNeverPutsFinishedBeforeStarted() throws Exception {
    assumeTrue(
        Files.isRegularFile(LIBFAKETIME), "libfaketime not installed (apt-get install faketime)");
    Path state = Files.createTempDirectory("qr-clock-");
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
    Path offset = Files.writeString(Files.createTempFile("qr-faketime-", ""), "+0\n");
    String java = ProcessHandle.current().info().command().orElseThrow();
    ProcessBuilder pb =
        new ProcessBuilder(
                List.of(
                    java,
                    "--enable-native-access=ALL-UNNAMED",
                    "-Dquackrunner.libexec=" + System.getProperty("quackrunner.libexec"),
                    "-cp",
                    System.getProperty("java.class.path"),
                    ClockStepChild.class.getName(),
                    state.toString()))
            .redirectErrorStream(true);
    pb.environment().put("LD_PRELOAD", LIBFAKETIME.toString());
    pb.environment().put("FAKETIME_TIMESTAMP_FILE", offset.toString());
    pb.environment().put("FAKETIME_NO_CACHE", "1");
    pb.environment().put("FAKETIME_DONT_FAKE_MONOTONIC", "1");
    Process child = pb.start();
    List<String> output = new ArrayList<>();
    String result = null;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        output.add(line);
        if (line.equals("started")) {
          Files.writeString(offset, "-3600\n"); // step back one hour
        } else if (line.startsWith("result ")) {
          result = line;
        }
      }
    } finally {
      child.waitFor();
      Files.delete(offset);
      TmpfsMount.run("rm", "-rf", "--one-file-system", state.toString());
    }
    assertThat(result).as("child output: %s", output).isNotNull();
    String[] f = result.split(" ");
    Instant startedAt = Instant.parse(f[1]);
    Instant finishedAt = Instant.parse(f[2]);
    long wallTimeMs = Long.parseLong(f[3]);
    Instant nowAfter = Instant.parse(f[4]);
    assertThat(nowAfter).as("the clock really stepped back during the run").isBefore(startedAt);
    assertThat(finishedAt).isAfterOrEqualTo(startedAt);
    long ms = Duration.between(startedAt, finishedAt).toMillis();
    assertThat(ms).isBetween(2_000L, 10_000L);
    assertThat(Math.abs(ms - wallTimeMs)).isLessThanOrEqualTo(1);
  }
}
