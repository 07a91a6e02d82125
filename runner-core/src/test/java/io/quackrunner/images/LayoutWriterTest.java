package io.quackrunner.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layout writer makes the same bytes from the same input at any time (sorted members, fixed
 * mtimes and owners, PAX headers for long names included), and its layouts import.
 */
class LayoutWriterTest {
  @TempDir Path dir;

  private static final String LONG = "usr/share/" + "x".repeat(150) + "/file";

  private Path rootfs(String name, boolean reversed) throws Exception {
    OciBuilder.Tar t = OciBuilder.tar();
    List<Runnable> adds =
        new java.util.ArrayList<>(
            List.of(
                () -> t.dir("./", 0755),
                () -> t.dir("./usr/", 0755),
                () -> t.dir("./usr/bin/", 0755),
                () -> t.file("./usr/bin/tool", "#!/bin/sh\n".getBytes(), 0755),
                () -> t.hardlink("./usr/bin/again", "./usr/bin/tool"),
                () -> t.symlink("./bin", "usr/bin"),
                () -> t.special("./dev-null", TarConstants.LF_CHR),
                () -> t.dir("./usr/share/", 0755),
                () -> t.dir("./usr/share/" + "x".repeat(150) + "/", 0755),
                () -> t.file("./" + LONG, "long".getBytes(), 0644)));
    if (reversed) {
      // a hard link before its target: the writer puts hard links last
      java.util.Collections.swap(adds, 3, 4);
    }
    adds.forEach(Runnable::run);
    return Files.write(dir.resolve(name), t.bytes());
  }

  private LayoutWriter.Written write(Path tar, String out, Path extra) throws Exception {
    return LayoutWriter.write(
        tar,
        extra == null ? List.of() : List.of(new LayoutWriter.Extra("usr/bin/node", extra, 0755)),
        1_700_000_000L,
        "/usr/bin:/bin",
        "base",
        Map.of("io.quackrunner.recipe.sha256", "ab"),
        dir.resolve(out));
  }

  @Test
  void sameInputSameDigestAtAnotherTime() throws Exception {
    Path tar = rootfs("a.tar", false);
    LayoutWriter.Written one = write(tar, "one", null);
    Thread.sleep(1100);
    Files.setLastModifiedTime(tar, java.nio.file.attribute.FileTime.fromMillis(0));
    LayoutWriter.Written two = write(tar, "two", null);
    assertThat(two.manifest()).isEqualTo(one.manifest());
    assertThat(write(rootfs("b.tar", true), "three", null).manifest()).isEqualTo(one.manifest());
  }

  @Test
  void anExtraFileOrAnotherAnnotationChangesTheDigestAndTheLayoutImports() throws Exception {
    Path tar = rootfs("a.tar", false);
    Path node = Files.writeString(dir.resolve("node"), "#!/bin/sh\necho v20\n");
    LayoutWriter.Written plain = write(tar, "plain", null);
    LayoutWriter.Written withNode = write(tar, "node-layout", node);
    assertThat(withNode.manifest()).isNotEqualTo(plain.manifest());

    ImageStore store = ImageStore.open(dir.resolve("state"));
    StoredImage img = store.importFrom(dir.resolve("node-layout"), null, null);
    assertThat(img.digest()).isEqualTo(withNode.manifest().toString());
    Path root =
        store.directory().resolve("roots").resolve(withNode.manifest().hex()).resolve("rootfs");
    assertThat(Files.readString(root.resolve("usr/bin/node"))).isEqualTo("#!/bin/sh\necho v20\n");
    assertThat(Files.getPosixFilePermissions(root.resolve("usr/bin/node")))
        .contains(PosixFilePermission.OWNER_EXECUTE);
    assertThat(Files.readString(root.resolve(LONG))).isEqualTo("long");
    assertThat(root.resolve("dev-null")).doesNotExist();
    assertThat(Files.isSymbolicLink(root.resolve("bin"))).isTrue();
    assertThat(Files.readString(root.resolve("usr/bin/again"))).isEqualTo("#!/bin/sh\n");
  }
}
