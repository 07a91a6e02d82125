package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code runner secrets set|list|rm} through the real launcher: values in, names out. */
class SecretsCliIT {
  private static final String VALUE = "v4lue-from-stdin-0123456789";
  @TempDir Path work;

  @Test
  void setListRmKeepValuesOutOfArgvAndOutput() throws Exception {
    RunnerProcess runner = RunnerProcess.withState(work);
    Path file = runner.state().resolve("secrets/tenants/acme/API_TOKEN");
    var set = runner.stdin(VALUE + "\n").run("secrets", "set", "--tenant", "acme", "API_TOKEN");
    set.succeeds();
    assertThat(set.stdout()).doesNotContain(VALUE);
    assertThat(Files.readString(file)).isEqualTo(VALUE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
    try (var s = Files.list(file.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("API_TOKEN");
    }

    Path from = Files.writeString(work.resolve("db.txt"), "from-a-file-9876543210");
    runner
        .stdin("")
        .run("secrets", "set", "--tenant", "acme", "DB_PASS", "--from-file", from.toString())
        .succeeds();
    var list = runner.run("secrets", "list", "--tenant", "acme").succeeds();
    assertThat(list.stdoutLines()).hasSize(2);
    assertThat(list.stdoutLines().get(0)).matches("API_TOKEN\t\\d{4}-\\d\\d-\\d\\dT[^\t]+Z\tstore");
    assertThat(list.stdoutLines().get(1)).startsWith("DB_PASS\t");
    assertThat(list.stdout()).doesNotContain(VALUE).doesNotContain("from-a-file");
    assertThat(runner.run("secrets", "list", "--tenant", "other").succeeds().stdout()).isEmpty();

    // A value on the command line is refused, not stored, and not echoed back.
    var argv =
        runner
            .run("secrets", "set", "--tenant", "acme", "API_TOKEN", "new-value-on-argv")
            .failsWithOneLine(125, "never from the command line");
    assertThat(argv.stderr()).doesNotContain("new-value-on-argv");
    assertThat(Files.readString(file)).isEqualTo(VALUE);
    runner
        .stdin("")
        .run("secrets", "set", "--tenant", "acme", "EMPTY")
        .failsWithOneLine(125, "empty");
    runner
        .stdin("x")
        .run("secrets", "set", "--tenant", "acme", "bad-name")
        .failsWithOneLine(125, "bad secret name");

    runner.run("secrets", "rm", "--tenant", "acme", "API_TOKEN").succeeds();
    assertThat(file).doesNotExist();
    runner
        .run("secrets", "rm", "--tenant", "acme", "API_TOKEN")
        .failsWithOneLine(125, "tenant acme has no secret API_TOKEN");
  }
}
