package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.receipts.ReceiptLog;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.http.HttpResponse;
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
 * The web run inspector at {@code /ui/} (issue 16) in a real browser: Debian's Chromium, headless,
 * driven by {@code src/test/browser/inspector.mjs} through the pinned playwright-core, against a
 * real gateway on loopback running real tools in the sandbox. The script signs in, watches a run
 * appear and its log live, downloads and previews artifacts (hostile HTML and SVG must not run),
 * verifies a receipt in the page against a key this test reads from the state directory (out of
 * band), and sees a tampered artifact, a receipt signed by another key and a changed proof fail
 * their named checks. The page's own verification code is also run on the public vectors.
 */
class InspectorIT {
  static final Path BROWSER = Path.of("src/test/browser").toAbsolutePath();
  static final Path UI = Path.of("src/main/resources/io/quackrunner/server/ui").toAbsolutePath();
  static final Path SHOTS = Path.of("target/inspector-shots").toAbsolutePath();
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static GatewayServer server;
  static TestApi api;
  static Path state;

  @BeforeAll
  static void start() throws Exception {
    assertThat(BROWSER.resolve("node_modules/playwright-core/package.json"))
        .as("playwright-core is missing: run bin/setup --no-build (npm ci in " + BROWSER + ")")
        .exists();
    assertThat(CHROMIUM).as("Debian's chromium is missing: run bin/setup --no-build").exists();
    state = TestApi.newStateDir();
    String alice = TokenStore.issue(state.resolve("tokens/tokens"), "alice");
    String bob = TokenStore.issue(state.resolve("tokens/tokens"), "bob");
    server = TestApi.start(TestApi.options(state, 2, 8));
    api = new TestApi(server.uri(), alice, bob);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void inspectorWorksInChromium() throws Exception {
    HttpResponse<String> bobRun = api.post("/runs?wait=60", api.bob, TestApi.sh("echo bob", null));
    String bobId = TestApi.json(bobRun).get("id").asText();
    String key;
    // Out of band: the key file in the state directory, as `runner keys show` reads it.
    try (ReceiptLog log = ReceiptLog.open(state)) {
      key = log.keys().active().verifierKey().text();
    }
    Files.createDirectories(SHOTS);
    ProcessBuilder pb = new ProcessBuilder("node", "inspector.mjs").directory(BROWSER.toFile());
    pb.environment().put("QR_BASE", server.uri().toString());
    pb.environment().put("QR_ALICE", api.alice);
    pb.environment().put("QR_BOB_RUN", bobId);
    pb.environment().put("QR_KEY", key);
    pb.environment().put("QR_SHOTS", SHOTS.toString());
    pb.environment().put("QR_CHROMIUM", CHROMIUM.toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    List<String> lines = new ArrayList<>();
    byte[] saved = null;
    try (BufferedReader out =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
      String line;
      while ((line = out.readLine()) != null) {
        lines.add(line);
        String[] w = line.split(" ");
        if (w[0].equals("TAMPER") || w[0].equals("RESTORE")) {
          Path f = server.service().outDir(w[1]).resolve(w[2]);
          if (w[0].equals("TAMPER")) {
            saved = Files.readAllBytes(f);
            byte[] b = saved.clone();
            b[0] ^= 1;
            Files.write(f, b);
          } else {
            Files.write(f, saved);
          }
          in.write("ok\n");
          in.flush();
        }
      }
    }
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    String log = String.join("\n", lines);
    System.out.println(log);
    assertThat(p.exitValue()).as(log).isZero();
    assertThat(log)
        .contains(
            "PASS wrong token refused and not kept",
            "PASS other tenant's run not listed",
            "PASS live log shows both streams",
            "PASS download matches the SHA-256",
            "PASS no hostile script ran",
            "PASS control: the detector sees a script that does run",
            "PASS SIGNATURE passes",
            "PASS INCLUSION passes",
            "PASS CONSISTENCY passes",
            "PASS tampered artifact fails ARTIFACTS",
            "PASS receipt signed by another key fails SIGNATURE",
            "PASS tampered proof fails INCLUSION",
            "PASS ledger consistency passes")
        .contains(" passed, 0 failed");
    assertThat(SHOTS.resolve("run.png")).exists();
  }

  @Test
  void inspectorFilesCarryTheDocumentedSecurityHeaders() throws Exception {
    OpenApiCheck doc = OpenApiCheck.fromResource();
    for (String path : List.of("/ui", "/ui/", "/ui/app.mjs", "/ui/app.css", "/ui/duck.svg")) {
      HttpResponse<String> r = api.get(path, null);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(doc.headerViolations("get", path.length() > 4 ? "/ui/{file}" : "/ui", r))
          .as(path)
          .isEmpty();
      assertThat(r.headers().firstValue("Content-Security-Policy"))
          .hasValue(UiAssets.CSP)
          .get()
          .asString()
          .doesNotContain("unsafe");
      assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }
    assertThat(api.get("/ui/", null).body())
        .doesNotContain("<script>")
        .contains("src=\"/ui/app.mjs\"");
    assertThat(api.get("/ui/app.mjs", null).headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
    for (String path :
        List.of("/ui/nope.mjs", "/ui/a/b.mjs", "/ui/..%2Fopenapi.json", "/ui/App.mjs")) {
      assertThat(api.get(path, null).statusCode()).as(path).isEqualTo(404);
    }
    assertThat(api.post("/ui/", api.alice, "{}").statusCode()).isEqualTo(405);
  }

  @Test
  void verificationModulesPassThePublicVectors() throws Exception {
    Path vectors = Path.of("..", "..", "shared", "vectors").toAbsolutePath().normalize();
    Process p =
        new ProcessBuilder(
                "node",
                "vectors.mjs",
                UI.toString(),
                vectors.toString(),
                Path.of("../docs/receipt-predicate.schema.json").toAbsolutePath().toString())
            .directory(BROWSER.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    System.out.println(out);
    if (!Files.isDirectory(vectors)) {
      System.out.println("SKIP: " + vectors + " is absent; only the built-in checks ran");
    } else {
      assertThat(out).contains("jcs: ", "merkle inclusion: ");
    }
    assertThat(out).contains(" passed, 0 failed");
  }
}
