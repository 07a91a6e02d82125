package io.quackrunner.cli;

import io.quackrunner.execution.Engine;
import io.quackrunner.server.ServerMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code runner serve}: the gateway service (HTTP run API, live logs, artifacts, receipts) on its
 * embedded defaults: state in {@code RUNNER_STATE_DIR} (default {@code /var/lib/quackrunner}),
 * SQLite, a local content store, a generated signing key and admin token, the bundled example
 * registry, loopback port 8080.
 */
@Command(name = "serve", description = "Start the gateway service (HTTP run API)")
public final class ServeCommand implements Callable<Integer> {
  @Option(names = "--port", paramLabel = "N", description = "TCP port (default 8080; 0 picks one)")
  Integer port;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "default: RUNNER_STATE_DIR or /var/lib/quackrunner")
  Path stateDir;

  @Option(
      names = "--registry",
      paramLabel = "FILE",
      description = "tool registry (default: the bundled example)")
  Path registry;

  @Option(names = "--bind", paramLabel = "ADDR", description = "listen address (default 127.0.0.1)")
  String bind;

  @Option(
      names = "--tokens",
      paramLabel = "FILE",
      description = "bearer token file (hashed tokens)")
  Path tokens;

  @Option(names = "--limits", paramLabel = "FILE", description = "limits policy (properties)")
  Path limits;

  @Option(names = "--concurrency", paramLabel = "N", description = "runs at once (default: cores)")
  Integer concurrency;

  @Option(names = "--queue", paramLabel = "N", description = "queued runs before 429 (default 64)")
  Integer queue;

  @Option(names = "--max-body", paramLabel = "BYTES", description = "largest request body")
  String maxBody;

  @Option(names = "--max-input", paramLabel = "BYTES", description = "largest input upload")
  String maxInput;

  @Option(
      names = "--tls-keystore",
      paramLabel = "FILE",
      description = "PKCS#12 keystore: serve HTTPS")
  Path tlsKeystore;

  @Option(
      names = "--tls-password-file",
      paramLabel = "FILE",
      description = "keystore password file")
  Path tlsPasswordFile;

  @picocli.CommandLine.Mixin DatabaseOptions db = new DatabaseOptions();

  @Option(
      names = "--content-dir",
      paramLabel = "DIR",
      description =
          "content directory shared by the nodes on one --database (e.g. an NFS mount): inputs by"
              + " digest, runs' logs and artifacts (default: <state>/cas and <state>/runs)")
  Path contentDir;

  @Override
  public Integer call() {
    List<String> a = new ArrayList<>();
    a.addAll(
        List.of(
            "--state-dir",
            (stateDir != null ? stateDir : Engine.stateDir(System.getenv())).toString()));
    add(a, "--port", port);
    add(a, "--registry", registry);
    add(a, "--bind", bind);
    add(a, "--tokens", tokens);
    add(a, "--limits", limits);
    add(a, "--concurrency", concurrency);
    add(a, "--queue", queue);
    add(a, "--max-body", maxBody);
    add(a, "--max-input", maxInput);
    add(a, "--tls-keystore", tlsKeystore);
    add(a, "--tls-password-file", tlsPasswordFile);
    db.addTo(a);
    add(a, "--content-dir", contentDir);
    return ServerMain.run(a, System.out, System.err);
  }

  private static void add(List<String> a, String option, Object value) {
    if (value != null) {
      a.add(option);
      a.add(value.toString());
    }
  }
}
