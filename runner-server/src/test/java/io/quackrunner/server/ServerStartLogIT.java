package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.sandbox.HostProbe;
import io.quackrunner.service.JsonLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The start line of a real gateway names the host's {@code favordynmods} state, and a host without
 * it gets one warning that says what it costs and how to turn it on (docs/SANDBOX.md).
 */
class ServerStartLogIT {
  private static String logOf(Runnable r) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream previous = JsonLog.redirect(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      JsonLog.redirect(previous);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theStartLineNamesTheHostsFavorDynmodsState() throws Exception {
    Path state = TestApi.newStateDir();
    String expected = HostProbe.favorDynmods(Path.of("/proc/self/mountinfo"));
    String log =
        logOf(
            () -> {
              try (GatewayServer g = TestApi.start(TestApi.options(state, 1, 4))) {
                assertThat(g.uri()).isNotNull();
              }
            });
    String started =
        log.lines()
            .filter(l -> l.contains("\"event\":\"server.started\""))
            .findFirst()
            .orElseThrow();
    assertThat(started).contains("\"cgroup_favordynmods\":\"" + expected + "\"");
    assertThat(log.contains("host.cgroup_favordynmods_off")).isEqualTo(expected.equals("off"));
  }

  @Test
  void onlyAHostWithTheOptionOffIsWarned() {
    String off = logOf(() -> GatewayServer.warnWithoutFavorDynmods("off"));
    assertThat(off.lines().toList())
        .singleElement()
        .asString()
        .contains("\"level\":\"warn\"", "\"event\":\"host.cgroup_favordynmods_off\"")
        .contains("bin/cgroup-favordynmods");
    for (String state : new String[] {"on", "none", "unreadable: x"}) {
      assertThat(logOf(() -> GatewayServer.warnWithoutFavorDynmods(state))).isEmpty();
    }
  }
}
