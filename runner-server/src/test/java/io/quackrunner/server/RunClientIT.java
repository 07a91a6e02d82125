package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.receipts.VerifierKey;
import io.quackrunner.server.client.RunClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code runner run}'s client against a real server: hostile artifact names, downloads checked
 * against the RunResult (a tampered or vanished artifact is never kept), a second run into the same
 * directory, and the verifier key saved beside the receipt.
 */
class RunClientIT {
  static GatewayServer server;
  static String token;
  static Path work;

  @BeforeAll
  static void start() throws Exception {
    Path state = TestApi.newStateDir();
    token = TokenStore.issue(state.resolve("tokens/tokens"), "alice");
    server = TestApi.start(TestApi.options(state, 2, 8));
    work = Files.createTempDirectory("qr-client-");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private record Outcome(int code, String err, RunnerException thrown) {}

  private Outcome run(String script, String key, Path downloadDir, Path output) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    RunClient c =
        new RunClient(
            server.uri(),
            token,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code =
          c.run("sh", "run", List.of(), Map.of("script", script), downloadDir, output, key, null);
      return new Outcome(code, err.toString(StandardCharsets.UTF_8), null);
    } catch (RunnerException e) {
      return new Outcome(-1, err.toString(StandardCharsets.UTF_8), e);
    }
  }

  private static List<Path> partials(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.getFileName().toString().contains(".part-")).toList();
    }
  }

  @Test
  void hostileNamesAreDownloadedTwiceIntoOneDirectory() throws Exception {
    Path cwd = Files.createDirectory(work.resolve("twice"));
    Outcome first = run(ApiContractIT.namesScript(), "client-names", cwd, null);
    assertThat(first.thrown()).as(first.err()).isNull();
    assertThat(first.code()).as(first.err()).isZero();
    Path runDir;
    try (Stream<Path> s = Files.list(cwd)) {
      runDir = s.filter(Files::isDirectory).findFirst().orElseThrow();
    }
    for (String n : ApiContractIT.NAMES) {
      assertThat(Files.readString(runDir.resolve(n))).as(n).isEqualTo(n);
    }
    Path receipt = cwd.resolve(runDir.getFileName() + ".receipt.dsse.json");
    Path key = cwd.resolve(runDir.getFileName() + ".key");
    assertThat(receipt).exists();
    // The saved key is the one the receipt names, in verifier-key form, and says where it came
    // from.
    VerifierKey k = VerifierKey.parse(Files.readString(key).strip());
    JsonNode env = TestApi.JSON.readTree(receipt.toFile());
    assertThat(env.at("/signatures/0/keyid").asText()).isEqualTo(k.keyId());
    assertThat(first.err()).contains("key " + key).contains("/keys").contains("out of band");
    // The same trigger again, into the same directory: the files there are checked and kept.
    Outcome second = run(ApiContractIT.namesScript(), "client-names", cwd, null);
    assertThat(second.thrown()).as(second.err()).isNull();
    assertThat(second.code()).as(second.err()).isZero();
    assertThat(second.err()).contains("already holds it");
    // A local file that differs is neither overwritten nor ignored.
    Files.writeString(runDir.resolve("a b.txt"), "edited");
    Outcome third = run(ApiContractIT.namesScript(), "client-names", cwd, null);
    assertThat(third.thrown()).isNotNull();
    assertThat(third.thrown().kind()).isEqualTo(ErrorKind.CONFLICT);
    assertThat(third.thrown().kind().exitCode()).isEqualTo(125);
    assertThat(third.err()).contains("a b.txt").contains("exists and differs").contains("--output");
    assertThat(Files.readString(runDir.resolve("a b.txt"))).isEqualTo("edited");
    // --output puts the same run elsewhere.
    Path elsewhere = work.resolve("elsewhere");
    Outcome fourth = run(ApiContractIT.namesScript(), "client-names", cwd, elsewhere);
    assertThat(fourth.code()).as(fourth.err()).isZero();
    assertThat(Files.readString(elsewhere.resolve("a b.txt"))).isEqualTo("a b.txt");
    assertThat(work.resolve("elsewhere.receipt.dsse.json")).exists();
    assertThat(partials(cwd)).isEmpty();
  }

  @Test
  void aTamperedOrMissingArtifactIsNeverKeptAndEveryFailureIsReported() throws Exception {
    String script =
        "printf 0123456789 > \"$OUT_DIR/good.txt\"; printf abcdefghij > \"$OUT_DIR/tampered.txt\";"
            + " printf xyz > \"$OUT_DIR/gone.txt\"; printf 42 > \"$OUT_DIR/short.txt\"";
    // Run once without downloading, damage the stored files, then download.
    Outcome made = run(script, "client-tamper", null, null);
    assertThat(made.code()).as(made.err()).isZero();
    var m = java.util.regex.Pattern.compile("run ([0-9a-f-]{36}) ").matcher(made.err());
    assertThat(m.find()).as(made.err()).isTrue();
    String id = m.group(1);
    Path stored = server.service().outDir(id);
    assertThat(stored.resolve("tampered.txt")).exists();
    Files.writeString(stored.resolve("tampered.txt"), "ABCDEFGHIJ");
    Files.delete(stored.resolve("gone.txt"));
    Files.writeString(stored.resolve("short.txt"), "4");
    Path out = work.resolve("tamper-out");
    Outcome o = run(script, "client-tamper", null, out);
    assertThat(o.thrown()).as(o.err()).isNotNull();
    assertThat(o.thrown().kind()).isEqualTo(ErrorKind.CONFLICT);
    assertThat(o.err())
        .contains("not downloaded: tampered.txt: SHA-256")
        .contains("not downloaded: gone.txt: HTTP 404")
        .contains("not downloaded: short.txt");
    assertThat(Files.readString(out.resolve("good.txt"))).isEqualTo("0123456789");
    assertThat(out.resolve("tampered.txt")).doesNotExist();
    assertThat(out.resolve("gone.txt")).doesNotExist();
    assertThat(out.resolve("short.txt")).doesNotExist();
    assertThat(partials(out)).isEmpty();
  }

  @Test
  void anUnreachableServerIsADocumentedExitCode() {
    RunClient c =
        new RunClient(
            java.net.URI.create("http://127.0.0.1:1"),
            token,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertThatThrownBy(() -> c.run("sh", "run", List.of(), Map.of("script", "true"), null, null))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining("cannot reach")
        .extracting(e -> ((RunnerException) e).kind())
        .isEqualTo(ErrorKind.UNAVAILABLE);
  }
}
