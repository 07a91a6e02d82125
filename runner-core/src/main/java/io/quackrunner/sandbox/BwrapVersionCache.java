package io.quackrunner.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * bubblewrap's version kept in a file of the state directory, so that a short-lived runner (one
 * {@code runner exec} per CI step) need not start {@code bwrap --version} on every call (issue 19).
 *
 * <p>The file holds one line, {@code <key> TAB <version>}. The key is the binary's real path (links
 * resolved), then its stat(2) device, inode, size in bytes, and modification and change times in
 * nanoseconds: upgrading, replacing, moving or chmod-ing the binary changes it, and the next call
 * probes again and rewrites the file. Only a usable version is kept ({@code missing} and {@code
 * unusable} are probed every time). The file is replaced atomically (written aside, then renamed),
 * so concurrent runners read a whole line or none; a file that cannot be read, parsed or written
 * counts as a miss and costs one probe, never a wrong version.
 */
final class BwrapVersionCache {
  /** The cache file's name in its directory. */
  static final String FILE = "bwrap-version";

  private BwrapVersionCache() {}

  /**
   * Returns bubblewrap's version: from {@code dir/bwrap-version} when its key matches {@code bwrap}
   * as it is now, else from {@code probe} (then kept for the next call when usable).
   *
   * @param bwrap the bubblewrap binary
   * @param dir the directory of the cache file (created when absent)
   * @param probe asks the binary, e.g. {@link HostProbe#bwrapVersion}
   */
  static String version(Path bwrap, Path dir, Function<Path, String> probe) {
    String key = key(bwrap);
    Path file = dir.resolve(FILE);
    if (key != null) {
      String cached = read(file, key);
      if (cached != null) {
        return cached;
      }
    }
    String version = probe.apply(bwrap);
    if (key != null && !version.equals("missing") && !version.equals("unusable")) {
      write(dir, file, key + "\t" + version + "\n");
    }
    return version;
  }

  /** Returns the key of the binary as it is now, or {@code null} when it cannot be stat-ed. */
  static String key(Path bwrap) {
    try {
      Path real = bwrap.toRealPath();
      Map<String, Object> a =
          Files.readAttributes(real, "unix:dev,ino,size,lastModifiedTime,ctime");
      return real
          + " dev="
          + a.get("dev")
          + " ino="
          + a.get("ino")
          + " size="
          + a.get("size")
          + " mtime="
          + ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS)
          + " ctime="
          + ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS);
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return null;
    }
  }

  private static String read(Path file, String key) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) { // absent (the first call) or unreadable: a miss
      return null;
    }
    int tab = text.indexOf('\t');
    if (tab < 0 || !text.endsWith("\n") || text.indexOf('\n') != text.length() - 1) {
      return null;
    }
    String version = text.substring(tab + 1, text.length() - 1);
    return text.substring(0, tab).equals(key) && !version.isEmpty() ? version : null;
  }

  private static void write(Path dir, Path file, String line) {
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, FILE + ".", ".tmp");
      Files.writeString(tmp, line, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException e) {
      // the cache is only a shortcut: the version was probed and is returned either way
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // a stray temporary file is harmless; the next write makes its own
        }
      }
    }
  }
}
