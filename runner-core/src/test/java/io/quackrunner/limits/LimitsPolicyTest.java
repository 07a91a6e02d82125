package io.quackrunner.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LimitsPolicyTest {
  @Test
  void unitsParseSizesAndDurations() {
    assertThat(Units.parseBytes("512m")).isEqualTo(512L << 20);
    assertThat(Units.parseBytes("2GiB")).isEqualTo(2L << 30);
    assertThat(Units.parseBytes("100")).isEqualTo(100);
    assertThat(Units.parseDurationMs("30s")).isEqualTo(30_000);
    assertThat(Units.parseDurationMs("250ms")).isEqualTo(250);
    assertThat(Units.parseDurationMs("2m")).isEqualTo(120_000);
    assertThat(Units.parseDurationMs("5")).isEqualTo(5_000);
    for (String bad : new String[] {"", "-1", "1.5g", "12x", "99999999999999999999g"}) {
      assertThatThrownBy(() -> Units.parseBytes(bad)).isInstanceOf(RunnerException.class);
    }
    assertThatThrownBy(() -> Units.parseDurationMs("soon")).hasMessageContaining("not a duration");
  }

  @Test
  void defaultsFillGapsAndMaximaAreEnforced() {
    LimitsPolicy p = LimitsPolicy.builtIn();
    Limits l = p.resolve(new LimitsRequest(5_000L, null, null, null, null, null, null, null, null));
    assertThat(l.wallTimeMs()).isEqualTo(5_000);
    assertThat(l.memoryBytes()).isEqualTo(p.defaults().memoryBytes());
    assertThat(l.network()).isEqualTo(NetworkMode.NONE);
    assertThatThrownBy(
            () ->
                p.resolve(
                    new LimitsRequest(null, null, 1L << 40, null, null, null, null, null, null)))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining("memory_bytes")
        .hasMessageContaining("exceeds the maximum");
    assertThatThrownBy(
            () -> p.resolve(new LimitsRequest(0L, null, null, null, null, null, null, null, null)))
        .hasMessageContaining("must be positive");
    assertThatThrownBy(
            () ->
                p.resolve(
                    new LimitsRequest(
                        null, null, null, null, null, null, null, null, NetworkMode.HOST)))
        .hasMessageContaining("network host is not allowed");
  }

  @Test
  void aPolicyFileIsReadStrictly(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("limits.properties");
    Files.writeString(f, "default.wall_time=10s\nmax.memory=1g\nmax.network=host\n");
    LimitsPolicy p = LimitsPolicy.load(f);
    assertThat(p.defaults().wallTimeMs()).isEqualTo(10_000);
    assertThat(p.maxima().memoryBytes()).isEqualTo(1L << 30);
    assertThat(p.maxima().network()).isEqualTo(NetworkMode.HOST);
    Files.writeString(f, "default.walltime=10s\n");
    assertThatThrownBy(() -> LimitsPolicy.load(f))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining("unknown key 'default.walltime'")
        .satisfies(
            e -> assertThat(((RunnerException) e).kind()).isEqualTo(ErrorKind.CONFIGURATION));
    Files.writeString(f, "default.memory=2g\nmax.memory=1g\n");
    assertThatThrownBy(() -> LimitsPolicy.load(f)).hasMessageContaining("exceeds the maximum");
  }

  @Test
  void aPolicyFileTakesEitherNameOfALimit(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("limits.properties");
    Files.writeString(
        f, "default.wall_time_ms=7000\nmax.memory_bytes=1073741824\nmax.cpu_time=2m\n");
    LimitsPolicy p = LimitsPolicy.load(f);
    assertThat(p.defaults().wallTimeMs()).isEqualTo(7_000);
    assertThat(p.maxima().memoryBytes()).isEqualTo(1L << 30);
    assertThat(p.maxima().cpuTimeMs()).isEqualTo(120_000);
    Files.writeString(f, "default.wall_time=7s\ndefault.wall_time_ms=7000\n");
    assertThatThrownBy(() -> LimitsPolicy.load(f)).hasMessageContaining("also given as");
  }
}
