package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tool whose files ship its runtime's lock file ({@code _tool/package-lock.json} for node, {@code
 * _tool/poetry.lock} for python) has its SHA-256 in {@code reports/runner.meta.json} and in the
 * signed receipt, equal to what {@code sha256sum} says; a tool without one has neither member.
 * Through the real launcher, {@code runner exec --in DIR} (the layout the gateway gives a
 * registered tool: its files at {@code /workspace/in/_tool}).
 */
class LockFileIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  RunnerProcess runner;

  @BeforeEach
  void setUp() {
    runner = RunnerProcess.withState(work);
  }

  /** Runs {@code argv} on {@code runtime} with {@code in} as /workspace/in; returns the out dir. */
  private Path exec(String name, String runtime, Path in, String... argv) {
    Path out = work.resolve(name + "-out");
    List<String> args =
        new ArrayList<>(
            List.of(
                "exec",
                "--runtime",
                runtime,
                "--in",
                in.toString(),
                "--out-dir",
                out.toString(),
                "--"));
    args.addAll(List.of(argv));
    runner.run(args.toArray(String[]::new)).succeeds();
    var verified =
        runner.run(
            "verify",
            out.resolve("reports/receipt.dsse.json").toString(),
            "--ledger",
            runner.state().toString(),
            "--artifacts",
            out.toString());
    assertThat(verified.exitCode()).as("the receipt verifies: " + verified.stdout()).isZero();
    return out;
  }

  private Path tool(String name, String lockName, String lockContent) throws Exception {
    Path in = Files.createDirectories(work.resolve(name + "-in/_tool")).getParent();
    Files.writeString(in.resolve("_tool/main.txt"), "the tool\n");
    if (lockName != null) {
      Files.writeString(in.resolve("_tool").resolve(lockName), lockContent);
    }
    return in;
  }

  private static String sha256sum(Path file) throws Exception {
    Process p = new ProcessBuilder("sha256sum", file.toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    return out.split(" ")[0];
  }

  private static JsonNode meta(Path out) throws Exception {
    return JSON.readTree(out.resolve("reports/runner.meta.json").toFile());
  }

  private static JsonNode predicate(Path out) throws Exception {
    JsonNode envelope = JSON.readTree(out.resolve("reports/receipt.dsse.json").toFile());
    return JSON.readTree(Base64.getDecoder().decode(envelope.get("payload").asText()))
        .get("predicate");
  }

  @Test
  void aNodeToolsPackageLockIsInTheMetaAndTheReceipt() throws Exception {
    Path in =
        tool(
            "node",
            "package-lock.json",
            "{\"name\":\"t\",\"lockfileVersion\":3,\"requires\":true,\"packages\":{}}\n");
    // The tool reads its own lock file inside the sandbox: it is the file that was hashed.
    Path out =
        exec(
            "node",
            "node-20",
            in,
            "node",
            "-e",
            "console.log(require('/workspace/in/_tool/package-lock.json').lockfileVersion)");
    String want = sha256sum(in.resolve("_tool/package-lock.json"));
    JsonNode meta = meta(out);
    assertThat(meta.at("/lock_file/name").asText()).isEqualTo("package-lock.json");
    assertThat(meta.at("/lock_file/sha256").asText()).isEqualTo(want);
    JsonNode p = predicate(out);
    assertThat(p.get("lock_file")).isEqualTo(meta.get("lock_file"));
    assertThat(p.get("lock_file").size()).isEqualTo(2);
  }

  @Test
  void aPythonToolsPoetryLockIsInTheMetaAndTheReceipt() throws Exception {
    Path in = tool("py", "poetry.lock", "# poetry.lock\n[metadata]\nlock-version = \"2.0\"\n");
    Path out = exec("py", "python-3.11", in, "python3", "-c", "print('ok')");
    String want = sha256sum(in.resolve("_tool/poetry.lock"));
    assertThat(meta(out).at("/lock_file/name").asText()).isEqualTo("poetry.lock");
    assertThat(meta(out).at("/lock_file/sha256").asText()).isEqualTo(want);
    assertThat(predicate(out).at("/lock_file/name").asText()).isEqualTo("poetry.lock");
    assertThat(predicate(out).at("/lock_file/sha256").asText()).isEqualTo(want);
  }

  @Test
  void aToolWithoutItsRuntimesLockFileHasNoMember() throws Exception {
    Path none = tool("bare", null, null);
    Path out = exec("bare", "python-3.11", none, "python3", "-c", "print('ok')");
    assertThat(meta(out).has("lock_file")).isFalse();
    assertThat(predicate(out).has("lock_file")).isFalse();
    // Another runtime's lock kind does not count: a node tool shipping only poetry.lock.
    Path other = tool("other", "poetry.lock", "[metadata]\n");
    Path out2 = exec("other", "node-20", other, "node", "-e", "1");
    assertThat(meta(out2).has("lock_file")).isFalse();
    assertThat(predicate(out2).has("lock_file")).isFalse();
  }
}
