package io.quackrunner.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;

/**
 * Writes small files of a state directory that other processes may read at any moment, so that no
 * reader ever sees one empty or half-written.
 *
 * <p>Content goes to a temporary file beside the target ({@code .<name>.<uuid>.tmp}, created with
 * the final mode), is fsynced, and is then hard-linked ({@code link(2)}: fails if the target
 * exists, so the first writer wins) or renamed ({@code rename(2)}: replaces atomically) into place;
 * the directory is fsynced after. This is the scheme {@link DatabaseFiles} uses for new databases
 * and the key ring for key files.
 */
public final class StateFiles {
  /** Mode 0600. */
  public static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private StateFiles() {}

  /**
   * Creates {@code target} holding {@code content} unless it exists; either way returns without any
   * process having seen a partial file.
   *
   * @param mode the file's permissions from its creation on
   * @return true if this call created it, false if it already existed
   * @throws IOException when the temporary file cannot be written or linked
   */
  public static boolean createOnce(Path target, byte[] content, Set<PosixFilePermission> mode)
      throws IOException {
    Path tmp = writeAside(target, content, mode);
    try {
      Files.createLink(target, tmp);
      syncDirectory(target.toAbsolutePath().getParent());
      return true;
    } catch (FileAlreadyExistsException raced) {
      return false;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Replaces {@code target} (or creates it) with {@code content} in one atomic rename.
   *
   * @param mode the file's permissions from its creation on
   * @throws IOException when the temporary file cannot be written or renamed
   */
  public static void replace(Path target, byte[] content, Set<PosixFilePermission> mode)
      throws IOException {
    Path tmp = writeAside(target, content, mode);
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    syncDirectory(target.toAbsolutePath().getParent());
  }

  private static Path writeAside(Path target, byte[] content, Set<PosixFilePermission> mode)
      throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(mode));
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.wrap(content);
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    return tmp;
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
