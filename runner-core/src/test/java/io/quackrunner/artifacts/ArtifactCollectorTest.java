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

  /** A file whose name is the given raw bytes, made by the kernel (no Java string in between). */
  private static void touchRaw(Path dir, byte[] name) throws Exception {
    String hex = java.util.HexFormat.of().formatHex(name);
    Process p =
        new ProcessBuilder(
                "python3",
                "-c",
                "import os,sys; open(os.path.join(os.fsencode(sys.argv[1]),"
                    + " bytes.fromhex(sys.argv[2])), 'wb').write(b'x')",
                dir.toString(),
                hex)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
  }

  private static java.util.List<String> listRaw(Path dir) throws Exception {
    Process p =
        new ProcessBuilder(
                "python3",
                "-c",
                "import os,sys\nfor n in sorted(os.listdir(os.fsencode(sys.argv[1]))): print(n.hex())",
                dir.toString())
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isZero();
    return out.lines().toList();
  }

  @Test
  void sparseFilesCountTheirApparentSizeAndNothingIsWrittenPastTheByteCap(@TempDir Path tmp)
      throws Exception {
    Path out = Files.createDirectory(tmp.resolve("out"));
    Files.writeString(out.resolve("a-small.txt"), "small\n");
    for (int i = 0; i < 5; i++) {
      try (var f = new java.io.RandomAccessFile(out.resolve("sparse-" + i).toFile(), "rw")) {
        f.setLength(63L << 20); // 63 MiB of holes
      }
    }
    Path dest = Files.createDirectory(tmp.resolve("dest"));
    Collection c =
        ArtifactCollector.collect(out, dest, Set.of(), new ArtifactCollector.Caps(1 << 20, 256));
    assertThat(c.artifacts()).extracting(Artifact::path).containsExactly("a-small.txt");
    assertThat(c.violations())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.kind()).isEqualTo("out-size-cap");
              assertThat(v.path()).isEqualTo("sparse-0");
              assertThat(v.detail()).contains("1048576 bytes", "5 files");
            });
    try (var s = Files.walk(dest)) {
      assertThat(s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum())
          .isEqualTo(6);
    }
  }

  @Test
  void filesPastTheFileCapAreNotWritten(@TempDir Path tmp) throws Exception {
    Path out = Files.createDirectory(tmp.resolve("out"));
    for (int i = 0; i < 10; i++) {
      Files.writeString(out.resolve("f" + i), "");
    }
    Path dest = Files.createDirectory(tmp.resolve("dest"));
    Collection c =
        ArtifactCollector.collect(out, dest, Set.of(), new ArtifactCollector.Caps(1 << 20, 4));
    assertThat(c.artifacts()).extracting(Artifact::path).containsExactly("f0", "f1", "f2", "f3");
    assertThat(c.violations())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.kind()).isEqualTo("out-files-cap");
              assertThat(v.path()).isEqualTo("f4");
            });
    try (var s = Files.list(dest)) {
      assertThat(s.count()).isEqualTo(4);
    }
    assertThat(ArtifactCollector.Caps.of(io.quackrunner.limits.LimitsPolicy.builtIn().defaults()))
        .isEqualTo(new ArtifactCollector.Caps(128L << 20, 32768));
  }

  @Test
  void nonUtf8NamesAreRefusedNamedByTheirBytesAndNeverRenamed(@TempDir Path tmp) throws Exception {
    Path out = Files.createDirectory(tmp.resolve("out"));
    touchRaw(out, new byte[] {'b', 'a', 'd', (byte) 0xff});
    touchRaw(out, new byte[] {'b', 'a', 'd', (byte) 0xfe});
    touchRaw(out, "b\u00e4d".getBytes(StandardCharsets.UTF_8)); // valid UTF-8: collected
    Path dest = Files.createDirectory(tmp.resolve("dest"));
    Collection c = ArtifactCollector.collect(out, dest);
    assertThat(c.artifacts()).extracting(Artifact::path).containsExactly("b\u00e4d");
    assertThat(c.violations())
        .extracting(ArtifactViolation::path, ArtifactViolation::kind)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("bad%FE", "non-utf8-name"),
            org.assertj.core.groups.Tuple.tuple("bad%FF", "non-utf8-name"));
    assertThat(listRaw(dest)).containsExactly("62c3a464"); // exactly "bäd", nothing renamed
  }

  @Test
  void namesEqualUnderNfcAreAllRefused(@TempDir Path tmp) throws Exception {
    Path out = Files.createDirectory(tmp.resolve("out"));
    touchRaw(out, "caf\u00e9".getBytes(StandardCharsets.UTF_8)); // NFC
    touchRaw(out, "cafe\u0301".getBytes(StandardCharsets.UTF_8)); // NFD
    Files.writeString(out.resolve("other"), "o");
    Path dest = Files.createDirectory(tmp.resolve("dest"));
    Collection c = ArtifactCollector.collect(out, dest);
    assertThat(c.artifacts()).extracting(Artifact::path).containsExactly("other");
    assertThat(c.violations())
        .extracting(ArtifactViolation::path, ArtifactViolation::kind)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("caf\u00e9", "normalization-collision"),
            org.assertj.core.groups.Tuple.tuple("cafe\u0301", "normalization-collision"));
  }

  @Test
  void deepTreesAndLongPathsAreNamedViolations(@TempDir Path tmp) throws Exception {
    Path out = Files.createDirectory(tmp.resolve("out"));
    Path d = out;
    for (int i = 0; i < ArtifactCollector.MAX_DEPTH + 5; i++) {
      d = Files.createDirectory(d.resolve("d"));
    }
    Files.writeString(d.resolve("bottom"), "b");
    Path l = out;
    for (int i = 0; i < 6; i++) {
      l = Files.createDirectory(l.resolve("x".repeat(200)));
    }
    Files.writeString(l.resolve("f"), "f");
    Files.writeString(out.resolve("ok"), "ok");
    Path dest = Files.createDirectory(tmp.resolve("dest"));
    Collection c = ArtifactCollector.collect(out, dest);
    assertThat(c.artifacts()).extracting(Artifact::path).containsExactly("ok");
    assertThat(c.violations())
        .extracting(ArtifactViolation::path, ArtifactViolation::kind)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                String.join(
                    "/", java.util.Collections.nCopies(ArtifactCollector.MAX_DEPTH + 1, "d")),
                "too-deep"),
            org.assertj.core.groups.Tuple.tuple(
                String.join("/", java.util.Collections.nCopies(6, "x".repeat(200))),
                "path-too-long"));
  }

  @Test
  void violationsPastTheListCapAreCounted(@TempDir Path tmp) throws Exception {
    Path out = Files.createDirectory(tmp.resolve("out"));
    Path target = Files.writeString(tmp.resolve("t"), "t");
    for (int i = 0; i < ArtifactCollector.MAX_VIOLATIONS + 7; i++) {
      Files.createSymbolicLink(out.resolve(String.format("l%03d", i)), target);
    }
    Collection c = ArtifactCollector.collect(out, Files.createDirectory(tmp.resolve("dest")));
    assertThat(c.violations()).hasSize(ArtifactCollector.MAX_VIOLATIONS + 1);
    assertThat(c.violations().get(ArtifactCollector.MAX_VIOLATIONS).kind())
        .isEqualTo("too-many-violations");
    assertThat(c.violations().get(ArtifactCollector.MAX_VIOLATIONS).detail()).startsWith("7 ");
  }
}
