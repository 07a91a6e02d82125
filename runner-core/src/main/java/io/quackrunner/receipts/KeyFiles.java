package io.quackrunner.receipts;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;

/**
 * Writes key files durably and atomically, born with their final permissions.
 *
 * <p>Content goes to a temporary file created with mode 0600 (never wider, not even for an
 * instant), is fsynced, then linked or renamed into place and the directory fsynced.
 */
final class KeyFiles {
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

  private KeyFiles() {}

  static void createDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
    }
  }

  /** Writes {@code target} only if absent; returns false if it already existed. */
  static boolean createNew(Path target, String content) throws IOException {
    Path tmp = writeTemp(target, content);
    try {
      Files.createLink(target, tmp);
      syncDirectory(target.getParent());
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Replaces {@code target} atomically with {@code content}. */
  static void replace(Path target, String content) throws IOException {
    Path tmp = writeTemp(target, content);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory(target.getParent());
  }

  /**
   * Reads a secret file, refusing links and files readable or writable by group or others.
   *
   * @throws RunnerException CONFIGURATION if the file is a link or its mode is wider than 0600
   */
  static String readSecret(Path file) throws IOException {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "key file is not a regular file: " + file);
    }
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
    if (!OWNER_ONLY.containsAll(mode)) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION,
          "key file " + file + " has mode " + PosixFilePermissions.toString(mode) + "; chmod 600");
    }
    return read(file);
  }

  static String read(Path file) throws IOException {
    try (var channel =
        Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(channel.size(), 1 << 16));
      while (buffer.hasRemaining() && channel.read(buffer) > 0) {
        // read until full or end of file
      }
      return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }
  }

  private static Path writeTemp(Path target, String content) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
    }
    return tmp;
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
