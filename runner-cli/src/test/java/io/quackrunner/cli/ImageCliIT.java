package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runner image import|ls|inspect|rm} through the real launcher on the busybox-1 recipe's
 * archive (umoci + skopeo), a run on it, a refused archive, and {@code runner serve} refusing a
 * registry pinned to an image that is not imported.
 */
class ImageCliIT {
  @TempDir Path work;

  private static String sh(Path dir, String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }

  @Test
  void importRunInspectRemove() throws Exception {
    RunnerProcess runner = RunnerProcess.withState(work);
    Path archive = work.resolve("busybox-1.tar");
    sh(RunnerProcess.HOME, "sh", "runners/busybox-1/build.sh", archive.toString());
    String digest =
        "sha256:"
            + sh(work, "sh", "-c", "skopeo inspect --raw oci-archive:" + archive + " | sha256sum")
                .substring(0, 64);

    var imported =
        runner.run("image", "import", archive.toString(), "--name", "busybox-1").succeeds();
    assertThat(imported.stdout()).startsWith(digest + "\tbusybox-1\t");
    assertThat(runner.run("image", "ls").succeeds().stdoutLines())
        .singleElement()
        .satisfies(l -> assertThat(l).startsWith(digest + "\tbusybox-1\t"));
    JsonNode inspect =
        new ObjectMapper()
            .readTree(runner.run("image", "inspect", "busybox-1").succeeds().stdout());
    assertThat(inspect.get("digest").asText()).isEqualTo(digest);
    assertThat(inspect.get("layers")).hasSize(1);

    Path out = work.resolve("out");
    runner
        .run(
            "exec",
            "--runtime",
            "busybox-1@" + digest,
            "--out-dir",
            out.toString(),
            "--",
            "sh",
            "-c",
            "busybox | head -n 1; echo ok > $OUT_DIR/ok.txt")
        .succeeds();
    JsonNode meta = new ObjectMapper().readTree(out.resolve("reports/runner.meta.json").toFile());
    assertThat(meta.get("container_digest").asText()).isEqualTo(digest);
    assertThat(meta.get("image").asText()).isEqualTo("busybox-1@" + digest);
    assertThat(out.resolve("ok.txt")).hasContent("ok");

    // A truncated archive is refused with one line, exit 1, and leaves nothing behind.
    byte[] b = Files.readAllBytes(archive);
    Path cut = Files.write(work.resolve("cut.tar"), Arrays.copyOf(b, b.length / 3));
    runner.run("image", "import", cut.toString(), "--name", "cut").failsWithOneLine(1, "cut.tar");
    assertThat(runner.run("image", "ls").succeeds().stdoutLines()).hasSize(1);

    runner.run("image", "rm", "busybox-1").succeeds();
    assertThat(runner.run("image", "ls").succeeds().stdout()).isEmpty();
    runner.run("image", "rm", "busybox-1").failsWithOneLine(125, "no image busybox-1");
    runner
        .run(
            "exec",
            "--runtime",
            "busybox-1@" + digest,
            "--out-dir",
            work.resolve("o2").toString(),
            "--",
            "true")
        .failsWithOneLine(125, "is not imported");
  }

  @Test
  void serveRefusesARegistryPinnedToAMissingRunner() throws Exception {
    RunnerProcess runner = RunnerProcess.withState(work);
    String pin = "system@sha256:" + "0".repeat(64);
    Path reg =
        Files.writeString(
            work.resolve("tools.yaml"),
            """
            registry: 1
            tools:
              - name: echo
                versions:
                  - version: "1.0"
                    runtime: %s
                    entrypoint: [echo]
                    verbs:
                      say: {}
            """
                .formatted(pin));
    runner.serveRefuses(reg, "tool echo version 1.0: runner " + pin + " is not imported");
  }
}
