package io.quackrunner.artifacts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes {@code sha256sums.txt} in the GNU coreutils format ({@code <hex> <path>} per line, sorted
 * by path) so that {@code sha256sum -c sha256sums.txt} run in the same directory accepts it (MPLP
 * Runner Framework V2 "write-sha256sums").
 */
public final class Sha256Sums {
  /** The file name. */
  public static final String FILE = "sha256sums.txt";

  private Sha256Sums() {}

  /**
   * Writes the sums of the given artifacts plus the extra files (paths relative to {@code dir},
   * hashed here) into {@code dir/sha256sums.txt}.
   *
   * @throws IOException when a file cannot be read or the sums written
   */
  public static Path write(Path dir, List<Artifact> artifacts, List<String> extraFiles)
      throws IOException {
    Map<String, String> sums = new TreeMap<>();
    for (Artifact a : artifacts) {
      sums.put(a.path(), a.sha256());
    }
    for (String rel : extraFiles) {
      sums.put(rel, hash(dir.resolve(rel)));
    }
    StringBuilder sb = new StringBuilder();
    sums.forEach((path, hex) -> sb.append(hex).append("  ").append(path).append('\n'));
    Path file = dir.resolve(FILE);
    Files.writeString(
        file, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    return file;
  }

  /** Returns the lower-case hex SHA-256 of a regular file, not following links. */
  public static String hash(Path file) throws IOException {
    MessageDigest sha = ArtifactCollector.sha256();
    try (var in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
