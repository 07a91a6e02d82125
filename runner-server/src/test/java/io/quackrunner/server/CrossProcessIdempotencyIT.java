package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.store.RunStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Idempotency across processes: 20 JVMs started at once on one state directory with one key make
 * exactly one execution; the others wait for its record and report it.
 */
class CrossProcessIdempotencyIT {
  @Test
  void twentyProcessesWithOneKeyExecuteOnce() throws Exception {
    Path state = TestApi.newStateDir();
    String java = ProcessHandle.current().info().command().orElseThrow();
    Path classes = Path.of(System.getProperty("quackrunner.classes"));
    String cp =
        classes.resolveSibling("test-classes")
            + ":"
            + classes
            + ":"
            + Files.readString(Path.of(System.getProperty("quackrunner.classpath.file"))).strip();
    List<Process> ps = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ps.add(
          new ProcessBuilder(
                  java,
                  "--enable-native-access=ALL-UNNAMED",
                  "-Dquackrunner.libexec=" + System.getProperty("quackrunner.libexec"),
                  "-cp",
                  cp,
                  "io.quackrunner.server.ExecOnce",
                  state.toString(),
                  TestApi.REGISTRY.toString(),
                  "one-key")
              .redirectError(state.resolve("err-" + i + ".txt").toFile())
              .start());
    }
    Set<String> lines = new HashSet<>();
    for (int i = 0; i < ps.size(); i++) {
      Process p = ps.get(i);
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
      assertThat(p.exitValue())
          .as(out + " / " + Files.readString(state.resolve("err-" + i + ".txt")))
          .isZero();
      lines.add(out);
    }
    assertThat(lines).hasSize(1);
    assertThat(lines.iterator().next()).endsWith(" SUCCEEDED");
    try (RunStore store = RunStore.open(state.resolve("runs.db"))) {
      assertThat(store.count()).isEqualTo(1);
      String id = lines.iterator().next().split(" ")[0];
      assertThat(store.find(id).orElseThrow().receiptJson()).isNotNull();
    }
    assertThat(
            Files.readString(
                state
                    .resolve("runs")
                    .resolve(lines.iterator().next().split(" ")[0])
                    .resolve("out/reports/stdout.log")))
        .isEqualTo("once\n");
  }
}
