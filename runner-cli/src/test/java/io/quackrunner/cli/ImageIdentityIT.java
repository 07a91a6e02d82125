package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Contract: image.env exists, is non-empty, readable, and holds the three identity keys. */
class ImageIdentityIT {
  private static final String GOOD =
      "RUNNER_IMAGE=runner-base\nRUNNER_DOMAIN=base\nRUNNER_ROLE=runtime\n";

  @TempDir Path work;
  RunnerProcess runner;
  Path imageEnv;

  @BeforeEach
  void setUp() {
    runner = new RunnerProcess(work);
    imageEnv = runner.etc().resolve("image.env");
  }

  @Test
  void aGoodFileIsShownRequiredKeysFirst() {
    runner.etcFile(
        "image.env",
        "# built by the image pipeline\n\nRUNNER_ROLE=\"ci runtime\"\nRUNNER_BUILD=2026-11-21\n"
            + "RUNNER_IMAGE=ghcr.io/quack/runner-terraform:1.2.3\nRUNNER_DOMAIN=terraform\n");
    assertThat(runner.run("about").succeeds().stdoutLines())
        .containsExactly(
            "RUNNER_IMAGE=ghcr.io/quack/runner-terraform:1.2.3",
            "RUNNER_DOMAIN=terraform",
            "RUNNER_ROLE=ci runtime",
            "RUNNER_BUILD=2026-11-21");
  }

  @Test
  void aMissingFileFails() {
    runner.run("about").failsWithOneLine(125, imageEnv + " does not exist");
  }

  @Test
  void anEmptyFileFails() {
    runner.etcFile("image.env", "");
    runner.run("about").failsWithOneLine(125, imageEnv + " is empty");
  }

  @Test
  void aDirectoryInPlaceOfTheFileFails() throws Exception {
    Files.createDirectory(imageEnv);
    runner.run("about").failsWithOneLine(125, imageEnv + " is not a regular file");
  }

  @Test
  void anUnreadableFileFails() throws Exception {
    assumeThat(System.getProperty("user.name")).as("root reads any file").isNotEqualTo("root");
    runner.etcFile("image.env", GOOD);
    Files.setPosixFilePermissions(imageEnv, PosixFilePermissions.fromString("---------"));
    runner.run("about").failsWithOneLine(125, imageEnv + " is not readable");
  }

  @Test
  void aFileThatIsNotUtf8Fails() throws Exception {
    Files.write(imageEnv, new byte[] {'R', 'U', 'N', 'N', 'E', 'R', '_', 'X', '=', (byte) 0xff});
    runner.run("about").failsWithOneLine(125, imageEnv + " is not valid UTF-8");
  }

  @ParameterizedTest
  @ValueSource(strings = {"RUNNER_IMAGE", "RUNNER_DOMAIN", "RUNNER_ROLE"})
  void eachRequiredKeyMustBePresent(String key) {
    runner.etcFile("image.env", GOOD.replaceAll("(?m)^" + key + "=.*\n", ""));
    runner.run("about").failsWithOneLine(125, imageEnv + " lacks the required key " + key);
  }

  @ParameterizedTest
  @ValueSource(strings = {"RUNNER_IMAGE", "RUNNER_DOMAIN", "RUNNER_ROLE"})
  void eachRequiredKeyMustHaveAValue(String key) {
    runner.etcFile("image.env", GOOD.replaceAll("(?m)^" + key + "=.*$", key + "=\"\""));
    runner.run("about").failsWithOneLine(125, "empty value for the required key " + key);
  }

  @Test
  void onlyCommentsIsNotAnIdentity() {
    runner.etcFile("image.env", "# nothing here\n");
    runner.run("about").failsWithOneLine(125, "lacks the required key RUNNER_IMAGE");
  }

  @ParameterizedTest
  @ValueSource(strings = {"not a pair", "export RUNNER_X=1", "RUNNER_X=two words", "RUNNER_X='q'"})
  void aMalformedLineFailsNamingItsNumber(String line) {
    runner.etcFile("image.env", "# header\n" + GOOD + line + "\n");
    runner.run("about").failsWithOneLine(125, imageEnv + " line 5: ");
  }

  @Test
  void aDuplicateKeyFails() {
    runner.etcFile("image.env", GOOD + "RUNNER_ROLE=other\n");
    runner
        .run("about")
        .failsWithOneLine(125, "line 4: duplicate key RUNNER_ROLE (first on line 3)");
  }

  @Test
  void theEtcDirectoryDefaultsToEtcRunner() {
    var r = runner.env("RUNNER_ETC", null).run("about");
    if (!Files.exists(Path.of("/etc/runner/image.env"))) {
      r.failsWithOneLine(125, "/etc/runner/image.env does not exist");
    } else {
      assertThat(r.stderr()).doesNotContain(runner.etc().toString());
    }
  }
}
