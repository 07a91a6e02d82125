package io.quackrunner.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Makes an unpacked root filesystem ready to be a sandbox's read-only root: every place the sandbox
 * mounts over ({@code /tmp}, {@code /proc}, {@code /dev}, {@code /workspace/in}, {@code
 * /workspace/out}, {@code /run/secrets}) is a real directory, and every file it binds over ({@code
 * /etc/passwd}, {@code /etc/group}, {@code /etc/resolv.conf}, {@code /etc/hosts}) a regular file.
 * Whatever the image had there that is not (a symbolic link, say, pointing anywhere) is replaced,
 * so that no mount of the sandbox lands where an image's link points.
 */
final class SandboxRoot {
  static final List<String> DIRS =
      List.of(
          "tmp",
          "proc",
          "dev",
          "etc",
          "run",
          "run/secrets",
          "workspace",
          "workspace/in",
          "workspace/out");
  static final List<String> FILES =
      List.of("etc/passwd", "etc/group", "etc/resolv.conf", "etc/hosts");

  private SandboxRoot() {}

  static void prepare(Path rootfs) throws IOException {
    for (String d : DIRS) {
      Path p = rootfs.resolve(d);
      if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        LayerUnpacker.removeIfPresent(p);
        Files.createDirectory(p);
        Files.setPosixFilePermissions(p, LayerUnpacker.perms(0755));
      }
    }
    for (String f : FILES) {
      Path p = rootfs.resolve(f);
      if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        LayerUnpacker.removeIfPresent(p);
        Files.createFile(p);
        Files.setPosixFilePermissions(p, LayerUnpacker.perms(0644));
      }
    }
  }
}
