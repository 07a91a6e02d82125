package io.quackrunner.secrets;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The tenant-owned secrets of a state directory: {@code <state>/secrets/tenants/<tenant>/<NAME>},
 * each file mode 0600 in a 0700 directory, written aside and renamed so a reader sees the old value
 * or the new one, never a mix; optionally also a read-only operator directory laid out {@code
 * <dir>/<tenant>/<NAME>} (a mounted secrets volume, for example).
 *
 * <p>A value is read afresh for each run, so a changed secret is used by the next run without a
 * restart. A name held by both sources is refused as ambiguous. Values are bytes, 1 to {@value
 * #MAX_VALUE_BYTES} of them, one trailing newline removed; nothing here logs or prints a value.
 */
public final class SecretStore {
  /** The largest value, in bytes. */
  public static final int MAX_VALUE_BYTES = 65536;

  private static final Pattern NAME = Pattern.compile("[A-Z_][A-Z0-9_]{0,127}");
  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final Path root;
  private final Path directory;

  private SecretStore(Path root, Path directory) {
    this.root = root;
    this.directory = directory;
  }

  /** Returns the store of a state directory, with no operator directory. */
  public static SecretStore open(Path stateDir) {
    return new SecretStore(stateDir.resolve("secrets").resolve("tenants"), null);
  }

  /**
   * Returns this store also reading the operator directory {@code dir} ({@code <dir>/<tenant>/
   * <NAME>}), or this store unchanged when {@code dir} is null.
   *
   * @throws RunnerException of kind CONFIGURATION when {@code dir} is not a directory
   */
  public SecretStore withDirectory(Path dir) {
    if (dir == null) {
      return this;
    }
    if (!Files.isDirectory(dir)) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION, "secrets directory " + dir + " is not a directory");
    }
    return new SecretStore(root, dir);
  }

  /**
   * Checks a secret name: {@code [A-Z_][A-Z0-9_]*}, at most 128 characters.
   *
   * @throws RunnerException of kind USAGE naming the rule
   */
  public static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new RunnerException(
          ErrorKind.USAGE,
          "bad secret name '"
              + (name == null ? "" : name.replaceAll("[^\\x21-\\x7e]", "?"))
              + "' (upper-case letters, digits and '_', not starting with a digit)");
    }
  }

  private static void checkTenant(String tenant) {
    if (tenant == null || !TENANT.matcher(tenant).matches() || tenant.matches("\\.+")) {
      throw new RunnerException(ErrorKind.USAGE, "bad tenant name (1 to 64 of [A-Za-z0-9._-])");
    }
  }

  /**
   * Sets a tenant's secret: writes the value to a 0600 file beside the old one, syncs it, then
   * renames it over the old one.
   *
   * @param value the value; one trailing newline is removed, what remains must be 1 to {@value
   *     #MAX_VALUE_BYTES} bytes
   * @throws RunnerException of kind USAGE for a bad name, tenant or value, CONFLICT when the
   *     operator directory holds the name, INTERNAL when the file cannot be written
   */
  public void set(String tenant, String name, byte[] value) {
    checkTenant(tenant);
    checkName(name);
    byte[] v = trimmed(value);
    if (v.length == 0) {
      throw new RunnerException(ErrorKind.USAGE, "secret " + name + ": the value is empty");
    }
    if (v.length > MAX_VALUE_BYTES) {
      throw new RunnerException(
          ErrorKind.TOO_LARGE,
          "secret " + name + ": the value is larger than " + MAX_VALUE_BYTES + " bytes");
    }
    if (directory != null && Files.exists(directory.resolve(tenant).resolve(name))) {
      throw new RunnerException(
          ErrorKind.CONFLICT,
          "secret " + name + " of tenant " + tenant + " comes from the secrets directory");
    }
    Path dir = root.resolve(tenant);
    Path tmp = dir.resolve("." + name + "." + UUID.randomUUID() + ".tmp");
    try {
      privateDir(root.getParent());
      privateDir(root);
      privateDir(dir);
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              java.util.Set.of(
                  StandardOpenOption.CREATE_NEW,
                  StandardOpenOption.WRITE,
                  LinkOption.NOFOLLOW_LINKS),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        ByteBuffer b = ByteBuffer.wrap(v);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the secrets directory cannot rename atomically", e);
      }
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the rename failed too; the stray file is 0600 and holds nothing readable by others
      }
      throw new RunnerException(
          ErrorKind.INTERNAL, "cannot store secret " + name + ": " + e.getClass().getSimpleName());
    }
  }

  private static void privateDir(Path d) throws IOException {
    if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(d);
    }
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
  }

  /**
   * Removes a tenant's secret from the store.
   *
   * @throws RunnerException of kind NOT_FOUND when the store has no such secret, CONFLICT when it
   *     comes from the read-only operator directory
   */
  public void remove(String tenant, String name) {
    checkTenant(tenant);
    checkName(name);
    try {
      Files.delete(root.resolve(tenant).resolve(name));
    } catch (NoSuchFileException e) {
      if (directory != null && Files.exists(directory.resolve(tenant).resolve(name))) {
        throw new RunnerException(
            ErrorKind.CONFLICT,
            "secret " + name + " of tenant " + tenant + " comes from the secrets directory");
      }
      throw new RunnerException(ErrorKind.NOT_FOUND, "tenant " + tenant + " has no secret " + name);
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.INTERNAL, "cannot remove secret " + name + ": " + e.getClass().getSimpleName());
    }
  }

  /** Returns a tenant's secrets by name, with update times and sources, never values. */
  public List<SecretInfo> list(String tenant) {
    checkTenant(tenant);
    Map<String, SecretInfo> all = new TreeMap<>();
    if (directory != null) {
      scan(directory.resolve(tenant), "directory", all);
    }
    scan(root.resolve(tenant), "store", all);
    return new ArrayList<>(all.values());
  }

  private static void scan(Path dir, String source, Map<String, SecretInfo> into) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : s.sorted(Comparator.naturalOrder()).toList()) {
        String n = f.getFileName().toString();
        if (!NAME.matcher(n).matches()) {
          continue; // temporary files and anything else that is not a secret
        }
        BasicFileAttributes a =
            Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isRegularFile() || (source.equals("directory") && !a.isDirectory())) {
          into.putIfAbsent(n, new SecretInfo(n, a.lastModifiedTime().toInstant(), source));
        }
      }
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.INTERNAL,
          "cannot list secrets in " + dir + ": " + e.getClass().getSimpleName());
    }
  }

  /**
   * Reads a tenant's secret as it is now.
   *
   * @return the value, or empty when the tenant has no secret of that name
   * @throws RunnerException of kind CONFIGURATION when both sources hold it or it cannot be read
   */
  public Optional<byte[]> read(String tenant, String name) {
    checkTenant(tenant);
    checkName(name);
    Optional<byte[]> own = readFile(root.resolve(tenant).resolve(name), false, name);
    Optional<byte[]> mounted =
        directory == null
            ? Optional.empty()
            : readFile(directory.resolve(tenant).resolve(name), true, name);
    if (own.isPresent() && mounted.isPresent()) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION,
          "secret "
              + name
              + " of tenant "
              + tenant
              + " is both in the store and in the secrets directory");
    }
    return own.isPresent() ? own : mounted;
  }

  private static Optional<byte[]> readFile(Path f, boolean followLinks, String name) {
    try {
      // A mounted volume (Kubernetes) publishes its files as links into a timestamped directory.
      LinkOption[] opts =
          followLinks ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
      if (!Files.exists(f, opts)) {
        return Optional.empty();
      }
      if (!Files.isRegularFile(f, opts) || Files.size(f) > MAX_VALUE_BYTES + 1) {
        throw new RunnerException(
            ErrorKind.CONFIGURATION, "secret " + name + " is not a regular file of at most 64 KiB");
      }
      byte[] v = trimmed(Files.readAllBytes(f));
      if (v.length == 0) {
        throw new RunnerException(ErrorKind.CONFIGURATION, "secret " + name + " is empty");
      }
      return Optional.of(v);
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.CONFIGURATION,
          "cannot read secret " + name + ": " + e.getClass().getSimpleName());
    }
  }

  private static byte[] trimmed(byte[] v) {
    return v.length > 0 && v[v.length - 1] == '\n' ? java.util.Arrays.copyOf(v, v.length - 1) : v;
  }
}
