package io.quackrunner.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolRegistryTest {
  static final List<String> RUNTIMES = List.of("system", "python-3.11");
  @TempDir Path dir;

  private ToolRegistry load(String yaml) throws Exception {
    Path f = dir.resolve("tools.yaml");
    Files.writeString(f, yaml);
    return ToolRegistry.load(f, RUNTIMES);
  }

  private static final String GOOD =
      """
      registry: 1
      tools:
        - name: echo
          versions:
            - version: "1.0"
              runtime: system
              entrypoint: [echo]
              verbs:
                say:
                  params:
                    type: object
                    properties:
                      word: {type: string}
                      times: {type: integer}
                    required: [word]
                    additionalProperties: false
              outputs: ["*.txt"]
      """;

  @Test
  void loadsResolvesAndBuildsArgvInSchemaOrder() throws Exception {
    ToolRegistry r = load(GOOD);
    ResolvedTool t = r.resolve("echo", "1.0", "say");
    var params = new ObjectMapper().valueToTree(Map.of("times", 2, "word", "hi"));
    assertThat(r.argv(t, params)).containsExactly("echo", "say", "--word=hi", "--times=2");
    assertThat(t.version().digest()).matches("sha256:[0-9a-f]{64}");
  }

  @Test
  void unknownToolVersionOrVerbIsAnErrorNeverAFallback() throws Exception {
    ToolRegistry r = load(GOOD);
    assertThatThrownBy(() -> r.resolve("cat", "1.0", "say"))
        .hasMessageContaining("unknown tool 'cat'");
    assertThatThrownBy(() -> r.resolve("echo", "1", "say"))
        .hasMessageContaining("unknown version '1'");
    assertThatThrownBy(() -> r.resolve("echo", "1.0", "shout"))
        .hasMessageContaining("unknown verb 'shout'")
        .extracting(e -> ((RunnerException) e).kind())
        .isEqualTo(ErrorKind.UNKNOWN_TOOL);
  }

  @Test
  void paramsAreCheckedAgainstTheSchemaAndControlCharactersRefused() throws Exception {
    ToolRegistry r = load(GOOD);
    ResolvedTool t = r.resolve("echo", "1.0", "say");
    ObjectMapper om = new ObjectMapper();
    assertThatThrownBy(() -> r.argv(t, om.valueToTree(Map.of("times", 2))))
        .hasMessageContaining("word");
    assertThatThrownBy(() -> r.argv(t, om.valueToTree(Map.of("word", "a", "x", 1))))
        .hasMessageContaining("x");
    assertThatThrownBy(() -> r.argv(t, om.valueToTree(Map.of("word", "a\nb"))))
        .hasMessageContaining("U+000A");
    assertThatThrownBy(() -> r.argv(t, om.valueToTree(Map.of("word", "a\u0000b"))))
        .hasMessageContaining("U+0000");
  }

  @Test
  void aBadFileNamesTheLineAndTheReason() {
    assertLine(
        GOOD.replace("runtime: system", "runtime: python-9"), 6, "unknown runtime 'python-9'");
    assertLine(
        GOOD.replace("        outputs:", "        colour: red\n        outputs:"),
        17,
        "unknown key 'colour'");
    assertLine(GOOD.replace("entrypoint: [echo]", "entrypoint: []"), 7, "entrypoint");
    assertLine(GOOD.replace("registry: 1", "registry: 2"), 1, "registry: 1");
    assertLine(GOOD.replace("name: echo", "name: Echo!"), 3, "bad name");
    assertLine(GOOD + "  - name: echo\n    versions: []\n", 19, "versions");
    assertLine(GOOD.replace("[word]", "[word"), 16, "flow sequence");
    assertLine(GOOD.replace("type: object", "type: 17"), 11, "");
    // Tool files are copied into every sandbox: never from outside the registry's folder.
    assertLine(
        GOOD.replace("runtime: system", "runtime: system\n        files: ../../etc"),
        7,
        "tool files must be a directory inside");
    assertLine(
        GOOD.replace("runtime: system", "runtime: system\n        files: /etc"),
        7,
        "tool files must be a directory inside");
  }

  private void assertLine(String yaml, int line, String reason) {
    assertThatThrownBy(() -> load(yaml))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining("tools.yaml:" + line + ": ")
        .hasMessageContaining(reason)
        .extracting(e -> ((RunnerException) e).kind())
        .isEqualTo(ErrorKind.CONFIGURATION);
  }

  @Test
  void theShippedExampleRegistryIsValid() {
    Path f = Path.of("../registry/tools.yaml");
    ToolRegistry r =
        ToolRegistry.load(
            f, List.of("system", "python-3.11", "node-20", "gcc-12", "imagemagick-6"));
    assertThat(r.tools()).extracting(Tool::name).containsExactly("python", "imagemagick", "cc");
    assertThat(r.tools().stream().filter(t -> t.versions().get(0).manifest() != null)).isNotEmpty();
    // python declares no outputs (a script that only prints succeeds); the others declare theirs.
    assertThat(r.tools())
        .filteredOn(t -> !t.name().equals("python"))
        .allSatisfy(t -> assertThat(t.versions().get(0).outputs()).isNotEmpty());
    assertThat(r.tools().get(0).versions().get(0).outputs()).isEmpty();
  }

  @Test
  void limitsTakeEitherNameButNotBoth() throws Exception {
    String head =
        "registry: 1\ntools:\n  - name: t\n    versions:\n      - version: \"1\"\n"
            + "        runtime: system\n        entrypoint: [sh]\n"
            + "        verbs: {run: {params: {type: object}}}\n";
    Path dir = java.nio.file.Files.createTempDirectory("qr-limits-");
    Path a =
        java.nio.file.Files.writeString(
            dir.resolve("a.yaml"),
            head + "        limits: {wall_time: 2s, memory_bytes: 1048576}\n");
    ToolRegistry r = ToolRegistry.load(a, List.of("system"));
    assertThat(r.tools().get(0).versions().get(0).limits().wallTimeMs()).isEqualTo(2000);
    assertThat(r.tools().get(0).versions().get(0).limits().memoryBytes()).isEqualTo(1 << 20);
    Path b =
        java.nio.file.Files.writeString(
            dir.resolve("b.yaml"), head + "        limits: {wall_time: 2s, wall_time_ms: 2000}\n");
    assertThatThrownBy(() -> ToolRegistry.load(b, List.of("system")))
        .hasMessageContaining("b.yaml:")
        .hasMessageContaining("also given as");
  }

  private static String withSecrets(String entries) {
    return GOOD + "        secrets:\n" + entries.indent(10);
  }

  @Test
  void secretsAreFilesByDefaultOrNamedEnvironmentVariables() throws Exception {
    ToolRegistry r =
        load(
            withSecrets(
                """
                - API_TOKEN
                - {name: DB_PASS, as: env, env: PGPASSWORD}
                - {name: OTHER, as: env}
                """));
    assertThat(r.resolve("echo", "1.0", "say").version().secrets())
        .containsExactly(
            new SecretSpec(
                "API_TOKEN", io.quackrunner.secrets.SecretValue.Delivery.FILE, "API_TOKEN"),
            new SecretSpec(
                "DB_PASS", io.quackrunner.secrets.SecretValue.Delivery.ENV, "PGPASSWORD"),
            new SecretSpec("OTHER", io.quackrunner.secrets.SecretValue.Delivery.ENV, "OTHER"));
  }

  @Test
  void badSecretDeclarationsNameTheirLine() throws Exception {
    for (String[] bad :
        new String[][] {
          {"- api-token", "bad secret name"},
          {"- {name: A, as: socket}", "'as' must be file or env"},
          {"- {name: A, env: X}", "'env' needs 'as: env'"},
          {"- A\n- A", "declared twice"},
          {"- {name: A, as: env, env: X}\n- {name: B, as: env, env: X}", "already in use"},
          {"- {name: A, mode: file}", "mode"},
        }) {
      assertThatThrownBy(() -> load(withSecrets(bad[0])))
          .as(bad[0])
          .hasMessageContaining(bad[1])
          .hasMessageContaining("tools.yaml:");
    }
  }

  private static String withNetwork(String network) {
    return GOOD + "        network: " + network + "\n";
  }

  @Test
  void aNetworkAllowListIsParsedWithItsCapsAndCountsInTheDigest() throws Exception {
    ToolRegistry r =
        load(
            withNetwork(
                "{allow: [\"api.example.com:443\", \"*.pkg.example.org:443\"],"
                    + " max_connections: 4, max_bytes: 2m}"));
    var e = r.resolve("echo", "1.0", "say").version().network();
    assertThat(e.allow().labels()).containsExactly("api.example.com:443", "*.pkg.example.org:443");
    assertThat(e.maxConnections()).isEqualTo(4);
    assertThat(e.maxBytes()).isEqualTo(2L << 20);
    String other =
        load(withNetwork("{allow: [\"api.example.com:8443\"]}"))
            .resolve("echo", "1.0", "say")
            .version()
            .digest();
    assertThat(other).isNotEqualTo(r.resolve("echo", "1.0", "say").version().digest());
    assertThat(load(GOOD).resolve("echo", "1.0", "say").version().network()).isNull();
  }

  @Test
  void aBadNetworkEntryRefusesTheRegistryNamingTheLine() {
    for (String bad :
        List.of(
            "{allow: [\"api.example.com\"]}",
            "{allow: [\"*.com:443\"]}",
            "{allow: []}",
            "{allow: [\"a.example.com:443\"], extra: 1}",
            "{allow: [\"a.example.com:443\"], max_connections: 0}")) {
      assertThatThrownBy(() -> load(withNetwork(bad)))
          .as(bad)
          .isInstanceOf(RunnerException.class)
          .hasMessageContaining("tools.yaml:")
          .extracting(e -> ((RunnerException) e).kind())
          .isEqualTo(ErrorKind.CONFIGURATION);
    }
  }
}
