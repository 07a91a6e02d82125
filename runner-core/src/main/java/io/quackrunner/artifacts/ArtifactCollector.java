package io.quackrunner.artifacts;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.limits.Limits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects artifacts from a sandbox's out/ after every sandbox process is gone: regular files with
 * one link are copied (and hashed while copied) to a destination; symlinks, hard links (nlink > 1),
 * FIFOs, sockets and devices are reported as violations and never opened.
 *
 * <p>Nothing is followed: entries are listed and {@code lstat}ed without following links, and each
 * file is opened with {@code O_NOFOLLOW} ({@link LinkOption#NOFOLLOW_LINKS}) after an {@code lstat}
 * that found a regular file (DESIGN invariant 5; the class of Judge0's CVE-2024-28185).
 *
 * <p>Nothing a tool leaves can make collection fail or rename a file: names are read as bytes and
 * must be UTF-8 (others are refused as {@code non-utf8-name}, shown percent-encoded), paths whose
 * NFC forms coincide are refused as {@code normalization-collision}, directories deeper than {@link
 * #MAX_DEPTH} as {@code too-deep}, paths longer than {@link #MAX_PATH_BYTES} as {@code
 * path-too-long}, and a file that cannot be read or written as {@code copy-failed}. The whole tree
 * is listed before anything is copied; files are then copied in path order while the sum of their
 * apparent sizes (a sparse file counts its holes) stays within {@link Caps#bytes()} and their
 * number within {@link Caps#files()}; at the first file past a cap nothing more is written and one
 * {@code out-size-cap} or {@code out-files-cap} violation names the cap.
 */
public final class ArtifactCollector {
  /** Directory levels below out/ that are walked; a directory deeper down is refused. */
  public static final int MAX_DEPTH = 64;

  /** Longest relative path collected, in UTF-8 bytes (well under the host's PATH_MAX of 4096). */
  public static final int MAX_PATH_BYTES = 1024;

  /** Violations listed one by one; past this many one {@code too-many-violations} counts them. */
  public static final int MAX_VIOLATIONS = 100;

  /** Bytes of out/ per collected file: the file-count cap is out_dir / 4 KiB (one page each). */
  public static final long BYTES_PER_FILE = 4096;

  private static final int S_IFMT = 0170000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFLNK = 0120000;
  private static final int S_IFIFO = 0010000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFSOCK = 0140000;

  private ArtifactCollector() {}

  /**
   * What the collector writes to the host at most for one run.
   *
   * @param bytes total apparent size of the files copied, in bytes
   * @param files number of files copied
   */
  public record Caps(long bytes, long files) {
    /** No caps (tests and tools that collect trusted trees). */
    public static final Caps NONE = new Caps(Long.MAX_VALUE, Long.MAX_VALUE);

    /**
     * Returns the caps of a run: {@code out_dir} bytes, and one file per {@link #BYTES_PER_FILE}
     * bytes of {@code out_dir} (at least one).
     */
    public static Caps of(Limits limits) {
      return new Caps(limits.outDirBytes(), Math.max(1, limits.outDirBytes() / BYTES_PER_FILE));
    }
  }

  /**
   * Walks {@code out} and copies every acceptable artifact to the same relative path under {@code
   * dest} (created as needed; existing files are never overwritten), without caps.
   */
  public static Collection collect(Path out, Path dest) {
    return collect(out, dest, Set.of(), Caps.NONE);
  }

  /**
   * Like {@link #collect(Path, Path)}, but top-level names in {@code reserved} (the runner's own
   * {@code reports/} and {@code sha256sums.txt}) are reported as {@code reserved} violations.
   */
  public static Collection collect(Path out, Path dest, Set<String> reserved) {
    return collect(out, dest, reserved, Caps.NONE);
  }

  /**
   * Walks {@code out}, then copies the acceptable artifacts to the same relative paths under {@code
   * dest} within {@code caps}. Never throws for anything found in {@code out}: every problem,
   * including an I/O error on either side, becomes an {@link ArtifactViolation}.
   *
   * @param reserved top-level names reported as {@code reserved}
   * @return the files copied, sorted by path, and the violations, sorted by path
   */
  public static Collection collect(Path out, Path dest, Set<String> reserved, Caps caps) {
    Walk walk = new Walk(reserved);
    try {
      walk.directory(out, "", 0);
    } catch (IOException | RuntimeException e) {
      walk.violation("", "collect-failed", "out/ could not be listed: " + e);
    }
    List<Artifact> artifacts = new ArrayList<>();
    copyWithinCaps(walk, dest, caps, artifacts);
    List<ArtifactViolation> violations = new ArrayList<>(walk.violations);
    violations.sort(Comparator.comparing(ArtifactViolation::path));
    if (walk.unlisted > 0) {
      violations.add(
          new ArtifactViolation(
              walk.firstUnlisted,
              "too-many-violations",
              walk.unlisted + " further violations not listed (from this path on)"));
    }
    artifacts.sort(Comparator.comparing(Artifact::path));
    return new Collection(List.copyOf(artifacts), List.copyOf(violations));
  }

  private static void copyWithinCaps(Walk walk, Path dest, Caps caps, List<Artifact> artifacts) {
    Map<String, List<Candidate>> byNfc = new LinkedHashMap<>();
    for (Candidate c : walk.files) {
      byNfc
          .computeIfAbsent(
              Normalizer.normalize(c.rel(), Normalizer.Form.NFC), k -> new ArrayList<>())
          .add(c);
    }
    List<Candidate> files = new ArrayList<>();
    for (List<Candidate> same : byNfc.values()) {
      if (same.size() == 1) {
        files.add(same.get(0));
        continue;
      }
      for (Candidate c : same) {
        walk.violation(
            c.rel(),
            "normalization-collision",
            same.size() + " paths are equal after Unicode NFC normalization; none is collected");
      }
    }
    files.sort(Comparator.comparing(Candidate::rel));
    long bytes = 0;
    long count = 0;
    for (int i = 0; i < files.size(); i++) {
      Candidate c = files.get(i);
      if (count + 1 > caps.files()) {
        walk.violation(
            c.rel(),
            "out-files-cap",
            "out/ holds more files than the cap of "
                + caps.files()
                + " (one per 4 KiB of out_dir); "
                + (files.size() - i)
                + " files from this path on are not collected");
        return;
      }
      if (c.size() > caps.bytes() - bytes) {
        long rest = 0;
        for (int j = i; j < files.size(); j++) {
          rest += files.get(j).size();
        }
        walk.violation(
            c.rel(),
            "out-size-cap",
            "apparent file sizes exceed the out_dir cap of "
                + caps.bytes()
                + " bytes (holes of sparse files count); "
                + (files.size() - i)
                + " files ("
                + rest
                + " bytes) from this path on are not collected");
        return;
      }
      try {
        artifacts.add(copy(c, dest));
        bytes += c.size();
        count++;
      } catch (HostWriteFailure e) {
        // The runner's own disk (e.g. ENOSPC on the state directory) is no fact about the tool.
        throw new RunnerException(
            ErrorKind.EXECUTION_FAILED, "cannot collect artifacts: " + e.getCause(), e.getCause());
      } catch (IOException | RuntimeException e) {
        walk.violation(c.rel(), "copy-failed", "could not be copied: " + e);
      }
    }
  }

  /** A write to the host's destination failed: the runner's fault, not the sandbox tree's. */
  private static final class HostWriteFailure extends RuntimeException {
    HostWriteFailure(IOException cause) {
      super(cause);
    }
  }

  /** A regular file found by the walk, to be copied. */
  private record Candidate(Path source, Path relative, String rel, long size) {}

  /** One listing of out/: candidates and violations, nothing copied yet. */
  private static final class Walk {
    final Set<String> reserved;
    final List<Candidate> files = new ArrayList<>();
    final List<ArtifactViolation> violations = new ArrayList<>();
    long unlisted;
    String firstUnlisted;
    Path root;

    Walk(Set<String> reserved) {
      this.reserved = reserved;
    }

    void violation(String path, String kind, String detail) {
      if (violations.size() < MAX_VIOLATIONS) {
        violations.add(new ArtifactViolation(path, kind, detail));
      } else if (unlisted++ == 0) {
        firstUnlisted = path;
      }
    }

    void directory(Path dir, String prefix, int depth) throws IOException {
      if (root == null) {
        root = dir;
      }
      List<Path> entries = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        ds.forEach(entries::add);
        entries.sort(null); // by name bytes: the same tree always lists the same way
      } catch (IOException | RuntimeException e) {
        if (prefix.isEmpty()) {
          throw e;
        }
        violation(prefix, "unreadable", "directory could not be listed: " + e);
        return;
      }
      for (Path entry : entries) {
        try {
          entry(entry, prefix, depth);
        } catch (IOException | RuntimeException e) {
          violation(
              join(prefix, String.valueOf(entry.getFileName())),
              "unreadable",
              "entry could not be read: " + e);
        }
      }
    }

    private void entry(Path entry, String prefix, int depth) throws IOException {
      NameBytes name = NameBytes.of(entry);
      if (name.text() == null) {
        violation(
            join(prefix, name.escaped()),
            "non-utf8-name",
            "name is not UTF-8 (its bytes are shown percent-encoded); not collected, not renamed");
        return;
      }
      String rel = join(prefix, name.text());
      Map<String, Object> st =
          Files.readAttributes(entry, "unix:mode,nlink,size", LinkOption.NOFOLLOW_LINKS);
      int type = (Integer) st.get("mode") & S_IFMT;
      int nlink = (Integer) st.get("nlink");
      long size = (Long) st.get("size");
      if (depth == 0 && reserved.contains(name.text())) {
        violation(rel, "reserved", "name reserved for the runner");
        return;
      }
      if (!safeName(name.text())) {
        violation(rel, "unsafe-name", "control character in name");
        return;
      }
      if (rel.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
        violation(
            rel, "path-too-long", "path longer than " + MAX_PATH_BYTES + " bytes; not collected");
        return;
      }
      if (type == S_IFDIR) {
        if (depth + 1 > MAX_DEPTH) {
          violation(
              rel,
              "too-deep",
              "directory more than " + MAX_DEPTH + " levels below out/; its tree is not collected");
          return;
        }
        directory(entry, rel, depth + 1);
        return;
      }
      ArtifactViolation v = classify(rel, type, nlink);
      if (v != null) {
        violation(v.path(), v.kind(), v.detail());
        return;
      }
      files.add(new Candidate(entry, root.relativize(entry), rel, size));
    }
  }

  /**
   * A directory entry's name as the kernel holds it: {@code text} is its exact UTF-8 decoding, or
   * null when the bytes are not UTF-8; {@code escaped} is the bytes percent-encoded (RFC 3986).
   */
  private record NameBytes(String text, String escaped) {
    static NameBytes of(Path entry) {
      // Path.toString() decodes with the JVM's sun.jnu.encoding and replaces what it cannot
      // decode (bad\xff and bad\xfe both become "bad\uFFFD"); toUri() percent-encodes the raw
      // bytes instead, whatever the locale.
      String raw = entry.toUri().getRawPath();
      if (raw.endsWith("/")) {
        raw = raw.substring(0, raw.length() - 1);
      }
      String escaped = raw.substring(raw.lastIndexOf('/') + 1);
      byte[] bytes = percentDecode(escaped);
      try {
        String text =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
        return new NameBytes(text, escaped);
      } catch (CharacterCodingException e) {
        return new NameBytes(null, escaped);
      }
    }

    private static byte[] percentDecode(String s) {
      java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(s.length());
      for (int i = 0; i < s.length(); i++) {
        char ch = s.charAt(i);
        if (ch == '%' && i + 2 < s.length()) {
          b.write(HexFormat.fromHexDigits(s, i + 1, i + 3));
          i += 2;
        } else {
          b.write(ch);
        }
      }
      return b.toByteArray();
    }
  }

  private static String join(String prefix, String name) {
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  private static ArtifactViolation classify(String rel, int type, int nlink) {
    return switch (type) {
      case S_IFREG ->
          nlink > 1
              ? new ArtifactViolation(rel, "hardlink", "regular file with " + nlink + " links")
              : null;
      case S_IFLNK -> new ArtifactViolation(rel, "symlink", "symbolic link, not followed");
      case S_IFIFO -> new ArtifactViolation(rel, "fifo", "named pipe, not opened");
      case S_IFSOCK -> new ArtifactViolation(rel, "socket", "socket, not opened");
      case S_IFCHR -> new ArtifactViolation(rel, "char-device", "character device, not opened");
      case S_IFBLK -> new ArtifactViolation(rel, "block-device", "block device, not opened");
      default ->
          new ArtifactViolation(rel, "other", "unknown file type " + Integer.toOctalString(type));
    };
  }

  private static boolean safeName(String name) {
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      if (ch < 0x20 || ch == 0x7F || ch == '\\') {
        return false;
      }
    }
    return true;
  }

  private static Artifact copy(Candidate c, Path dest) throws IOException {
    // dest.resolve(Path) joins the raw bytes; no name goes through a String and back.
    Path target = dest.resolve(c.relative());
    Files.createDirectories(target.getParent());
    MessageDigest sha = sha256();
    byte[] head = new byte[16];
    int headLen = 0;
    long size = 0;
    boolean done = false;
    try (FileChannel in =
            FileChannel.open(c.source(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        FileChannel out =
            FileChannel.open(
                target,
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      while (in.read(buf) > 0) {
        buf.flip();
        int n = buf.remaining();
        if (size + n > c.size()) {
          throw new IOException("file grew past the " + c.size() + " bytes it had when listed");
        }
        if (headLen < head.length) {
          int take = Math.min(head.length - headLen, n);
          buf.get(buf.position(), head, headLen, take);
          headLen += take;
        }
        sha.update(buf.duplicate());
        try {
          while (buf.hasRemaining()) {
            out.write(buf);
          }
        } catch (IOException e) {
          throw new HostWriteFailure(e);
        }
        size += n;
        buf.clear();
      }
      done = true;
    } finally {
      if (!done) {
        Files.deleteIfExists(target);
      }
    }
    byte[] h = java.util.Arrays.copyOf(head, headLen);
    return new Artifact(
        c.rel(), size, HexFormat.of().formatHex(sha.digest()), MediaTypes.detect(c.rel(), h));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
