package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OneLineTest {
  @Test
  void escapesLineBreaksAndControlCharacters() {
    assertThat(OneLine.of("a\nb\r\tc\u001b[31m\u2028d")).isEqualTo("a\\nb\\r\\tc\\x1b[31m\\x2028d");
  }

  @Test
  void cutsVeryLongText() {
    assertThat(OneLine.of("x".repeat(5000))).hasSize(OneLine.MAX_CHARS + 1).endsWith("…");
  }
}
