package io.quackrunner.sandbox;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The few Linux system calls the JVM does not offer, called through the FFM API ({@code
 * java.lang.foreign}): mount(2), umount2(2), geteuid(2).
 */
final class Posix {
  static final long MS_RDONLY = 1;
  static final long MS_NOSUID = 2;
  static final long MS_NODEV = 4;
  static final long MS_NOEXEC = 8;
  static final long MS_REMOUNT = 32;
  static final long MS_BIND = 4096;
  static final long MS_REC = 16384;
  static final long MS_PRIVATE = 1L << 18;
  static final int MNT_DETACH = 2;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

  // One holder class per function: the JVM makes a downcall handle (a generated stub and its
  // method-handle forms) only when the function is first called, so a short-lived runner pays for
  // the ones it uses (strerror only on a failure, statvfs only for a full tmpfs check; issue 19).

  private static final class Mount {
    static final MethodHandle H =
        downcall(
            "mount",
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS,
                ValueLayout.ADDRESS,
                ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG,
                ValueLayout.ADDRESS));
  }

  private static final class Umount2 {
    static final MethodHandle H =
        downcall(
            "umount2",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
  }

  private static final class Statvfs {
    static final MethodHandle H =
        downcall(
            "statvfs",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
  }

  /** {@code sizeof(struct statvfs)} on LP64 glibc; f_frsize at 8, f_bavail at 32. */
  private static final long STATVFS_SIZE = 112;

  private static final class Strerror {
    static final MethodHandle H =
        LINKER.downcallHandle(
            LINKER.defaultLookup().find("strerror").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
  }

  private static final class Geteuid {
    static final MethodHandle H =
        LINKER.downcallHandle(
            LINKER.defaultLookup().find("geteuid").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT));
  }

  private Posix() {}

  private static MethodHandle downcall(String name, FunctionDescriptor fd) {
    return LINKER.downcallHandle(
        LINKER.defaultLookup().find(name).orElseThrow(),
        fd,
        Linker.Option.captureCallState("errno"));
  }

  /** Mounts a tmpfs of {@code sizeBytes} at {@code target}, owned by uid/gid, mode 0700. */
  static void mountTmpfs(Path target, long sizeBytes, int uid, int gid) {
    mountTmpfs(target, sizeBytes, 65536, "0700", uid, gid);
  }

  /**
   * Mounts a tmpfs of {@code sizeBytes} and at most {@code inodes} inodes at {@code target}, its
   * root owned by uid/gid with the octal {@code mode}; nosuid, nodev.
   */
  static void mountTmpfs(Path target, long sizeBytes, long inodes, String mode, int uid, int gid) {
    String opts =
        "size="
            + sizeBytes
            + ",mode="
            + mode
            + ",uid="
            + uid
            + ",gid="
            + gid
            + ",nr_inodes="
            + inodes;
    mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, opts, "mount tmpfs on " + target);
  }

  /** Bind-mounts {@code source} (links followed, as mount(2) does) on {@code target}. */
  static void bindMount(Path source, Path target) {
    mount(source.toString(), target, null, MS_BIND, null, "bind " + source + " on " + target);
  }

  /**
   * Makes the mount at {@code target} read-only, nosuid and nodev: a bind mount's own flags when
   * {@code bind}, else its file system's (the superblock's, for every mount of it).
   */
  static void remountReadOnly(Path target, boolean bind) {
    long flags = MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | (bind ? MS_BIND : 0);
    mount(null, target, null, flags, null, "remount read-only " + target);
  }

  /**
   * Makes the mount at {@code target} and every mount below it private: no mount or unmount event
   * propagates to or from them (Documentation/filesystems/sharedsubtree.rst).
   */
  static void makePrivateRecursive(Path target) {
    mount(null, target, null, MS_PRIVATE | MS_REC, null, "make private " + target);
  }

  private static void mount(
      String source, Path target, String type, long flags, String data, String what) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = a.allocate(CAPTURE);
      MemorySegment src = source == null ? MemorySegment.NULL : a.allocateFrom(source);
      MemorySegment fsType = type == null ? MemorySegment.NULL : a.allocateFrom(type);
      MemorySegment options = data == null ? MemorySegment.NULL : a.allocateFrom(data);
      int rc =
          (int)
              Mount.H.invokeExact(
                  state, src, a.allocateFrom(target.toString()), fsType, flags, options);
      if (rc != 0) {
        throw failure(what, (int) ERRNO.get(state, 0L));
      }
    } catch (RunnerException e) {
      throw e;
    } catch (Throwable t) {
      throw new RunnerException(ErrorKind.EXECUTION_FAILED, "mount: " + t, t);
    }
  }

  /** Lazily unmounts {@code target} (MNT_DETACH); returns false when nothing was mounted there. */
  static boolean unmount(Path target) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = a.allocate(CAPTURE);
      int rc = (int) Umount2.H.invokeExact(state, a.allocateFrom(target.toString()), MNT_DETACH);
      if (rc != 0) {
        int errno = (int) ERRNO.get(state, 0L);
        if (errno == 22) { // EINVAL: not a mount point
          return false;
        }
        throw failure("umount " + target, errno);
      }
      return true;
    } catch (RunnerException e) {
      throw e;
    } catch (Throwable t) {
      throw new RunnerException(ErrorKind.EXECUTION_FAILED, "umount: " + t, t);
    }
  }

  /**
   * Returns the bytes available to unprivileged writers on the file system holding {@code path}
   * (statvfs(3): {@code f_bavail * f_frsize}); cheaper than {@code Files.getFileStore}, which
   * parses the mount table.
   */
  static long availableBytes(Path path) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = a.allocate(CAPTURE);
      MemorySegment buf = a.allocate(STATVFS_SIZE, 8);
      int rc = (int) Statvfs.H.invokeExact(state, a.allocateFrom(path.toString()), buf);
      if (rc != 0) {
        throw failure("statvfs " + path, (int) ERRNO.get(state, 0L));
      }
      return buf.get(ValueLayout.JAVA_LONG, 32) * buf.get(ValueLayout.JAVA_LONG, 8);
    } catch (RunnerException e) {
      throw e;
    } catch (Throwable t) {
      throw new RunnerException(ErrorKind.EXECUTION_FAILED, "statvfs: " + t, t);
    }
  }

  /** Returns the effective uid of this process. */
  static int geteuid() {
    try {
      return (int) Geteuid.H.invokeExact();
    } catch (Throwable t) {
      throw new RunnerException(ErrorKind.INTERNAL, "geteuid: " + t, t);
    }
  }

  private static RunnerException failure(String what, int errno) {
    String msg;
    try {
      MemorySegment s = (MemorySegment) Strerror.H.invokeExact(errno);
      msg = s.reinterpret(256).getString(0);
    } catch (Throwable t) {
      msg = "errno " + errno;
    }
    return new RunnerException(ErrorKind.EXECUTION_FAILED, what + ": " + msg);
  }
}
