package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tool that leaves a hostile tree in out/ (sparse files, depth, undecodable or colliding names,
 * overlong paths) gets a FAILED run with a receipt and a named violation, through the real launcher
 * and real sandboxes: never an internal error that erases the record of the run, never a silently
 * renamed file, and never more on the host disk than the out/ cap.
 */
class HostileOutTreeIT {
  @TempDir Path work;
  RunnerProcess runner;

  @BeforeEach
  void setUp() {
    runner = RunnerProcess.withState(work);
  }

  private Path exec(String name, String script, String... options) {
    Path out = work.resolve(name);
    List<String> args = new java.util.ArrayList<>(List.of("exec", "--out-dir", out.toString()));
    args.addAll(List.of(options));
    args.addAll(List.of("--", "sh", "-c", script));
    var r = runner.run(args.toArray(String[]::new));
    // docs/EXIT-CODES.md: a violation by a command that exited 0 exits 125 with this one line,
    // and the receipt records the run
    r.failsWithOneLine(125, "artifact violation: ");
    assertThat(out.resolve("reports/receipt.dsse.json")).isNotEmptyFile();
    assertThat(out.resolve("reports/runner.meta.json")).isNotEmptyFile();
    assertThat(out.resolve("sha256sums.txt")).exists();
    last = r;
    return out;
  }

  private RunnerProcess.Result last;

  private static String payloadOf(Path out) throws Exception {
    var node =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(out.resolve("reports/receipt.dsse.json").toFile());
    return new String(
        java.util.Base64.getDecoder().decode(node.get("payload").asText()), StandardCharsets.UTF_8);
  }

  private static void sha256sumChecks(Path out) throws Exception {
    Process p =
        new ProcessBuilder("sha256sum", "--strict", "-c", "sha256sums.txt")
            .directory(out.toFile())
            .redirectErrorStream(true)
            .start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(text).isZero();
  }

  private static long hostBytes(Path out) throws Exception {
    try (var s = Files.walk(out)) {
      return s.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
          .filter(f -> !out.relativize(f).startsWith("reports"))
          .filter(f -> !f.getFileName().toString().equals("sha256sums.txt"))
          .mapToLong(f -> f.toFile().length())
          .sum();
    }
  }

  @Test
  void thirtySparse63MiBFilesUnderA1MiBOutDirDeliverAtMostTheCap() throws Exception {
    Path out =
        exec(
            "sparse",
            "echo kept > $OUT_DIR/0-kept.txt; i=1; while [ $i -le 30 ]; do"
                + " truncate -s 63M $OUT_DIR/s$i || exit 9; i=$((i+1)); done",
            "--out-size",
            "1m");
    assertThat(last.stderr()).contains("out-size-cap", "1048576 bytes", "30 files");
    assertThat(hostBytes(out)).as("bytes written to the host").isLessThanOrEqualTo(1 << 20);
    assertThat(out.resolve("0-kept.txt")).hasContent("kept");
    assertThat(out.resolve("s1")).doesNotExist();
    String payload = payloadOf(out);
    assertThat(payload).contains("\"run_status\":\"FAILED\"", "out-size-cap", "0-kept.txt");
    sha256sumChecks(out);
  }

  @Test
  void moreFilesThanTheFileCapAreNotWritten() throws Exception {
    // out-size 64k: a cap of 16 files
    Path out =
        exec(
            "many",
            "cd $OUT_DIR; i=100; while [ $i -lt 140 ]; do : > f$i; i=$((i+1)); done",
            "--out-size",
            "64k");
    assertThat(last.stderr()).contains("f116: out-files-cap", "cap of 16");
    try (var s = Files.list(out)) {
      assertThat(s.filter(f -> f.getFileName().toString().startsWith("f")).count()).isEqualTo(16);
    }
    sha256sumChecks(out);
  }

  @Test
  void aThreeThousandDeepTreeIsAViolationNotAnInternalError() throws Exception {
    Path out =
        exec(
            "deep",
            "echo top > $OUT_DIR/top.txt; cd $OUT_DIR; python3 -c \"import os\n"
                + "for _ in range(3000): os.mkdir('d'); os.chdir('d')\n"
                + "open('f', 'w').write('bottom')\" || exit 9");
    assertThat(last.stderr()).contains(": too-deep");
    assertThat(out.resolve("top.txt")).hasContent("top");
    assertThat(payloadOf(out)).contains("\"run_status\":\"FAILED\"", "too-deep");
    sha256sumChecks(out);
  }

  @Test
  void nonUtf8NamesThatDecodeAlikeAreRefusedByTheirBytes() throws Exception {
    Path out =
        exec(
            "bytes",
            "cd $OUT_DIR; echo a > \"$(printf 'bad\\377')\"; echo b > \"$(printf 'bad\\376')\";"
                + " echo ok > good");
    assertThat(last.stderr()).contains("bad%FE: non-utf8-name");
    assertThat(out.resolve("good")).hasContent("ok");
    try (var s = Files.list(out)) {
      // nothing renamed: no bad\uFFFD (nor anything else) stands in for the refused names
      assertThat(s.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder("good", "reports", "sha256sums.txt");
    }
    assertThat(payloadOf(out)).contains("\"run_status\":\"FAILED\"", "non-utf8-name");
    sha256sumChecks(out);
  }

  @Test
  void namesThatDifferOnlyByNormalizationAreRefused() throws Exception {
    Path out =
        exec(
            "nfc",
            "cd $OUT_DIR; echo c > \"$(printf 'caf\\303\\251')\";"
                + " echo d > \"$(printf 'cafe\\314\\201')\"; echo ok > good");
    assertThat(last.stderr()).contains("normalization-collision");
    try (var s = Files.list(out)) {
      assertThat(s.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder("good", "reports", "sha256sums.txt");
    }
    sha256sumChecks(out);
  }

  @Test
  void anOverlongPathIsRefused() throws Exception {
    Path out =
        exec(
            "long",
            "cd $OUT_DIR; n=$(printf '%0250d' 0); p=$n/$n/$n/$n/$n; mkdir -p $p && echo f > $p/f;"
                + " echo ok > good");
    assertThat(last.stderr()).contains(": path-too-long");
    assertThat(out.resolve("good")).hasContent("ok");
    assertThat(payloadOf(out)).contains("\"run_status\":\"FAILED\"", "path-too-long");
    sha256sumChecks(out);
  }
}
