package io.quackrunner.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactCollectorTest {
  @Test
  void copiesRegularFilesAndRefusesEverythingElse(@TempDir Path tmp) throws Exception {
    Path out = Files.createDirectory(tmp.resolve("out"));
    Path secret = Files.writeString(tmp.resolve("secret"), "host secret");
    Files.writeString(out.resolve("a.txt"), "hello\n");
    Files.createDirectories(out.resolve("sub/deeper"));
    Files.write(out.resolve("sub/deeper/pic.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2});
    Files.createSymbolicLink(out.resolve("link"), secret);
    Files.createSymbolicLink(out.resolve("dirlink"), tmp);
    Files.writeString(out.resolve("h1"), "same inode");
    Files.createLink(out.resolve("h2"), out.resolve("h1"));
    new ProcessBuilder("mkfifo", out.resolve("pipe").toString()).start().waitFor();
    Files.writeString(out.resolve("bad\nname"), "x");
    Files.createDirectory(out.resolve("reports"));
    Files.writeString(out.resolve("reports/forged.json"), "{}");

    Path dest = Files.createDirectory(tmp.resolve("dest"));
    Collection c = ArtifactCollector.collect(out, dest, Set.of("reports"));

    assertThat(c.artifacts())
        .extracting(Artifact::path)
        .containsExactly("a.txt", "sub/deeper/pic.png");
    assertThat(c.artifacts().get(0).sha256())
        .isEqualTo("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
    assertThat(c.artifacts().get(0).sizeBytes()).isEqualTo(6);
    assertThat(c.artifacts().get(1).mediaType()).isEqualTo("image/png");
    Map<String, String> v =
        c.violations().stream()
            .collect(Collectors.toMap(ArtifactViolation::path, ArtifactViolation::kind));
    assertThat(v)
        .containsEntry("link", "symlink")
        .containsEntry("dirlink", "symlink")
        .containsEntry("h1", "hardlink")
        .containsEntry("h2", "hardlink")
        .containsEntry("pipe", "fifo")
        .containsEntry("bad\nname", "unsafe-name")
        .containsEntry("reports", "reserved");
    assertThat(Files.readString(dest.resolve("a.txt"), StandardCharsets.UTF_8))
        .isEqualTo("hello\n");
    assertThat(Files.exists(dest.resolve("link"))).isFalse();
    assertThat(Files.exists(dest.resolve("reports/forged.json"))).isFalse();
  }

  @Test
  void mediaTypesComeFromMagicThenExtension() {
    assertThat(MediaTypes.detect("x.bin", new byte[] {0x7F, 'E', 'L', 'F'}))
        .isEqualTo("application/x-executable");
    assertThat(MediaTypes.detect("photo.JPG", new byte[0])).isEqualTo("image/jpeg");
    assertThat(MediaTypes.detect("data.csv", "a,b".getBytes())).isEqualTo("text/csv");
    assertThat(MediaTypes.detect("noext", new byte[] {1})).isEqualTo("application/octet-stream");
  }

  @Test
  void sha256SumsMatchCoreutilsFormat(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("b.txt"), "b");
    Files.createDirectory(dir.resolve("reports"));
    Files.writeString(dir.resolve("reports/meta.json"), "{}");
    Artifact b = new Artifact("b.txt", 1, Sha256Sums.hash(dir.resolve("b.txt")), "text/plain");
    Sha256Sums.write(dir, java.util.List.of(b), java.util.List.of("reports/meta.json"));
    Process p =
        new ProcessBuilder("sha256sum", "-c", "sha256sums.txt")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).isEqualTo("b.txt: OK\nreports/meta.json: OK\n");
  }
}
