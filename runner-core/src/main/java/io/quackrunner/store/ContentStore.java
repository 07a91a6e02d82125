package io.quackrunner.store;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content-addressed store of blobs under {@code <root>/sha256/ab/cdef…}: a blob's name is the
 * lower-case hex SHA-256 of its bytes, so a stored blob never changes. Writes go aside into {@code
 * <root>/tmp}, are fsynced, and are renamed into place, so the directory may be shared by several
 * processes or gateway nodes (for example over NFS) without a reader ever seeing part of a blob.
 */
public final class ContentStore {
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
  private final Path root;

  /** Creates a store rooted at a directory (created on first write). */
  public ContentStore(Path root) {
    this.root = root;
  }

  /** Returns whether a string is a lower-case hex SHA-256. */
  public static boolean isDigest(String s) {
    return s != null && HEX.matcher(s).matches();
  }

  /**
   * Stores a stream's bytes, reading at most {@code maxBytes}.
   *
   * @return the lower-case hex SHA-256 of the bytes
   * @throws RunnerException of kind TOO_LARGE when the stream holds more than {@code maxBytes}, or
   *     INTERNAL when the store cannot be written
   */
  public String put(InputStream in, long maxBytes) {
    Path tmp = null;
    try {
      Path dir = Files.createDirectories(root.resolve("tmp"));
      tmp = Files.createTempFile(dir, "put-", ".part");
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      long total = 0;
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
          OutputStream out = new DigestOutputStream(Channels.newOutputStream(ch), md)) {
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) > 0) {
          total += n;
          if (total > maxBytes) {
            throw new RunnerException(
                ErrorKind.TOO_LARGE, "content larger than the limit of " + maxBytes + " bytes");
          }
          out.write(buf, 0, n);
        }
        out.flush();
        String hex = HexFormat.of().formatHex(md.digest());
        Path target = path(hex);
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == total) {
          // Already stored, and made durable by whoever published it: nothing to sync.
          Files.delete(tmp);
          tmp = null;
          return hex;
        }
        ch.force(true);
        Files.createDirectories(target.getParent());
        publish(tmp, target);
        tmp = null;
        return hex;
      }
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "cannot write to the content store: " + e, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // a leftover .part file is harmless; it is never addressed
        }
      }
    }
  }

  /** Stores bytes; see {@link #put(InputStream, long)}. */
  public String put(byte[] bytes) {
    return put(new java.io.ByteArrayInputStream(bytes), Long.MAX_VALUE);
  }

  /**
   * Moves a fully written and fsynced part file to its digest's name with one rename(2), then
   * fsyncs the directory, so a blob is either absent or whole, also when several processes or nodes
   * sharing the directory store the same digest at once (a rename over an existing blob replaces it
   * with the same bytes). A file system without atomic rename is an error, never a copy.
   */
  private static void publish(Path part, Path target) throws IOException {
    try {
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(
          "the content directory's file system cannot rename atomically: " + target.getParent(), e);
    }
    try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    }
  }

  /** Returns whether a blob is present. */
  public boolean contains(String sha256) {
    return isDigest(sha256) && Files.isRegularFile(path(sha256), LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Returns the file of a blob: {@code <root>/sha256/<first two hex>/<remaining 62 hex>}.
   *
   * @throws RunnerException of kind SCHEMA_VIOLATION when the digest is not 64 lower-case hex
   *     characters
   */
  public Path path(String sha256) {
    if (!isDigest(sha256)) {
      throw new RunnerException(
          ErrorKind.SCHEMA_VIOLATION, "not a sha256 digest: '" + sha256 + "'");
    }
    return root.resolve("sha256").resolve(sha256.substring(0, 2)).resolve(sha256.substring(2));
  }

  /** Returns a blob's size in bytes, or -1 when absent. */
  public long size(String sha256) {
    try {
      return contains(sha256) ? Files.size(path(sha256)) : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  /** Opens a blob for reading. */
  public InputStream open(String sha256) throws IOException {
    return Files.newInputStream(path(sha256), LinkOption.NOFOLLOW_LINKS);
  }
}
