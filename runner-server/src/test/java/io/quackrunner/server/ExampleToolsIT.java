package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped registry/tools.yaml: python, imagemagick and cc through the server and RunClient. */
class ExampleToolsIT {
  static GatewayServer server;
  static String token;
  static Path work;

  @BeforeAll
  static void start() throws Exception {
    Path state = TestApi.newStateDir();
    token = TokenStore.issue(state.resolve("tokens/tokens"), "alice");
    ServerOptions o = TestApi.options(state, 2, 8);
    Path registry = Path.of(System.getProperty("quackrunner.home")).resolve("registry/tools.yaml");
    server =
        TestApi.start(
            new ServerOptions(
                o.port(),
                o.bind(),
                state,
                registry,
                o.tokens(),
                null,
                2,
                8,
                16L << 20,
                16L << 20,
                null,
                null));
    work = Files.createTempDirectory("qr-example-");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private record Outcome(int code, String out, String err) {}

  private Outcome run(
      String tool, String verb, List<Path> inputs, Map<String, String> params, Path dl) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    var c =
        new io.quackrunner.server.client.RunClient(
            server.uri(),
            token,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    // The client puts artifacts in <dl>/<run id>/ and the receipt beside it; the tests read the
    // artifacts through dl, so it is made a link to the run's directory afterwards.
    Path parent;
    try {
      parent = java.nio.file.Files.createTempDirectory(work, "dl");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    int code = c.run(tool, verb, inputs, params, parent, null);
    try (var runs = java.nio.file.Files.list(parent)) {
      Path runDir = runs.filter(java.nio.file.Files::isDirectory).findFirst().orElse(null);
      if (runDir != null && dl != null) {
        java.nio.file.Files.createSymbolicLink(dl, runDir);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new Outcome(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void pythonRunsAnUploadedScript() throws Exception {
    Path script = work.resolve("squares.py");
    Files.writeString(
        script,
        "import os\nwith open(os.path.join(os.environ['OUT_DIR'], 'squares.txt'), 'w') as f:\n"
            + "    f.write(' '.join(str(n * n) for n in range(5)))\nprint('done')\n");
    Path dl = work.resolve("py-out");
    Outcome o = run("python", "run", List.of(script), Map.of("script", "squares.py"), dl);
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.out()).isEqualTo("done\n");
    assertThat(o.err()).contains("SUCCEEDED");
    assertThat(Files.readString(dl.resolve("squares.txt"))).isEqualTo("0 1 4 9 16");
  }

  @Test
  void aPythonScriptThatOnlyPrintsSucceeds() throws Exception {
    Path script = work.resolve("nothing.py");
    Files.writeString(script, "print('no files')\n");
    Outcome o = run("python@1.0.0", "run", List.of(script), Map.of("script", "nothing.py"), null);
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.out()).isEqualTo("no files\n");
    assertThat(o.err()).contains("SUCCEEDED").doesNotContain("declared output");
  }

  @Test
  void theExampleRegistryDeclaresOutputsWhereTheyAreAContract() throws Exception {
    JsonNode tools =
        TestApi.JSON.readTree(new TestApi(server.uri(), token, null).get("/tools", token).body());
    java.util.Map<String, JsonNode> byName = new java.util.HashMap<>();
    tools.path("tools").forEach(t -> byName.put(t.path("name").asText(), t.at("/versions/0")));
    assertThat(byName.get("python").path("outputs")).isEmpty();
    assertThat(byName.get("imagemagick").path("outputs").toString()).contains("thumb.png");
    assertThat(byName.get("cc").path("outputs").toString()).contains("output.txt");
  }

  @Test
  void aThumbnailWithoutItsDeclaredOutputFails() throws Exception {
    // imagemagick declares thumb.png: an input ImageMagick cannot read leaves none, so the run
    // fails even if the script were to exit 0.
    Path junk = work.resolve("junk.ppm");
    Files.writeString(junk, "not an image");
    Outcome o = run("imagemagick", "thumbnail", List.of(junk), Map.of("image", "junk.ppm"), null);
    assertThat(o.code()).as(o.err()).isNotZero();
    assertThat(o.err()).contains("FAILED");
  }

  @Test
  void imagemagickMakesAThumbnailWithAManifest() throws Exception {
    Path ppm = work.resolve("photo.ppm");
    byte[] head = "P6\n64 48\n255\n".getBytes(StandardCharsets.US_ASCII);
    byte[] img = new byte[head.length + 64 * 48 * 3];
    System.arraycopy(head, 0, img, 0, head.length);
    for (int i = head.length; i < img.length; i++) {
      img[i] = (byte) (i * 7);
    }
    Files.write(ppm, img);
    Path dl = work.resolve("im-out");
    Outcome o =
        run(
            "imagemagick",
            "thumbnail",
            List.of(ppm),
            Map.of("image", "photo.ppm", "size", "16x16"),
            dl);
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.out()).contains("thumbnail 16x12");
    JsonNode manifest = TestApi.JSON.readTree(dl.resolve("manifest.json").toFile());
    assertThat(manifest.at("/outputs/0/path").asText()).isEqualTo("thumb.png");
    byte[] png = Files.readAllBytes(dl.resolve("thumb.png"));
    assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
  }

  @Test
  void ccCompilesAndRunsAProgram() throws Exception {
    Path c = work.resolve("hello.c");
    Files.writeString(
        c,
        "#include <stdio.h>\nint main(void) { for (int i = 1; i <= 3; i++) printf(\"%d\\n\", i * i); return 0; }\n");
    Path dl = work.resolve("cc-out");
    Outcome o = run("cc", "run", List.of(c), Map.of("source", "hello.c"), dl);
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.out()).isEqualTo("1\n4\n9\n");
    assertThat(Files.readString(dl.resolve("output.txt"))).isEqualTo("1\n4\n9\n");
    assertThat(Files.readString(dl.resolve("manifest.json"))).contains("\"verb\":\"run\"");
  }

  @Test
  void anUnknownVerbIsRefusedNeverAFallback() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> run("cc", "link", List.of(), Map.of("source", "x.c"), null))
        .hasMessageContaining("unknown verb 'link'");
  }
}
