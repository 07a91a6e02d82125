package io.quackrunner.sandbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sandbox's {@code /etc}, made once on the host and bound by each run as one recursive mount: a
 * small read-only tmpfs holding the generated {@code passwd} and {@code group} and, as mount
 * points, read-only binds of the host's {@code /etc} entries the run may see (the loader cache,
 * alternatives, time zone, and per network mode and runtime profile the resolver files, CA
 * certificates and the profile's own). One bind of a view instead of one bind per entry saves about
 * 1 ms per run (docs/BENCHMARKS.md, issue 19).
 *
 * <p>A view is named by the SHA-256 of its entry list, the device and inode each entry resolves to
 * on the host (symbolic links followed, as a bind follows them) and the passwd and group content.
 * Each call checks the host's entries again, so a run sees the host's current files exactly as a
 * per-run bind would: a file bind pins an inode, and {@code ldconfig} or {@code dpkg} replace files
 * by renaming a new one over them, which gives a new inode, a new name and a new view. Views live
 * under one directory shared by every runner process on the host ({@code /run/quackrunner/etc});
 * they are built under a host-wide file lock, marked complete by a {@code NAME.complete} file
 * listing their entries, and never changed once complete. All their mounts are private, so
 * unmounting a view never reaches a running sandbox's copy of it. A view whose entries no longer
 * match the host is unmounted by a later build once it has been stale for {@link #STALE_GRACE},
 * which leaves a run that checked it just before the change time to bind it.
 */
final class EtcView {
  /** How long a stale view stays mounted after a build first finds it stale, by default. */
  static final Duration STALE_GRACE = Duration.ofSeconds(60);

  /** Room in the view's tmpfs: passwd, group and the mount points. */
  private static final long TMPFS_BYTES = 256 * 1024;

  private static final long TMPFS_INODES = 256;

  /** Serialises builds inside this JVM; the file lock serialises them across processes. */
  private static final Object BUILD = new Object();

  /** One host entry as a bind would take it: its path, the inode it resolves to, its kind. */
  private record Bound(String entry, Object fileKey, boolean directory) {}

  private record Current(List<Bound> bound, Path path) {}

  private final Path dir;
  private final Path hostEtc;
  private final Duration staleGrace;
  private final Map<List<String>, Current> current = new ConcurrentHashMap<>();

  /**
   * @param dir where views are kept, e.g. {@code /run/quackrunner/etc}; created mode 0711 when
   *     missing (the sandbox's bubblewrap runs as the slot's uid and must traverse it)
   */
  EtcView(Path dir) {
    this(dir, Path.of("/etc"), STALE_GRACE);
  }

  /**
   * @param hostEtc the directory an entry {@code /etc/X} is read from ({@code /etc}; a test's own
   *     directory in tests)
   * @param staleGrace how long a stale view stays mounted after a build first finds it stale
   */
  EtcView(Path dir, Path hostEtc, Duration staleGrace) {
    this.dir = dir;
    this.hostEtc = hostEtc;
    this.staleGrace = staleGrace;
  }

  /**
   * Returns a complete view whose mount points hold what {@code entries} resolve to on the host
   * now, building it when none exists. An entry that does not exist is left out, as bubblewrap's
   * {@code --ro-bind-try} leaves it out.
   *
   * @param entries absolute paths strictly below {@code /etc}, without {@code ..}, other than
   *     {@code /etc/passwd} and {@code /etc/group} (which the view generates)
   * @throws IOException when a host entry cannot be read, or the view cannot be made (the failing
   *     mount and its error are in the message)
   */
  Path view(List<String> entries) throws IOException {
    for (int attempt = 1; ; attempt++) {
      List<Bound> host = stat(entries);
      Current c = current.get(entries);
      if (c != null && c.bound().equals(host)) {
        return c.path();
      }
      Path p = dir.resolve(name(host));
      synchronized (BUILD) {
        ensureDirectory();
        try (FileChannel ch =
                FileChannel.open(
                    dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = ch.lock()) {
          if (!complete(p, host)) {
            build(p, host);
          }
          sweep();
        }
      }
      // An entry replaced while the view was made leaves a view of the old inode: look again.
      if (stat(entries).equals(host)) {
        current.put(List.copyOf(entries), new Current(host, p));
        return p;
      }
      if (attempt == 3) {
        throw new IOException("the host's /etc entries kept changing while their view was made");
      }
    }
  }

  private List<Bound> stat(List<String> entries) throws IOException {
    List<Bound> bound = new ArrayList<>(entries.size());
    for (String e : entries) {
      if (!e.startsWith("/etc/")
          || e.contains("..")
          || e.equals("/etc/passwd")
          || e.equals("/etc/group")) {
        throw new IllegalArgumentException("not an /etc entry a view may bind: " + e);
      }
      BasicFileAttributes a;
      try {
        a = Files.readAttributes(host(e), BasicFileAttributes.class);
      } catch (NoSuchFileException missing) {
        continue;
      }
      bound.add(new Bound(e, a.fileKey(), a.isDirectory()));
    }
    return bound;
  }

  private static String name(List<Bound> bound) {
    StringBuilder s = new StringBuilder(Workspace.PASSWD).append('\0').append(Workspace.GROUP);
    for (Bound b : bound) {
      s.append('\0').append(b.entry()).append(' ').append(b.fileKey());
      s.append(b.directory() ? " d" : " f");
    }
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(s.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
    }
  }

  private static Path mountPoint(Path view, String entry) {
    return view.resolve(entry.substring("/etc/".length()));
  }

  private Path host(String entry) {
    return hostEtc.resolve(entry.substring("/etc/".length()));
  }

  private Path marker(Path view) {
    return dir.resolve(view.getFileName() + ".complete");
  }

  private Path staleMark(Path view) {
    return dir.resolve(view.getFileName() + ".stale");
  }

  private void ensureDirectory() throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    }
  }

  /** True when the view is marked complete and each mount point holds the host's inode. */
  private boolean complete(Path view, List<Bound> host) throws IOException {
    if (!Files.exists(marker(view), LinkOption.NOFOLLOW_LINKS)
        || !Files.isDirectory(view, LinkOption.NOFOLLOW_LINKS)
        || Files.getAttribute(view, "unix:dev").equals(Files.getAttribute(dir, "unix:dev"))) {
      return false; // not built, or its tmpfs is gone (a reboot, a sweep by hand)
    }
    for (Bound b : host) {
      try {
        BasicFileAttributes a =
            Files.readAttributes(mountPoint(view, b.entry()), BasicFileAttributes.class);
        if (!b.fileKey().equals(a.fileKey())) {
          return false;
        }
      } catch (NoSuchFileException e) {
        return false;
      }
    }
    return true;
  }

  private void build(Path view, List<Bound> host) throws IOException {
    Files.deleteIfExists(marker(view));
    remove(view); // what a runner that died while building left
    Files.createDirectory(view);
    Files.setPosixFilePermissions(view, PosixFilePermissions.fromString("rwxr-xr-x"));
    Posix.mountTmpfs(view, TMPFS_BYTES, TMPFS_INODES, "0755", 0, 0);
    try {
      for (String[] f : new String[][] {{"passwd", Workspace.PASSWD}, {"group", Workspace.GROUP}}) {
        Path p = view.resolve(f[0]);
        Files.writeString(p, f[1]);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
      }
      for (Bound b : host) {
        Path target = mountPoint(view, b.entry());
        Files.createDirectories(target.getParent());
        if (b.directory()) {
          Files.createDirectory(target);
        } else {
          Files.createFile(target);
        }
        Posix.bindMount(host(b.entry()), target);
        Posix.remountReadOnly(target, true);
      }
      Posix.remountReadOnly(view, false);
      Posix.makePrivateRecursive(view);
    } catch (IOException | RuntimeException e) {
      remove(view);
      throw e;
    }
    StringBuilder list = new StringBuilder();
    for (Bound b : host) {
      list.append(b.entry()).append('\n');
    }
    Files.writeString(marker(view), list);
  }

  /**
   * Unmounts views whose entries no longer resolve to what they hold, once the stale grace has
   * passed since a build first saw them stale; a view that is current again loses its mark.
   */
  private void sweep() throws IOException {
    List<Path> markers = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.complete")) {
      s.forEach(markers::add);
    }
    for (Path m : markers) {
      String file = m.getFileName().toString();
      Path view = dir.resolve(file.substring(0, file.length() - ".complete".length()));
      List<String> entries;
      try {
        entries = Files.readAllLines(m, StandardCharsets.UTF_8);
      } catch (NoSuchFileException gone) {
        continue;
      }
      Path stale = staleMark(view);
      if (complete(view, stat(entries))) {
        Files.deleteIfExists(stale);
      } else if (!Files.exists(stale, LinkOption.NOFOLLOW_LINKS)) {
        Files.createFile(stale);
      } else if (Files.getLastModifiedTime(stale)
          .toInstant()
          .isBefore(Instant.now().minus(staleGrace))) {
        Files.delete(m);
        remove(view);
        Files.delete(stale);
      }
    }
  }

  /** Detaches every mount at {@code view} (the tmpfs with its binds) and deletes the directory. */
  private static void remove(Path view) throws IOException {
    while (Files.isDirectory(view, LinkOption.NOFOLLOW_LINKS) && Posix.unmount(view)) {
      // stacked mounts: a view rebuilt over one a sweep by hand left
    }
    Files.deleteIfExists(view);
  }
}
