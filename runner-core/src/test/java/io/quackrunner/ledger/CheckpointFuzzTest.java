package io.quackrunner.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.quackrunner.errors.RunnerException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Fuzzes C2SP checkpoint parsing (docs/FUZZING.md): {@code Checkpoint.parse} returns or throws
 * RunnerException; what it accepts is canonical (writing it back gives the same text); and no
 * checkpoint the fuzzer makes verifies under a key it does not hold.
 */
class CheckpointFuzzTest {
  private static final TestNoteKey KEY = new TestNoteKey("fuzz.quackrunner/ledger");

  @FuzzTest
  void parse(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    Checkpoint c;
    try {
      c = Checkpoint.parse(text);
    } catch (RunnerException e) {
      return;
    }
    assertThat(c.text()).isEqualTo(text);
    Checkpoint again = Checkpoint.parse(c.text());
    assertThat(again.origin()).isEqualTo(c.origin());
    assertThat(again.size()).isEqualTo(c.size());
    assertThat(again.rootHash()).isEqualTo(c.rootHash());
    assertThat(again.extensions()).isEqualTo(c.extensions());
    assertThat(c.size()).isNotNegative();
    assertThat(c.rootHash()).hasSize(32);
    try {
      c.verify(List.of(KEY));
      throw new AssertionError("a fuzzed checkpoint verified under a fresh key: " + text);
    } catch (RunnerException e) {
      // expected: no signature by KEY
    }
  }
}
