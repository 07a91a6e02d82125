package io.quackrunner.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.RunnerException;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointTest {
  private static final TestNoteKey KEY = new TestNoteKey("example.com/log");
  private static final byte[] ROOT = MerkleProofs.leafHash(new byte[] {1, 2, 3});

  @Test
  void hasTheTlogCheckpointShape() {
    Checkpoint c = Checkpoint.sign("example.com/log", 42, ROOT, KEY);
    String root = Base64.getEncoder().encodeToString(ROOT);
    assertThat(c.body()).isEqualTo("example.com/log\n42\n" + root + "\n");
    assertThat(c.text()).startsWith(c.body() + "\n\u2014 example.com/log ").endsWith("=\n");
    String sigLine = c.text().lines().toList().get(4);
    byte[] both = Base64.getDecoder().decode(sigLine.substring(sigLine.lastIndexOf(' ') + 1));
    assertThat(both).hasSize(4 + 64).startsWith(KEY.keyHash());
  }

  @Test
  void parsesWhatItWritesAndVerifies() {
    Checkpoint c = Checkpoint.sign("example.com/log", 7, ROOT, KEY);
    Checkpoint back = Checkpoint.parse(c.text());
    assertThat(back.origin()).isEqualTo("example.com/log");
    assertThat(back.size()).isEqualTo(7);
    assertThat(back.rootHash()).isEqualTo(ROOT);
    assertThat(back.text()).isEqualTo(c.text());
    assertThatCode(() -> back.verify(List.of(KEY))).doesNotThrowAnyException();
  }

  @Test
  void ignoresUnknownSignersButNeedsOneKnown() {
    TestNoteKey other = new TestNoteKey("witness.example");
    Checkpoint c = Checkpoint.sign("example.com/log", 7, ROOT, KEY);
    String cosigned =
        c.text()
            + new NoteSignature(other.name(), other.keyHash(), other.sign(c.signedBytes())).line()
            + "\n";
    assertThatCode(() -> Checkpoint.parse(cosigned).verify(List.of(KEY)))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> Checkpoint.parse(c.text()).verify(List.of(other)))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining("no signature by a known key");
  }

  @Test
  void detectsAlteredBodyAndSubstitutedKey() {
    Checkpoint c = Checkpoint.sign("example.com/log", 7, ROOT, KEY);
    Checkpoint altered = Checkpoint.parse(c.text().replaceFirst("\n7\n", "\n8\n"));
    assertThatThrownBy(() -> altered.verify(List.of(KEY)))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining("invalid signature by");
    TestNoteKey impostor = new TestNoteKey("example.com/log");
    assertThatThrownBy(
            () -> Checkpoint.sign("example.com/log", 7, ROOT, impostor).verify(List.of(KEY)))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining("no signature by a known key");
  }

  @Test
  void parsesStrictly() {
    String good = Checkpoint.sign("example.com/log", 7, ROOT, KEY).text();
    String sig = good.substring(good.indexOf("\u2014"));
    String root = Base64.getEncoder().encodeToString(ROOT);
    List<String> bad =
        List.of(
            "example.com/log\n7\n" + root + "\n" + sig, // no blank line
            "example.com/log\n07\n" + root + "\n\n" + sig,
            "example.com/log\n-7\n" + root + "\n\n" + sig,
            "example.com/log\n99999999999999999999\n" + root + "\n\n" + sig,
            "example.com/log\n7\n" + root.substring(4) + "\n\n" + sig,
            "example.com/log\n7\n" + root.replace("=", "") + "\n\n" + sig,
            "example.com/log\n7\n\n" + sig,
            "example.com/log\n7\n" + root + "\n\n",
            "example.com/log\n7\n" + root + "\n\n- example.com/log AAAAAAAA\n",
            "example.com/log\n7\n" + root + "\n\n" + sig.replace(" example.com/log ", " a+b "),
            "example.com/log\n7\n" + root + "\n\n" + sig.trim(),
            "example.com/log\t\n7\n" + root + "\n\n" + sig,
            "example.com/log\n7\n" + root + "\n\n\n" + sig);
    for (String text : bad) {
      assertThatThrownBy(() -> Checkpoint.parse(text)).as(text).isInstanceOf(RunnerException.class);
    }
  }
}
