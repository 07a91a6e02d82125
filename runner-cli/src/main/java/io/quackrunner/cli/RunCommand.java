package io.quackrunner.cli;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.Engine;
import io.quackrunner.server.client.RunClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code runner run TOOL VERB}: a client of the gateway's HTTP API: uploads the inputs, submits the
 * run, shows its logs live and its result, and downloads its artifacts.
 *
 * <p>The bearer token comes from {@code --token}, else {@code --token-file}, else {@code
 * RUNNER_TOKEN}, else the local server's {@code <state-dir>/tokens/admin.token} ({@code
 * --state-dir}, else {@code RUNNER_STATE_DIR}, else {@code /var/lib/quackrunner}).
 */
@Command(name = "run", description = "Run a registered tool through a gateway server")
public final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "TOOL", description = "tool name, or name@version")
  String tool;

  @Parameters(index = "1", paramLabel = "VERB", description = "what the tool is asked to do")
  String verb;

  @Option(names = "--input", paramLabel = "FILE", description = "an input file (repeatable)")
  List<Path> inputs = new ArrayList<>();

  @Option(names = "--param", paramLabel = "K=V", description = "a parameter (repeatable)")
  List<String> params = new ArrayList<>();

  @Option(names = "--server", paramLabel = "URL", description = "default http://127.0.0.1:8080")
  URI server = URI.create("http://127.0.0.1:8080");

  @Option(names = "--token", paramLabel = "TOKEN", description = "bearer token")
  String token;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "a file whose first line is the bearer token")
  Path tokenFile;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "the local server's state directory, for its tokens/admin.token")
  Path stateDir;

  @Option(
      names = "--output",
      paramLabel = "DIR",
      description = "artifacts go to DIR, the receipt to DIR.receipt.dsse.json, the key to DIR.key")
  Path output;

  @Option(
      names = "--download",
      paramLabel = "DIR",
      description =
          "artifacts go to DIR/<run id>/, the receipt to DIR/<run id>.receipt.dsse.json (default .)")
  Path download;

  @Option(names = "--no-download", description = "download no artifacts")
  boolean noDownload;

  @Option(
      names = "--idempotency-key",
      paramLabel = "KEY",
      description = "runs with one key execute once")
  String idempotencyKey;

  @Option(
      names = "--trigger",
      paramLabel = "FILE",
      description = "a signed trigger for this request (runner trigger sign)")
  Path trigger;

  @Option(
      names = "--callback",
      paramLabel = "URL",
      description = "the server POSTs the signed receipt here when the run ends (allow-listed)")
  String callback;

  @Override
  public Integer call() {
    Map<String, String> p = new LinkedHashMap<>();
    for (String kv : params) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new RunnerException(ErrorKind.USAGE, "--param wants K=V, not '" + kv + "'");
      }
      if (p.put(kv.substring(0, eq), kv.substring(eq + 1)) != null) {
        throw new RunnerException(
            ErrorKind.USAGE, "--param " + kv.substring(0, eq) + " given twice");
      }
    }
    if (noDownload && (output != null || download != null)) {
      throw new RunnerException(
          ErrorKind.USAGE, "--no-download goes with neither --output nor --download");
    }
    if (output != null && download != null) {
      throw new RunnerException(ErrorKind.USAGE, "give --output or --download, not both");
    }
    Path dir =
        noDownload ? null : download != null ? download : Path.of(".").toAbsolutePath().normalize();
    return new RunClient(server, token(), System.out, System.err)
        .callback(callback)
        .run(tool, verb, inputs, p, dir, noDownload ? null : output, idempotencyKey, triggerJson());
  }

  private com.fasterxml.jackson.databind.JsonNode triggerJson() {
    if (trigger == null) {
      return null;
    }
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(TriggerCommand.read(trigger));
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.USAGE, trigger + " is not JSON: " + e.getMessage());
    }
  }

  private String token() {
    if (token != null) {
      return token;
    }
    if (tokenFile != null) {
      return read(tokenFile, "--token-file " + tokenFile + " is unreadable");
    }
    String env = System.getenv("RUNNER_TOKEN");
    if (env != null && !env.isEmpty()) {
      return env;
    }
    Path state = stateDir != null ? stateDir : Engine.stateDir(System.getenv());
    Path file = state.resolve("tokens/admin.token");
    return read(
        file,
        "no token: give --token, --token-file or --state-dir, set RUNNER_TOKEN, or run on the"
            + " server host ("
            + file
            + " unreadable)");
  }

  private static String read(Path file, String otherwise) {
    try {
      String t = Files.readString(file, StandardCharsets.UTF_8).strip();
      int nl = t.indexOf('\n');
      t = nl >= 0 ? t.substring(0, nl).strip() : t;
      if (t.isEmpty()) {
        throw new RunnerException(ErrorKind.USAGE, file + " holds no token");
      }
      return t;
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.USAGE, otherwise);
    }
  }
}
