package io.quackrunner.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The minimum bubblewrap version: 0.7.0, the first with {@code --size} for /dev/shm. */
class BwrapVersionTest {
  @Test
  void versionsBelow07AreRefused() {
    assertThat(BubblewrapSandbox.atLeast("0.8.0", 0, 7)).isTrue();
    assertThat(BubblewrapSandbox.atLeast("0.7.0", 0, 7)).isTrue();
    assertThat(BubblewrapSandbox.atLeast("0.11.1", 0, 7)).isTrue();
    assertThat(BubblewrapSandbox.atLeast("1.0", 0, 7)).isTrue();
    assertThat(BubblewrapSandbox.atLeast("0.6.2", 0, 7)).isFalse();
    assertThat(BubblewrapSandbox.atLeast("0.4.1", 0, 7)).isFalse();
    assertThat(BubblewrapSandbox.atLeast("unknown", 0, 7)).isFalse();
  }
}
