package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's first section as a new user types it, twice in a row in one directory, against a
 * real {@code bin/runner serve}: {@code runner run}, {@code runner verify} and the curl call; and
 * {@code runner tokens add|list|revoke} against the same server.
 */
class ReadmeFlowIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static Path work;
  static Path state;
  static Process serve;
  static String url;

  @BeforeAll
  static void startServer() throws Exception {
    work = Files.createTempDirectory("qr-readme-");
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
    state = Files.createDirectories(work.resolve("state"));
    Path log = work.resolve("serve.log");
    serve =
        new ProcessBuilder(
                RunnerProcess.LAUNCHER.toString(),
                "serve",
                "--port",
                "0",
                "--state-dir",
                state.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Pattern listening = Pattern.compile("listening on (http://\\S+)");
    for (int i = 0; i < 600 && url == null; i++) {
      Matcher m = listening.matcher(Files.readString(log));
      if (m.find()) {
        url = m.group(1);
      } else {
        assertThat(serve.isAlive()).as(Files.readString(log)).isTrue();
        Thread.sleep(100);
      }
    }
    assertThat(url).as(Files.readString(log)).isNotNull();
  }

  @AfterAll
  static void stopServer() throws Exception {
    serve.destroy();
    serve.waitFor(30, TimeUnit.SECONDS);
  }

  private static RunnerProcess.Result runner(Path cwd, String... args) {
    return new RunnerProcess(cwd).env("RUNNER_STATE_DIR", state.toString()).run(args);
  }

  private static String runId(RunnerProcess.Result r) {
    Matcher m = Pattern.compile("run ([0-9a-f-]{36}) ").matcher(r.stderr());
    assertThat(m.find()).as(r.stderr()).isTrue();
    return m.group(1);
  }

  @Test
  void theReadmeCallsWorkTwiceInARowInOneDirectory() throws Exception {
    Path cwd = Files.createDirectory(work.resolve("user"));
    Files.writeString(
        cwd.resolve("hello.py"),
        "import os\nprint(\"hello\")\nopen(os.environ[\"OUT_DIR\"] + \"/answer.txt\", \"w\").write(\"42\\n\")\n");
    String previous = null;
    for (int round = 1; round <= 2; round++) {
      RunnerProcess.Result run =
          runner(
              cwd,
              "run",
              "python",
              "run",
              "--input",
              "hello.py",
              "--param",
              "script=hello.py",
              "--server",
              url);
      assertThat(run.exitCode()).as(round + ": " + run.stderr()).isZero();
      assertThat(run.stdout()).isEqualTo("hello\n");
      String id = runId(run);
      if (id.equals(previous)) {
        // A replay of the same trigger: the first run, its files found in place and checked.
        assertThat(run.stderr()).contains("already holds it");
      }
      previous = id;
      assertThat(Files.readString(cwd.resolve(id).resolve("answer.txt"))).isEqualTo("42\n");
      RunnerProcess.Result verify =
          runner(
              cwd,
              "verify",
              id + ".receipt.dsse.json",
              "--artifacts",
              id,
              "--ledger",
              state.toString());
      assertThat(verify.exitCode()).as(round + ": " + verify.stdout() + verify.stderr()).isZero();
      RunnerProcess.Result pinned =
          runner(cwd, "verify", id + ".receipt.dsse.json", "--artifacts", id, "--key", id + ".key");
      assertThat(pinned.exitCode()).as(pinned.stdout() + pinned.stderr()).isZero();
    }
    // The curl call of the README, twice, in the same directory.
    String curl =
        "TOKEN=$(cat "
            + state
            + "/tokens/admin.token)\n"
            + "curl -s -H \"Authorization: Bearer $TOKEN\" -X POST '"
            + url
            + "/runs?wait=60' \\\n"
            + "  -H 'Content-Type: application/json' -d '{\"tool\":\"python\",\"version\":\"1.0.0\",\"verb\":\"run\",\n"
            + "  \"inputs\":[{\"name\":\"hello.py\",\"content_base64\":\"'\"$(base64 -w0 hello.py)\"'\"}],\n"
            + "  \"params\":{\"script\":\"hello.py\"}}'\n";
    for (int round = 1; round <= 2; round++) {
      Process p =
          new ProcessBuilder("sh", "-c", curl)
              .directory(cwd.toFile())
              .redirectErrorStream(true)
              .start();
      String body = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(body).isZero();
      JsonNode run = JSON.readTree(body);
      assertThat(run.get("status").asText()).as(body).isEqualTo("SUCCEEDED");
    }
  }

  @Test
  void tokensAreAddedListedAndRevokedAndTheServerSeesIt() throws Exception {
    Path cwd = Files.createDirectories(work.resolve("tokens-user"));
    Path file = state.resolve("tokens/tokens");
    RunnerProcess.Result add =
        runner(cwd, "tokens", "add", "--tenant", "bob", "--tokens", file.toString());
    assertThat(add.exitCode()).as(add.stderr()).isZero();
    String token = add.stdout().strip();
    assertThat(token).startsWith("qr_");
    assertThat(Files.readString(file)).doesNotContain(token).contains(" bob");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    RunnerProcess.Result list = runner(cwd, "tokens", "list", "--tokens", file.toString());
    assertThat(list.stdout()).contains(" bob").contains(" admin").doesNotContain(token);
    Path tokenFile = cwd.resolve("bob.token");
    Files.writeString(tokenFile, token + "\n");
    Files.writeString(cwd.resolve("t.py"), "print('bob')\n");
    List<String> run =
        List.of(
            "run",
            "python",
            "run",
            "--input",
            "t.py",
            "--param",
            "script=t.py",
            "--server",
            url,
            "--token-file",
            tokenFile.toString(),
            "--no-download");
    RunnerProcess.Result ok = runner(cwd, run.toArray(String[]::new));
    assertThat(ok.exitCode()).as(ok.stderr()).isZero();
    RunnerProcess.Result revoke =
        runner(cwd, "tokens", "revoke", "--tenant", "bob", "--tokens", file.toString());
    assertThat(revoke.exitCode()).as(revoke.stderr()).isZero();
    assertThat(revoke.stdout()).contains("revoked").contains(" bob");
    RunnerProcess.Result refused = runner(cwd, run.toArray(String[]::new));
    assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(77);
    assertThat(refused.stderr()).contains("unknown token");
  }
}
