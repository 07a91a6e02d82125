package io.quackrunner.store;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Checks a SQLite file before it is opened, so damage is reported and never papered over. */
public final class DatabaseFiles {
  private DatabaseFiles() {}

  /**
   * Refuses an existing database file that is empty (0 bytes) or not a regular file: SQLite would
   * silently treat an emptied file as a new, empty database, losing every record it held.
   *
   * @throws RunnerException of kind CONFIGURATION naming the file
   */
  public static void requireIntactOrAbsent(Path file) {
    try {
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new RunnerException(ErrorKind.CONFIGURATION, file + " is not a regular file");
      }
      if (Files.size(file) == 0) {
        throw new RunnerException(
            ErrorKind.CONFIGURATION,
            file
                + " is empty (0 bytes): truncated, or a crash at its creation; it is not opened as a"
                + " new database. Restore it, or delete it if it never held data");
      }
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "cannot inspect " + file + ": " + e);
    }
  }
}
