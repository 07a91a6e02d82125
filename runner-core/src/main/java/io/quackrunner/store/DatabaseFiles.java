package io.quackrunner.store;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Checks a SQLite file before it is opened, so damage is reported and never papered over. */
public final class DatabaseFiles {
  private DatabaseFiles() {}

  /**
   * Makes sure {@code file} is an intact SQLite database, creating an empty one atomically if it is
   * absent: the new database is written aside (so it has a header) and linked into place, so no
   * process, however many start at once, ever sees a half-created, empty file — which {@link
   * #requireIntactOrAbsent} refuses as damage.
   *
   * @throws RunnerException of kind CONFIGURATION naming the file
   */
  public static void prepare(Path file) {
    requireIntactOrAbsent(file);
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Path tmp = null;
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, file.getFileName().toString(), ".new");
      try (java.sql.Connection c =
              org.sqlite.JDBC.createConnection("jdbc:sqlite:" + tmp, new java.util.Properties());
          java.sql.Statement st = c.createStatement()) {
        st.execute("PRAGMA user_version = 0");
        st.execute("CREATE TABLE IF NOT EXISTS quackrunner_created (at TEXT)");
      }
      try {
        Files.createLink(file, tmp);
      } catch (FileAlreadyExistsException raced) {
        // another process created it first; theirs is as good
      }
    } catch (IOException | java.sql.SQLException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "cannot create " + file + ": " + e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // a stray temp file beside the database is harmless
        }
      }
    }
    requireIntactOrAbsent(file);
  }

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
