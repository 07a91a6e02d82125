package io.quackrunner.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.RunnerException;
import org.junit.jupiter.api.Test;

class RunOriginTest {
  @Test
  void roundTripsThroughItsStoredJson() {
    RunOrigin o = new RunOrigin("mcp", "claude-desktop", "1.2.3");
    assertThat(RunOrigin.fromJson(o.toJson())).isEqualTo(o);
    assertThat(RunOrigin.fromJson(RunOrigin.HTTP.toJson())).isEqualTo(RunOrigin.HTTP);
    assertThat(RunOrigin.fromJson(null)).isNull();
  }

  @Test
  void theClientsWordsAreCutAndControlCharactersReplaced() {
    RunOrigin o = new RunOrigin("mcp", "a\nb\u0000c" + "x".repeat(500), null);
    assertThat(o.clientName()).hasSize(RunOrigin.MAX_TEXT).startsWith("a\uFFFDb\uFFFDc");
    assertThat(o.clientVersion()).isNull();
  }

  @Test
  void anUnknownFrontEndIsRefused() {
    assertThatThrownBy(() -> new RunOrigin("smtp", null, null))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining("smtp");
  }
}
