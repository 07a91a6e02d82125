package io.quackrunner.fault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A small tmpfs mounted on a fresh directory with mount(8), for tests that need a file system that
 * fills up or is read-only. Needs root, as the sandbox tests do.
 */
final class TmpfsMount implements AutoCloseable {
  private final Path dir;

  private TmpfsMount(Path dir) {
    this.dir = dir;
  }

  /** Mounts a tmpfs of {@code size} (mount(8) syntax, e.g. {@code 2m}), mode 0711. */
  static TmpfsMount of(String size) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("qr-fault-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0711", "tmpfs", dir.toString());
    return new TmpfsMount(dir);
  }

  Path dir() {
    return dir;
  }

  /** Remounts with new options, e.g. {@code size=16m} or {@code ro}. */
  void remount(String options) throws IOException, InterruptedException {
    run("mount", "-o", "remount," + options, dir.toString());
  }

  /** Returns the mount points strictly below this one (none should outlive a run). */
  List<String> mountsBelow() throws IOException {
    String prefix = dir + "/";
    return Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8).stream()
        .map(line -> line.split(" ")[4])
        .filter(mountPoint -> mountPoint.startsWith(prefix))
        .toList();
  }

  /** Unmounts (lazily if busy) and removes the directory. */
  @Override
  public void close() throws IOException, InterruptedException {
    for (String m : mountsBelow().reversed()) {
      run("umount", "-l", m);
    }
    run("umount", "-l", dir.toString());
    Files.delete(dir);
  }

  static void run(String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", argv) + " failed: " + out.strip());
    }
  }
}
