package io.quackrunner.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.artifacts.Artifact;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real Debian tools through the real sandbox; artifact hashes checked against sha256sum. */
class RealToolsIT {
  static ExecHarness h;

  @BeforeAll
  static void open() throws Exception {
    h = new ExecHarness();
  }

  @Test
  void pythonScriptWritesACsv() throws Exception {
    Path in = Files.createTempDirectory(h.state, "in");
    Files.writeString(
        in.resolve("report.py"),
        "import csv, os\n"
            + "with open(os.path.join(os.environ['OUT_DIR'], 'squares.csv'), 'w', newline='') as f:\n"
            + "    w = csv.writer(f)\n"
            + "    w.writerow(['n', 'n2'])\n"
            + "    for n in range(10): w.writerow([n, n * n])\n"
            + "print('rows written')\n");
    ExecutionResult r = h.run(ExecHarness.limits(), in, "python-3.11", "python3", "in/report.py");
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(ExecHarness.stdout(r)).isEqualTo("rows written\n");
    assertThat(r.fingerprint().runtimeType()).isEqualTo("python");
    assertThat(r.fingerprint().runtimeVersion()).startsWith("3.11.");
    Artifact csv = r.artifacts().get(0);
    assertThat(csv.path()).isEqualTo("squares.csv");
    assertThat(csv.mediaType()).isEqualTo("text/csv");
    assertThat(Files.readString(r.outDir().resolve("squares.csv"))).startsWith("n,n2\r\n0,0\r\n");
    assertThat(ExecHarness.host(r.outDir(), "sha256sum", "squares.csv"))
        .startsWith(csv.sha256() + "  ");
    assertThat(ExecHarness.host(r.outDir(), "sha256sum", "-c", "sha256sums.txt"))
        .contains("squares.csv: OK", "reports/runner.meta.json: OK")
        .doesNotContain("FAILED");
  }

  @Test
  void gccCompilesAndRunsACProgram() throws Exception {
    Path in = Files.createTempDirectory(h.state, "in");
    Files.writeString(
        in.resolve("fib.c"),
        "#include <stdio.h>\n"
            + "int main(void) { long a = 0, b = 1; FILE *f = fopen(\"/workspace/out/fib.txt\", \"w\");\n"
            + "  for (int i = 0; i < 20; i++) { fprintf(f, \"%ld\\n\", a); long t = a + b; a = b; b = t; }\n"
            + "  fclose(f); puts(\"done\"); return 0; }\n");
    ExecutionResult r =
        h.run(
            ExecHarness.limits(),
            in,
            "gcc-12",
            "sh",
            "-c",
            "gcc -O2 -o /tmp/fib in/fib.c && /tmp/fib && cp /tmp/fib $OUT_DIR/fib");
    assertThat(ExecHarness.stderr(r)).isEmpty();
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(ExecHarness.stdout(r)).isEqualTo("done\n");
    assertThat(Files.readAllLines(r.outDir().resolve("fib.txt"))).hasSize(20).endsWith("4181");
    Artifact bin =
        r.artifacts().stream().filter(a -> a.path().equals("fib")).findFirst().orElseThrow();
    assertThat(bin.mediaType()).isEqualTo("application/x-executable");
    for (Artifact a : r.artifacts()) {
      assertThat(ExecHarness.host(r.outDir(), "sha256sum", a.path())).startsWith(a.sha256() + "  ");
    }
  }

  @Test
  void imageMagickMakesAThumbnail() throws Exception {
    Path in = Files.createTempDirectory(h.state, "in");
    // A 64x48 gradient as a binary PPM, made here so the test needs no fixture file.
    StringBuilder header = new StringBuilder("P6\n64 48\n255\n");
    byte[] pixels = new byte[64 * 48 * 3];
    for (int i = 0; i < 64 * 48; i++) {
      pixels[3 * i] = (byte) (i % 64 * 4);
      pixels[3 * i + 1] = (byte) (i / 64 * 5);
      pixels[3 * i + 2] = (byte) 128;
    }
    byte[] head = header.toString().getBytes(StandardCharsets.US_ASCII);
    byte[] ppm = new byte[head.length + pixels.length];
    System.arraycopy(head, 0, ppm, 0, head.length);
    System.arraycopy(pixels, 0, ppm, head.length, pixels.length);
    Files.write(in.resolve("photo.ppm"), ppm);
    ExecutionResult r =
        h.run(
            ExecHarness.limits(),
            in,
            "imagemagick-6",
            "convert",
            "in/photo.ppm",
            "-thumbnail",
            "16x16",
            "/workspace/out/thumb.png");
    assertThat(ExecHarness.stderr(r)).isEmpty();
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    Artifact png = r.artifacts().get(0);
    assertThat(png.mediaType()).isEqualTo("image/png");
    assertThat(ExecHarness.host(r.outDir(), "sha256sum", "thumb.png"))
        .startsWith(png.sha256() + "  ");
    assertThat(ExecHarness.host(r.outDir(), "identify", "thumb.png")).contains("PNG 16x12");
  }

  @Test
  void aMissingRuntimeIsAnErrorNeverAnotherVersion() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> h.run(ExecHarness.limits(), null, "python-3.12", "python3", "--version"))
        .hasMessageContaining("python-3.12")
        .hasMessageContaining("not installed");
  }
}
