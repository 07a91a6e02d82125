package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvFileTest {
  private static final Path FILE = Path.of("/etc/runner/x.env");

  @Test
  void parsesEntriesInOrderSkippingCommentsAndBlankLines() {
    String text =
        "# identity\n\nB=2\n  # indented comment\n \t\nA=\"one two\"\nC=\nD=ghcr.io/x/y:1.2@sha256:ab\n";
    assertThat(EnvFile.parse(FILE, text))
        .containsExactly(
            Map.entry("B", "2"),
            Map.entry("A", "one two"),
            Map.entry("C", ""),
            Map.entry("D", "ghcr.io/x/y:1.2@sha256:ab"));
  }

  @Test
  void acceptsALastLineWithoutNewline() {
    assertThat(EnvFile.parse(FILE, "A=1")).containsExactly(Map.entry("A", "1"));
  }

  @Test
  void keepsNonAsciiInsideQuotes() {
    assertThat(EnvFile.parse(FILE, "A=\"Grüße ✓\"\n")).containsEntry("A", "Grüße ✓");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "JUST_A_WORD",
        " A=1",
        "A =1",
        "export A=1",
        "1A=1",
        "A-B=1",
        "=1",
        "A= 1",
        "A=1 ",
        "A=one two",
        "A='one'",
        "A=$HOME",
        "A=\"unterminated",
        "A=\"a\"b\"",
        "A=\"a\\\"b\"",
        "A=\"$(id)\"",
        "A=\"`id`\"",
        "A=1\r",
        "A=\"tab\there\"",
        "A=über",
      })
  void rejectsAMalformedLineNamingItsNumber(String bad) {
    assertThatThrownBy(() -> EnvFile.parse(FILE, "# fine\nOK=1\n" + bad + "\n"))
        .isInstanceOfSatisfying(
            RunnerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION))
        .hasMessageStartingWith(FILE + " line 3: ")
        .hasMessageNotContaining("\n");
  }

  @Test
  void rejectsADuplicateKey() {
    assertThatThrownBy(() -> EnvFile.parse(FILE, "A=1\nB=2\nA=3\n"))
        .hasMessage(FILE + " line 3: duplicate key A (first on line 1)");
  }

  @Test
  void readRejectsMissingEmptyNonRegularAndNonUtf8Files(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> EnvFile.read(dir.resolve("none.env")))
        .hasMessageEndingWith("none.env does not exist");
    Path empty = Files.createFile(dir.resolve("empty.env"));
    assertThatThrownBy(() -> EnvFile.read(empty)).hasMessageEndingWith("empty.env is empty");
    Path sub = Files.createDirectory(dir.resolve("sub.env"));
    assertThatThrownBy(() -> EnvFile.read(sub)).hasMessageEndingWith("is not a regular file");
    Path latin1 =
        Files.write(dir.resolve("latin1.env"), new byte[] {'A', '=', '"', (byte) 0xe9, '"'});
    assertThatThrownBy(() -> EnvFile.read(latin1)).hasMessageEndingWith("is not valid UTF-8");
    Path big = Files.writeString(dir.resolve("big.env"), "#".repeat(EnvFile.MAX_BYTES + 1));
    assertThatThrownBy(() -> EnvFile.read(big)).hasMessageContaining("is larger than");
  }

  @Test
  void readIfPresentTreatsOnlyAbsenceAsAbsent(@TempDir Path dir) throws Exception {
    assertThat(EnvFile.readIfPresent(dir.resolve("none.env"))).isEmpty();
    Path dangling = Files.createSymbolicLink(dir.resolve("link.env"), dir.resolve("nowhere"));
    assertThatThrownBy(() -> EnvFile.readIfPresent(dangling))
        .hasMessageEndingWith("does not exist");
  }

  @Test
  void requireRejectsMissingAndEmptyValues() {
    EnvFile env = new EnvFile(FILE, EnvFile.parse(FILE, "A=1\nB=\n"));
    assertThat(env.require("A")).isEqualTo("1");
    assertThatThrownBy(() -> env.require("B"))
        .hasMessage(FILE + " has an empty value for the required key B");
    assertThatThrownBy(() -> env.require("C")).hasMessage(FILE + " lacks the required key C");
  }
}
