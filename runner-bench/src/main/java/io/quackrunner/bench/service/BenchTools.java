package io.quackrunner.bench.service;

import io.quackrunner.server.TokenStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The service benchmarks' state directory, token and registry: tools whose argv is exactly the
 * command measured, so a service run and a bare run execute the same thing.
 */
final class BenchTools {
  /** {@code /bin/true} (invoked as {@code /bin/true run}). */
  static final List<String> TRUE = List.of("/bin/true");

  /** A 10 ms sleep behind {@code sh -c}, the form a registry entrypoint can take. */
  static final List<String> SLEEP_10MS = List.of("/bin/sh", "-c", "exec /bin/sleep 0.01");

  private static final String YAML =
      """
      registry: 1
      tools:
        - name: "true"
          versions:
            - version: "1"
              runtime: system
              entrypoint: [/bin/true]
              verbs:
                run:
                  params: {type: object, properties: {n: {type: integer}}, additionalProperties: false}
        - name: sleep10
          versions:
            - version: "1"
              runtime: system
              entrypoint: [/bin/sh, -c, "exec /bin/sleep 0.01"]
              verbs:
                run:
                  params: {type: object, properties: {n: {type: integer}}, additionalProperties: false}
        - name: clock
          versions:
            - version: "1"
              runtime: system
              entrypoint: [/bin/sh, -c, "i=0; while [ $i -lt 50 ]; do date +%s%N; sleep 0.02; i=$((i + 1)); done"]
              verbs:
                run:
                  params: {type: object, properties: {n: {type: integer}}, additionalProperties: false}
        - name: hang
          versions:
            - version: "1"
              runtime: system
              entrypoint: [/bin/sh, -c, "echo up; exec sleep 600"]
              verbs:
                run:
                  params: {type: object, properties: {n: {type: integer}}, additionalProperties: false}
              limits: {wall_time: 900s}
      """;

  final Path state;
  final Path registry;
  final String token;

  private BenchTools(Path state, Path registry, String token) {
    this.state = state;
    this.registry = registry;
    this.token = token;
  }

  /** Makes a fresh state directory (mode 0711, as the sandbox needs), a registry and a token. */
  static BenchTools create() throws IOException {
    Path state = Files.createTempDirectory("qr-bench-service-");
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
    Path registry = state.resolve("bench-tools.yaml");
    Files.writeString(registry, YAML);
    String token = TokenStore.issue(state.resolve("tokens/tokens"), "bench");
    return new BenchTools(state, registry, token);
  }

  /**
   * Makes another fresh state directory with this one's registry and a copy of its token file, for
   * a second node the same token is valid on.
   */
  BenchTools sibling() throws IOException {
    Path other = Files.createTempDirectory("qr-bench-service-");
    Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rwx--x--x"));
    Files.createDirectories(other.resolve("tokens"));
    Files.copy(state.resolve("tokens/tokens"), other.resolve("tokens/tokens"));
    return new BenchTools(other, registry, token);
  }

  /** Returns the RunRequest JSON of a tool's one verb; {@code n} makes each request distinct. */
  static String request(String tool, long n) {
    return "{\"tool\":\""
        + tool
        + "\",\"version\":\"1\",\"verb\":\"run\",\"params\":{\"n\":"
        + n
        + "}}";
  }
}
