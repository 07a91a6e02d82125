package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.testing.PostgresExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runner keys list --database} and {@code runner verify --database}: two hosts (two state
 * directories, two key rings) on one real PostgreSQL; a receipt host A signed verifies on host B
 * after A's exec node retired, through {@code node_keys}.
 */
class KeysDatabaseIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  @Test
  void aReceiptOfARetiredNodeVerifiesOnAnotherThroughNodeKeys(@TempDir Path a, @TempDir Path b)
      throws Exception {
    String url = PG.newDatabase() + "?user=" + PG.user() + "&password=" + PG.password();
    RunnerProcess hostA = RunnerProcess.withState(a);
    RunnerProcess hostB = RunnerProcess.withState(b);
    Path outA = a.resolve("out-a");
    hostA
        .run("exec", "--database", url, "--out-dir", outA.toString(), "--", "sh", "-c", "echo a")
        .succeeds();
    hostB.run("exec", "--database", url, "--", "true").succeeds();
    String keyA = hostA.run("keys", "show").succeeds().stdout().trim();
    String keyB = hostB.run("keys", "show").succeeds().stdout().trim();
    assertThat(keyA).isNotEqualTo(keyB);

    var listed = hostB.run("keys", "list", "--database", url).succeeds().stdout();
    String rowA = line(listed, keyA);
    String rowB = line(listed, keyB);
    assertThat(rowA).as(listed).startsWith("listed").contains("ed25519", ".exec-", " retired ");
    assertThat(rowB).as(listed).startsWith("active").contains(".exec-", " retired ");
    assertThat(listed.lines().count()).as(listed).isEqualTo(3); // header + two keys

    String receipt = outA.resolve("reports/receipt.dsse.json").toString();
    var viaDb = hostB.run("verify", receipt, "--database", url, "--artifacts", outA.toString());
    assertThat(viaDb.exitCode()).as(viaDb.stdout() + viaDb.stderr()).isZero();
    assertThat(viaDb.stdout()).contains("PASS signature", "PASS artifacts", "PASS inclusion");

    // B's own ring alone does not know A's key: a clear signature failure.
    var localOnly =
        hostB.run(
            "verify",
            receipt,
            "--ledger",
            hostB.state().toString(),
            "--artifacts",
            outA.toString());
    assertThat(localOnly.exitCode()).as(localOnly.stdout()).isEqualTo(1);
    assertThat(localOnly.stdout()).contains("FAIL signature");

    // A database A never joined lists no key of A either.
    String other = PG.newDatabase() + "?user=" + PG.user() + "&password=" + PG.password();
    hostB.run("exec", "--database", other, "--migrate", "--", "true");
    var unknown = hostB.run("verify", receipt, "--database", other);
    assertThat(unknown.exitCode()).as(unknown.stdout() + unknown.stderr()).isEqualTo(1);
    assertThat(unknown.stdout()).contains("FAIL signature");
  }

  @Test
  void withoutDatabaseTheStateDirectorysRingIsListed(@TempDir Path w) {
    RunnerProcess r = RunnerProcess.withState(w);
    String key = r.run("keys", "show").succeeds().stdout().trim();
    var listed = r.run("keys", "list").succeeds().stdout();
    assertThat(line(listed, key)).startsWith("active").contains("ed25519", " - ");
    assertThat(listed.lines().count()).isEqualTo(2);
    r.run("keys", "list", "--database", "mysql://x/y").failsWithOneLine(125, "");
  }

  private static String line(String out, String key) {
    return out.lines()
        .filter(l -> l.endsWith(" " + key))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row for " + key + " in:\n" + out));
  }
}
