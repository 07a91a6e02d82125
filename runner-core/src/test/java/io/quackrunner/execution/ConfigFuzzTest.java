package io.quackrunner.execution;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.limits.Limits;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.limits.Units;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the parsers of limits (docs/FUZZING.md): {@link Units} and {@link LimitsPolicy#load}. Bad
 * text is a RunnerException of the documented kind, never another exception; what parses is within
 * range.
 */
class ConfigFuzzTest {
  private static Path dir;

  @BeforeAll
  static void makeDir() throws IOException {
    dir = Files.createTempDirectory("qr-config-fuzz-");
  }

  @AfterAll
  static void removeDir() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  /** Sizes and durations: USAGE, or a value that is its number times a power of 1024 (sizes). */
  @FuzzTest
  void units(byte[] utf8) {
    String text = new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
    try {
      long bytes = Units.parseBytes(text);
      long number = Long.parseLong(text.trim().replaceFirst("[^0-9].*$", ""));
      // A suffix only multiplies by a power of 1024.
      assertThat(bytes).isGreaterThanOrEqualTo(number);
      if (number > 0) {
        assertThat(Long.bitCount(bytes / number)).isEqualTo(1);
        assertThat(bytes % number).isZero();
      }
    } catch (RunnerException e) {
      assertThat(e.kind()).isEqualTo(ErrorKind.USAGE);
    }
    try {
      assertThat(Units.parseDurationMs(text)).isNotNegative();
    } catch (RunnerException e) {
      assertThat(e.kind()).isEqualTo(ErrorKind.USAGE);
    }
  }

  /**
   * A limits.properties file of any bytes: a CONFIGURATION error naming the file, or a policy whose
   * defaults are positive and within its maxima.
   */
  @FuzzTest
  void limitsPolicyFile(byte[] content) throws IOException {
    Path file = dir.resolve("limits.properties");
    Files.write(file, content);
    LimitsPolicy policy;
    try {
      policy = LimitsPolicy.load(file);
    } catch (RunnerException e) {
      assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
      assertThat(e.getMessage()).contains(file.toString());
      return;
    }
    Limits d = policy.resolve(LimitsRequest.DEFAULTS);
    assertThat(d).isEqualTo(policy.defaults());
    assertThat(d.wallTimeMs()).isPositive().isLessThanOrEqualTo(policy.maxima().wallTimeMs());
    assertThat(d.memoryBytes()).isPositive().isLessThanOrEqualTo(policy.maxima().memoryBytes());
    assertThat(d.pids()).isPositive().isLessThanOrEqualTo(policy.maxima().pids());
  }
}
