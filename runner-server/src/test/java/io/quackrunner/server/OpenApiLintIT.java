package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lints the document a real server serves at {@code /openapi.json} with two third-party linters,
 * pinned in {@code src/test/lint/package-lock.json} and installed by {@code bin/setup}: Redocly CLI
 * ({@code recommended}) and Spectral ({@code spectral:oas}); both must report 0 errors and 0
 * warnings (a rule switched off in their rulesets must say why there).
 */
class OpenApiLintIT {
  static final Path LINT = Path.of("src/test/lint").toAbsolutePath();
  static GatewayServer server;
  static Path doc;

  @BeforeAll
  static void start() throws Exception {
    Path state = TestApi.newStateDir();
    server = TestApi.start(TestApi.options(state, 1, 1));
    doc = Files.createTempFile("qr-openapi-", ".json");
    Files.writeString(doc, new TestApi(server.uri(), null, null).get("/openapi.json", null).body());
    assertThat(LINT.resolve("node_modules/.bin/redocly"))
        .as("the pinned linters are missing: run bin/setup --no-build (npm ci in " + LINT + ")")
        .exists();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    Files.deleteIfExists(doc);
  }

  private record Result(int code, String output, String stderr) {}

  private static Result lint(String... argv) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(argv));
    Path out = Files.createTempFile("qr-lint-", ".txt");
    Path err = Files.createTempFile("qr-lint-", ".err");
    Process p =
        new ProcessBuilder(cmd)
            .directory(LINT.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as(String.join(" ", cmd)).isTrue();
    String text = Files.readString(out, StandardCharsets.UTF_8);
    String errors = Files.readString(err, StandardCharsets.UTF_8);
    Files.delete(out);
    Files.delete(err);
    return new Result(p.exitValue(), text, errors);
  }

  @Test
  void redoclyFindsNoErrorAndNoWarning() throws Exception {
    Result r =
        lint(
            "node_modules/.bin/redocly",
            "lint",
            "--config",
            "redocly.yaml",
            "--format",
            "json",
            doc.toString());
    assertThat(r.code()).as(r.output() + r.stderr()).isZero();
    var totals = TestApi.JSON.readTree(r.output()).get("totals");
    assertThat(totals.get("errors").asInt()).as(r.output()).isZero();
    assertThat(totals.get("warnings").asInt()).as(r.output()).isZero();
    assertThat(totals.get("ignored").asInt()).as(r.output()).isZero();
  }

  @Test
  void spectralFindsNothingAtAnySeverity() throws Exception {
    Result r =
        lint(
            "node_modules/.bin/spectral",
            "lint",
            "--ruleset",
            ".spectral.yaml",
            "--format",
            "text",
            "--fail-severity",
            "hint",
            doc.toString());
    assertThat(r.code()).as(r.output()).isZero();
    assertThat(r.output())
        .as(r.output())
        .contains("No results with a severity of 'hint' or higher");
  }

  @Test
  void theLintersDoFailOnABrokenDocument() throws Exception {
    // The check above is only worth something if the linters report a real defect.
    Path broken = Files.createTempFile("qr-openapi-broken-", ".json");
    Files.writeString(
        broken,
        Files.readString(doc)
            .replace("\"operationId\": \"getHealth\",", "")
            .replace("\"servers\"", "\"x-servers\""));
    try {
      Result redocly =
          lint("node_modules/.bin/redocly", "lint", "--config", "redocly.yaml", broken.toString());
      assertThat(redocly.code()).as(redocly.output()).isNotZero();
      Result spectral =
          lint(
              "node_modules/.bin/spectral",
              "lint",
              "--ruleset",
              ".spectral.yaml",
              "--fail-severity",
              "warn",
              broken.toString());
      assertThat(spectral.code()).as(spectral.output()).isNotZero();
      assertThat(spectral.output()).contains("operation-operationId");
    } finally {
      Files.delete(broken);
    }
  }
}
