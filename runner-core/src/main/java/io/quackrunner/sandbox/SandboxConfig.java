package io.quackrunner.sandbox;

import java.nio.file.Path;

/**
 * Where the bubblewrap backend finds its parts and how many sandboxes it runs at once.
 *
 * @param launcher the {@code qr-sandbox-exec} binary built from {@code runner-core/src/main/c}
 * @param bwrap the bubblewrap binary
 * @param workRoot directory holding per-run workspaces; every ancestor must be traversable (o+x) by
 *     the sandbox uids
 * @param cgroupRoot normally {@code /sys/fs/cgroup}
 * @param lockDir where cgroup-slot lease locks live, shared by every runner process on the host
 * @param uidBase the sandbox uid (and gid) of slot N is {@code uidBase + N}; never 0
 * @param slots the number of cgroup slots, i.e. concurrent sandboxes on this host
 * @param useUnifiedKill on hybrid cgroup hosts, kill through cgroup2 {@code cgroup.kill}
 */
public record SandboxConfig(
    Path launcher,
    Path bwrap,
    Path workRoot,
    Path cgroupRoot,
    Path lockDir,
    int uidBase,
    int slots,
    boolean useUnifiedKill) {

  /** The default first sandbox uid: far above any login or system account. */
  public static final int DEFAULT_UID_BASE = 970_000;

  /**
   * Returns the standard configuration: launcher from the {@code quackrunner.libexec} system
   * property or {@code RUNNER_LIBEXEC}, bubblewrap at {@code /usr/bin/bwrap}, workspaces under
   * {@code stateDir/sandboxes}, 64 slots.
   */
  public static SandboxConfig standard(Path stateDir) {
    String libexec = System.getProperty("quackrunner.libexec", System.getenv("RUNNER_LIBEXEC"));
    Path launcher =
        libexec == null
            ? Path.of("/usr/local/libexec/quackrunner/qr-sandbox-exec")
            : Path.of(libexec).resolve("qr-sandbox-exec");
    return new SandboxConfig(
        launcher,
        HostProbe.BWRAP,
        stateDir.resolve("sandboxes"),
        Path.of("/sys/fs/cgroup"),
        Path.of("/run/quackrunner/slots"),
        DEFAULT_UID_BASE,
        64,
        true);
  }

  /** Returns a copy with another bubblewrap path. */
  public SandboxConfig withBwrap(Path p) {
    return new SandboxConfig(
        launcher, p, workRoot, cgroupRoot, lockDir, uidBase, slots, useUnifiedKill);
  }

  /** Returns a copy with another cgroup root. */
  public SandboxConfig withCgroupRoot(Path p) {
    return new SandboxConfig(launcher, bwrap, workRoot, p, lockDir, uidBase, slots, useUnifiedKill);
  }

  /** Returns a copy that kills with the v1 freezer even on hybrid hosts. */
  public SandboxConfig withUnifiedKill(boolean use) {
    return new SandboxConfig(launcher, bwrap, workRoot, cgroupRoot, lockDir, uidBase, slots, use);
  }
}
