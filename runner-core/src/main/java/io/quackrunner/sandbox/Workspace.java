package io.quackrunner.sandbox;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The host side of one sandbox: {@code <workRoot>/<executionId>/} holding {@code seed/} (a
 * root-owned tmpfs sized to the inputs, with {@code in/}, a copy of the inputs read-only inside,
 * and the sandbox's passwd and group), {@code out/} and {@code tmp/} (tmpfs mounts sized by the
 * limits and owned by the sandbox uid), {@code secrets/} (a tmpfs with the run's file secrets, only
 * when it has some) and the bubblewrap status file. Everything the sandbox sees from here is the
 * root of, or a path inside, a tmpfs, so its mountinfo never names a host path.
 *
 * <p>After the run, nothing here is followed: out/ is walked without following links, and deletion
 * removes links themselves, never their targets (DESIGN invariant 5).
 */
public final class Workspace implements AutoCloseable {
  /** The uid and gid a run has inside its sandbox. */
  public static final int INNER_ID = 1000;

  /** The sandbox's {@code /etc/passwd} (passwd(5)): root, the run's user, nobody. */
  static final String PASSWD =
      "root:x:0:0:root:/root:/usr/sbin/nologin\n"
          + "sandbox:x:"
          + INNER_ID
          + ":"
          + INNER_ID
          + ":sandbox:/tmp:/bin/sh\n"
          + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";

  /** The sandbox's {@code /etc/group} (group(5)). */
  static final String GROUP = "root:x:0:\nsandbox:x:" + INNER_ID + ":\nnogroup:x:65534:\n";

  private static final long SECRETS_TMPFS_BYTES = 1L << 20;

  /**
   * Where a run's egress socket directory is mounted: {@code /run/quackrunner/egress/<uid>}, one
   * per cgroup slot (its uid), so the path stays far below the 108-byte limit of a UNIX socket
   * address wherever the state directory is.
   */
  static final Path EGRESS_ROOT = Path.of("/run/quackrunner/egress");

  private static final long EGRESS_TMPFS_BYTES = 64 * 1024;

  private final Path dir;
  private boolean closed;
  private Path egress;

  private Workspace(Path dir) {
    this.dir = dir;
  }

  static Workspace create(Path workRoot, String id, int uid, long outBytes, long tmpBytes) {
    return create(workRoot, id, uid, outBytes, tmpBytes, null);
  }

  /**
   * Makes the workspace of one run: the directory, the seed tmpfs (sized for {@code inputs}, which
   * {@link #copyInputs} copies in afterwards, plus passwd and group), and the out/ and tmp/ tmpfs.
   *
   * @param inputs the input directory that will be copied in, or null for none
   * @throws RunnerException of kind EXECUTION_FAILED when a directory or mount cannot be made
   */
  static Workspace create(
      Path workRoot, String id, int uid, long outBytes, long tmpBytes, Path inputs) {
    if (!id.matches("[A-Za-z0-9._-]{1,128}")) {
      throw new RunnerException(ErrorKind.INTERNAL, "bad execution id " + id);
    }
    Path dir = workRoot.resolve(id);
    Workspace ws = new Workspace(dir);
    try {
      Files.createDirectories(workRoot);
      Files.createDirectory(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
      for (String sub : new String[] {"seed", "out", "tmp"}) {
        Files.createDirectory(dir.resolve(sub));
        Files.setPosixFilePermissions(
            dir.resolve(sub), PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      // The seed holds what the sandbox sees read-only from the runner: the inputs and the
      // generated passwd/group. It is a tmpfs of its own so that the sandbox's mountinfo names
      // only paths inside it ("/in", "/passwd"), never this host directory.
      long[] footprint = footprint(inputs);
      Posix.mountTmpfs(
          ws.seed(),
          footprint[0] + SEED_SLACK_BYTES,
          footprint[1] + SEED_SLACK_INODES,
          "0755",
          0,
          0);
      Files.createDirectory(ws.in());
      Files.setPosixFilePermissions(ws.in(), PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.writeString(ws.seed().resolve("passwd"), PASSWD);
      Files.writeString(ws.seed().resolve("group"), GROUP);
      Posix.mountTmpfs(ws.out(), outBytes, uid, uid);
      Posix.mountTmpfs(ws.tmp(), tmpBytes, uid, uid);
    } catch (IOException e) {
      ws.close();
      throw new RunnerException(
          ErrorKind.EXECUTION_FAILED, "cannot create workspace " + dir + ": " + e);
    } catch (RuntimeException e) {
      ws.close();
      throw e;
    }
    return ws;
  }

  /** Room in the seed tmpfs beyond the inputs: passwd, group and the in/ directory itself. */
  private static final long SEED_SLACK_BYTES = 64 * 1024;

  private static final long SEED_SLACK_INODES = 16;

  /**
   * Returns {bytes, inodes} the inputs need on a tmpfs: each regular file rounded up to whole 4 KiB
   * pages, one inode per entry. Links and special files count nothing (copyInputs refuses them).
   */
  private static long[] footprint(Path inputs) throws IOException {
    long[] f = {0, 0};
    if (inputs == null || !Files.isDirectory(inputs, LinkOption.NOFOLLOW_LINKS)) {
      return f;
    }
    Files.walkFileTree(
        inputs,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
            f[1]++;
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
            f[1]++;
            if (a.isRegularFile()) {
              f[0] += (a.size() + 4095) / 4096 * 4096;
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return f;
  }

  /**
   * Removes the workspace a stopped runner left behind for a run: unmounts its seed, out/ and tmp/
   * tmpfs mounts and deletes the directory without following links. Used by crash recovery; never
   * call it for a run that is still executing.
   *
   * @param workRoot the configured work root ({@link SandboxConfig#workRoot()})
   * @param executionId the run's execution id
   * @return true when a workspace was found and removed, false when there was none
   * @throws RunnerException of kind USAGE for an id that is not a workspace name, or
   *     EXECUTION_FAILED when unmounting or deleting fails
   */
  public static boolean discard(Path workRoot, String executionId) {
    if (!executionId.matches("[A-Za-z0-9._-]{1,128}") || executionId.matches("\\.+")) {
      throw new RunnerException(ErrorKind.USAGE, "bad execution id " + executionId);
    }
    Path dir = workRoot.resolve(executionId);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    new Workspace(dir).close();
    return true;
  }

  /** Returns the workspace directory. */
  public Path dir() {
    return dir;
  }

  /** Returns the host directory seen as {@code /workspace/in} (inside the seed tmpfs). */
  public Path in() {
    return seed().resolve("in");
  }

  /** Returns the seed tmpfs: {@code in/}, {@code passwd} and {@code group}. */
  Path seed() {
    return dir.resolve("seed");
  }

  /** Returns the host directory seen as {@code /workspace/out}. */
  public Path out() {
    return dir.resolve("out");
  }

  /** Returns the host directory seen as {@code /run/secrets} (a tmpfs while a run has secrets). */
  public Path secrets() {
    return dir.resolve("secrets");
  }

  /**
   * Writes the file secrets into {@code secrets/}, a 1 MiB tmpfs of mode 0700 owned by the sandbox
   * uid (so values never reach a disk), each file mode 0400 owned by that uid; it is unmounted with
   * the workspace.
   *
   * @throws RunnerException of kind EXECUTION_FAILED when the tmpfs or a file cannot be made
   */
  void writeSecrets(java.util.List<io.quackrunner.secrets.SecretValue> files, int uid) {
    if (files.isEmpty()) {
      return;
    }
    try {
      Files.createDirectory(secrets());
      Posix.mountTmpfs(secrets(), SECRETS_TMPFS_BYTES, uid, uid);
      for (io.quackrunner.secrets.SecretValue s : files) {
        Path f = secrets().resolve(s.target());
        try (var ch =
            java.nio.channels.FileChannel.open(
                f,
                java.util.Set.of(
                    java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("r--------")))) {
          ch.write(java.nio.ByteBuffer.wrap(s.value()));
        }
        Files.setAttribute(f, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(f, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
      }
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.EXECUTION_FAILED,
          "cannot write the run's secrets: " + e.getClass().getSimpleName());
    }
  }

  /** Returns the host directory seen as {@code /tmp}. */
  public Path tmp() {
    return dir.resolve("tmp");
  }

  Path statusFile() {
    return dir.resolve("bwrap-status.json");
  }

  /** Returns whether a tmpfs of this workspace (out/ or tmp/) has no room left. */
  static boolean isFull(Path tmpfs) {
    return Posix.availableBytes(tmpfs) < 2 * 4096;
  }

  /**
   * Copies the inputs into {@code in/}: directories and regular files only, never following a link;
   * files become 0644 (0755 when executable by their owner), owned by the runner.
   *
   * @throws RunnerException of kind USAGE naming the first link or special file in the inputs
   */
  void copyInputs(Path source) {
    Path target = in();
    try {
      if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
        throw new RunnerException(ErrorKind.USAGE, "input " + source + " is not a directory");
      }
      Files.walkFileTree(
          source,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a)
                throws IOException {
              Path t = target.resolve(source.relativize(d).toString());
              if (!d.equals(source)) {
                Files.createDirectory(t);
                Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
              if (!a.isRegularFile()) {
                throw new RunnerException(
                    ErrorKind.USAGE,
                    "input "
                        + source.relativize(f)
                        + " is not a regular file (links and special"
                        + " files are refused)");
              }
              Path t = target.resolve(source.relativize(f).toString());
              Files.copy(f, t, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
              boolean exec = Files.isExecutable(f);
              Files.setPosixFilePermissions(
                  t, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.USAGE, "cannot copy inputs from " + source + ": " + e);
    }
  }

  /**
   * Unmounts out/, tmp/, the seed and secrets/ and deletes the workspace without following any
   * link. Each mount point is unmounted only where its directory exists: a runner killed while
   * {@link #create} was still making them leaves a workspace with only some of them (KillLoopIT
   * found one holding just {@code seed/}), and crash recovery must still remove it.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      for (Path mountPoint : new Path[] {out(), tmp(), seed(), secrets()}) {
        if (Files.isDirectory(mountPoint, LinkOption.NOFOLLOW_LINKS)) {
          Posix.unmount(mountPoint);
        }
      }
      deleteTree(dir);
    }
    if (egress != null) {
      removeEgress(egress);
    }
  }

  /**
   * Mounts the run's egress directory, a 64 KiB tmpfs of mode 0700 owned by the sandbox uid, where
   * the policy proxy's socket lives; a directory an earlier holder of the slot left is removed
   * first. It is bound at {@code /run/quackrunner} inside the sandbox, so the sandbox's mountinfo
   * shows only {@code /}.
   *
   * @return the directory
   * @throws RunnerException of kind EXECUTION_FAILED when it cannot be made
   */
  Path mountEgress(int uid) {
    Path d = EGRESS_ROOT.resolve(Integer.toString(uid));
    try {
      Files.createDirectories(EGRESS_ROOT);
      Files.setPosixFilePermissions(EGRESS_ROOT, PosixFilePermissions.fromString("rwx--x--x"));
      removeEgress(d);
      Files.createDirectory(d);
      egress = d;
      Posix.mountTmpfs(d, EGRESS_TMPFS_BYTES, 16, "0700", uid, uid);
      return d;
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.EXECUTION_FAILED, "cannot make the egress directory " + d + ": " + e);
    }
  }

  private static void removeEgress(Path d) {
    if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
      Posix.unmount(d);
      deleteTree(d);
    }
  }

  /**
   * Deletes a tree bottom-up; links are deleted as links, never followed (walkFileTree does not
   * follow them), so a tree a sandbox wrote cannot steer the deletion elsewhere.
   *
   * @throws RunnerException of kind EXECUTION_FAILED when something cannot be deleted
   */
  public static void deleteTree(Path root) {
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
              Files.delete(f);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.EXECUTION_FAILED, "cannot delete " + root + ": " + e);
    }
  }
}
