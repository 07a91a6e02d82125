package io.quackrunner.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prepared /etc of host-backed runs ({@link EtcView}) against real mounts: what it holds, that
 * it is read-only, that it follows the host's files the way a per-run bind does (a file replaced by
 * rename, as {@code ldconfig} and {@code dpkg} replace theirs, gives a new view), that processes
 * share a complete view and rebuild a half-made one, and that sweeping a stale view never reaches a
 * copy already bound elsewhere (the view's mounts are private).
 */
class EtcViewIT {
  @TempDir Path root;
  private Path etc;
  private Path views;
  private final List<String> entries = List.of("/etc/ld.so.cache", "/etc/conf.d", "/etc/absent");

  @BeforeEach
  void hostEtc() throws Exception {
    // A shared mount, as systemd makes / and /run: without the view's own private flag, its
    // mounts would join peer groups and an unmount would propagate.
    run("mount", "--bind", root.toString(), root.toString());
    run("mount", "--make-shared", root.toString());
    etc = Files.createDirectory(root.resolve("etc"));
    views = root.resolve("views");
    Files.writeString(etc.resolve("ld.so.cache"), "cache v1");
    Files.createDirectory(etc.resolve("conf.d"));
    Files.writeString(etc.resolve("conf.d/a.conf"), "a");
  }

  @AfterEach
  void unmountAll() throws IOException {
    // Deepest first, so every mount this test made under its directory is gone before @TempDir.
    List<String> points =
        Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
            .map(l -> l.split(" ")[4])
            .filter(p -> p.startsWith(root.toString()))
            .sorted((a, b) -> b.length() - a.length())
            .toList();
    for (String p : points) {
      Posix.unmount(Path.of(p));
    }
  }

  @Test
  void aViewHoldsTheGeneratedUsersAndTheHostEntriesReadOnly() throws Exception {
    Path v = new EtcView(views, etc, Duration.ofMinutes(1)).view(entries);

    assertThat(Files.readString(v.resolve("passwd"))).isEqualTo(Workspace.PASSWD);
    assertThat(Files.readString(v.resolve("group"))).isEqualTo(Workspace.GROUP);
    assertThat(Files.readString(v.resolve("ld.so.cache"))).isEqualTo("cache v1");
    assertThat(Files.readString(v.resolve("conf.d/a.conf"))).isEqualTo("a");
    assertThat(v.resolve("absent")).doesNotExist();
    assertThat(Files.getAttribute(v.resolve("ld.so.cache"), "unix:ino"))
        .isEqualTo(Files.getAttribute(etc.resolve("ld.so.cache"), "unix:ino"));
    String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
    assertThat(mountLine(mounts, v)).contains(" ro,").contains(" - tmpfs ");
    assertThat(mountLine(mounts, v.resolve("ld.so.cache"))).contains(" ro,nosuid,nodev");
    assertThat(mountLine(mounts, v.resolve("conf.d"))).contains(" ro,nosuid,nodev");
    // Private: no "shared:N" field, so nothing propagates to or from it.
    assertThat(mountLine(mounts, v)).doesNotContain("shared:");
    assertThat(mountLine(mounts, v.resolve("ld.so.cache"))).doesNotContain("shared:");
    // Read-only even for root, on the host: the tmpfs is, and so is each bind.
    assertThatThrownBy(() -> Files.writeString(v.resolve("passwd"), "x"))
        .hasMessageContaining("Read-only file system");
    assertThatThrownBy(() -> Files.writeString(v.resolve("ld.so.cache"), "x"))
        .hasMessageContaining("Read-only file system");
    assertThatThrownBy(() -> Files.writeString(v.resolve("conf.d/b.conf"), "x"))
        .hasMessageContaining("Read-only file system");
    assertThat(Files.readString(etc.resolve("ld.so.cache"))).isEqualTo("cache v1");
  }

  @Test
  void anUnchangedHostGivesTheSameViewToThisAndToAnotherProcess() throws Exception {
    Path v = new EtcView(views, etc, Duration.ofMinutes(1)).view(entries);
    Object tmpfsRoot = Files.getAttribute(v, "unix:ino");
    String before = Files.readString(Path.of("/proc/self/mountinfo"));

    EtcView other = new EtcView(views, etc, Duration.ofMinutes(1)); // a second runner process
    assertThat(other.view(entries)).isEqualTo(v);
    assertThat(other.view(entries)).isEqualTo(v);

    assertThat(Files.getAttribute(v, "unix:ino")).isEqualTo(tmpfsRoot);
    assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).isEqualTo(before);
    // A change inside a bound directory is seen through the same view, as through a bind.
    Files.writeString(etc.resolve("conf.d/b.conf"), "b");
    assertThat(other.view(entries)).isEqualTo(v);
    assertThat(Files.readString(v.resolve("conf.d/b.conf"))).isEqualTo("b");
  }

  @Test
  void aFileReplacedByRenameGivesANewViewAndTheOldOneIsSweptAfterItsGrace() throws Exception {
    EtcView ev = new EtcView(views, etc, Duration.ofMillis(200));
    Path v1 = ev.view(entries);

    replace(etc.resolve("ld.so.cache"), "cache v2"); // what ldconfig does
    Path v2 = ev.view(entries);

    assertThat(v2).isNotEqualTo(v1);
    assertThat(Files.readString(v2.resolve("ld.so.cache"))).isEqualTo("cache v2");
    // The old view stays usable through the grace: a run that checked it just before may bind it.
    assertThat(Files.readString(v1.resolve("ld.so.cache"))).isEqualTo("cache v1");
    assertThat(views.resolve(v1.getFileName() + ".stale")).exists();

    Thread.sleep(400);
    replace(etc.resolve("ld.so.cache"), "cache v3"); // the next build sweeps
    Path v3 = ev.view(entries);

    assertThat(Files.readString(v3.resolve("ld.so.cache"))).isEqualTo("cache v3");
    assertThat(v1).doesNotExist();
    assertThat(views.resolve(v1.getFileName() + ".complete")).doesNotExist();
    assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(v1.toString());
    assertThat(v2).exists(); // stale since this build only
  }

  @Test
  void sweepingAViewLeavesACopyBoundBeforeIntact() throws Exception {
    EtcView ev = new EtcView(views, etc, Duration.ZERO);
    Path v1 = ev.view(entries);
    // A sandbox's /etc is a recursive bind of the view made before; here, one on the host.
    Path copy = Files.createDirectory(root.resolve("copy"));
    rbind(v1, copy);

    replace(etc.resolve("ld.so.cache"), "cache v2");
    ev.view(entries); // marks v1 stale
    replace(etc.resolve("ld.so.cache"), "cache v3");
    ev.view(entries); // grace zero: unmounts v1 and its binds

    assertThat(v1).doesNotExist();
    assertThat(Files.readString(copy.resolve("ld.so.cache"))).isEqualTo("cache v1");
    assertThat(Files.readString(copy.resolve("conf.d/a.conf"))).isEqualTo("a");
  }

  @Test
  void aViewLeftHalfMadeIsRebuilt() throws Exception {
    EtcView ev = new EtcView(views, etc, Duration.ofMinutes(1));
    Path v = ev.view(entries);
    // As a runner killed between the tmpfs and the marker leaves it: mounted, without its marker.
    Files.delete(views.resolve(v.getFileName() + ".complete"));
    Posix.unmount(v.resolve("ld.so.cache"));

    Path again = new EtcView(views, etc, Duration.ofMinutes(1)).view(entries);

    assertThat(again).isEqualTo(v);
    assertThat(Files.readString(again.resolve("ld.so.cache"))).isEqualTo("cache v1");
    assertThat(views.resolve(v.getFileName() + ".complete")).exists();
    long tmpfsMounts =
        Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
            .filter(l -> l.split(" ")[4].equals(v.toString()))
            .count();
    assertThat(tmpfsMounts).isEqualTo(1);
  }

  @Test
  void onlyEntriesBelowEtcOtherThanTheGeneratedOnesAreAccepted() {
    EtcView ev = new EtcView(views, etc, Duration.ofMinutes(1));
    for (String bad : List.of("/usr/lib", "/etc/passwd", "/etc/group", "/etc/../root", "/etc")) {
      assertThatThrownBy(() -> ev.view(List.of(bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static void replace(Path file, String content) throws IOException {
    Path aside = file.resolveSibling(file.getFileName() + ".new");
    Files.writeString(aside, content);
    Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void rbind(Path source, Path target) throws Exception {
    run("mount", "--rbind", source.toString(), target.toString());
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
  }

  private static String mountLine(String mountinfo, Path point) {
    return mountinfo
        .lines()
        .filter(l -> l.split(" ")[4].equals(point.toString()))
        .reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("no mount at " + point));
  }
}
