package io.quackrunner.sandbox;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.limits.LimitKind;
import io.quackrunner.logs.LogCapture;
import io.quackrunner.logs.LogListener;
import io.quackrunner.logs.LogStream;
import io.quackrunner.logs.OutputBudget;
import io.quackrunner.logs.Redaction;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The bubblewrap sandbox backend: runs one command per sandbox in its own namespaces, as a
 * dedicated non-root uid, in a leased cgroup slot, with rlimits and a seccomp filter, and kills
 * everything it started when the run ends or breaches a limit.
 *
 * <p>There is no unisolated fallback: when bubblewrap, the launcher, root or the cgroups are
 * missing, {@link #open} fails.
 */
public final class BubblewrapSandbox {
  private static final Duration WATCH_INTERVAL = Duration.ofMillis(10);

  /**
   * Every sandbox is forked from this one long-lived platform thread: the launcher's
   * PR_SET_PDEATHSIG fires when the forking <em>thread</em> exits, so forking from a pooled or
   * virtual thread's carrier would kill a healthy sandbox when that thread retires.
   */
  private static final ExecutorService SPAWNER =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "sandbox-spawner");
            t.setDaemon(true);
            return t;
          });

  private final SandboxConfig cfg;
  private final CgroupPool pool;
  private final String version;
  private final SeccompPrograms seccomp;
  private final EtcView etc;

  private BubblewrapSandbox(SandboxConfig cfg, CgroupPool pool, String version) {
    this.cfg = cfg;
    this.pool = pool;
    this.version = version;
    this.seccomp = new SeccompPrograms(cfg.lockDir().resolveSibling("seccomp"));
    this.etc = new EtcView(cfg.lockDir().resolveSibling("etc"));
  }

  /**
   * Checks the host and opens the backend.
   *
   * @throws RunnerException of kind ISOLATION_UNAVAILABLE naming what is missing: root, the
   *     bubblewrap binary, the launcher, writable cgroups, or a traversable work root
   */
  public static BubblewrapSandbox open(SandboxConfig cfg) {
    if (Posix.geteuid() != 0) {
      throw new RunnerException(
          ErrorKind.ISOLATION_UNAVAILABLE,
          "the bubblewrap backend runs as root (it mounts tmpfs and writes cgroups), refusing");
    }
    if (!Files.isExecutable(cfg.bwrap())) {
      throw new RunnerException(
          ErrorKind.ISOLATION_UNAVAILABLE,
          "bubblewrap not found at "
              + cfg.bwrap()
              + " (apt-get install bubblewrap); refusing to run unsandboxed");
    }
    // Kept beside the workspaces (<state>/host-facts): a short-lived runner need not fork
    // `bwrap --version` on every call; any change to the binary probes again.
    String version =
        BwrapVersionCache.version(
            cfg.bwrap(), cfg.workRoot().resolveSibling("host-facts"), HostProbe::bwrapVersion);
    if (version.equals("unusable") || version.equals("missing")) {
      throw new RunnerException(
          ErrorKind.ISOLATION_UNAVAILABLE, "bubblewrap at " + cfg.bwrap() + " does not run");
    }
    if (!atLeast(version, 0, 7)) {
      throw new RunnerException(
          ErrorKind.ISOLATION_UNAVAILABLE,
          "bubblewrap " + version + " is too old: the sandbox needs 0.7.0 or later (--size)");
    }
    if (!Files.isExecutable(cfg.launcher())) {
      throw new RunnerException(
          ErrorKind.ISOLATION_UNAVAILABLE,
          "sandbox launcher not found at " + cfg.launcher() + " (build with bin/setup)");
    }
    if (cfg.uidBase() <= 0) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "sandbox uid base must be positive");
    }
    prepareWorkRoot(cfg.workRoot());
    CgroupPool pool =
        CgroupPool.open(cfg.cgroupRoot(), cfg.lockDir(), cfg.slots(), cfg.useUnifiedKill());
    return new BubblewrapSandbox(cfg, pool, version);
  }

  private static void prepareWorkRoot(Path root) {
    try {
      Files.createDirectories(root);
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
      for (Path p = root.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
        if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
          throw new RunnerException(
              ErrorKind.ISOLATION_UNAVAILABLE,
              "sandbox uids cannot traverse " + p + " to reach " + root + " (needs o+x)");
        }
      }
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.ISOLATION_UNAVAILABLE, "cannot prepare " + root + ": " + e);
    }
  }

  /** Returns whether a dotted version such as {@code 0.8.0} is at least major.minor. */
  static boolean atLeast(String version, int major, int minor) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\.(\\d+)").matcher(version);
    if (!m.lookingAt()) {
      return false;
    }
    int ma = Integer.parseInt(m.group(1));
    return ma > major || (ma == major && Integer.parseInt(m.group(2)) >= minor);
  }

  /** Returns the bubblewrap version, e.g. {@code 0.8.0}. */
  public String version() {
    return version;
  }

  /** Returns the host's cgroup mode. */
  public CgroupMode cgroupMode() {
    return pool.mode();
  }

  /** Runs a spec to the end; see {@link #start}. */
  public SandboxOutcome run(SandboxSpec spec, LogListener listener) {
    return start(spec, listener).await();
  }

  /**
   * Starts a sandbox: leases a cgroup slot, makes the workspace, copies inputs and starts the
   * command.
   *
   * @throws RunnerException of kind EXECUTION_FAILED or USAGE when the sandbox cannot be set up
   */
  public Execution start(SandboxSpec spec, LogListener listener) {
    CgroupPool.Lease lease = pool.acquire(Duration.ofMinutes(10));
    Workspace ws = null;
    try {
      CgroupSlot slot = lease.slot();
      slot.prepare(spec.limits());
      int uid = cfg.uidBase() + slot.index();
      ws =
          Workspace.create(
              cfg.workRoot(),
              spec.executionId(),
              uid,
              spec.limits().outDirBytes(),
              spec.limits().tmpDirBytes(),
              spec.inputDir());
      if (spec.inputDir() != null) {
        ws.copyInputs(spec.inputDir());
      }
      ws.writeSecrets(spec.fileSecrets(), uid);
      if (spec.egress() != null) {
        ws.mountEgress(uid);
        spec.egress().open(BwrapCommand.egressSocket(uid), uid);
      }
      Files.createDirectories(spec.logDir());
      return new Execution(spec, listener, lease, ws, uid);
    } catch (IOException e) {
      closeEgress(spec);
      closeQuietly(ws, lease);
      throw new RunnerException(ErrorKind.EXECUTION_FAILED, "cannot prepare the sandbox: " + e);
    } catch (RuntimeException e) {
      closeEgress(spec);
      closeQuietly(ws, lease);
      throw e;
    }
  }

  private static void closeEgress(SandboxSpec spec) {
    if (spec.egress() != null) {
      spec.egress().close();
    }
  }

  private static void closeQuietly(Workspace ws, CgroupPool.Lease lease) {
    try {
      if (ws != null) {
        ws.close();
      }
    } finally {
      lease.close();
    }
  }

  /** One started sandbox; {@link #await} ends it, {@link #cancel} kills it early. */
  public final class Execution {
    private final SandboxSpec spec;
    private final CgroupPool.Lease lease;
    private final Workspace ws;
    private final int uid;
    private final Process process;
    private final Instant startedAt;
    private final long startNanos;
    private final AtomicReference<LimitKind> breach = new AtomicReference<>();
    private volatile boolean cancelled;
    private final LogCapture out;
    private final LogCapture err;
    private final Thread outThread;
    private final Thread errThread;
    private final Thread watchdog;

    private Execution(
        SandboxSpec spec, LogListener listener, CgroupPool.Lease lease, Workspace ws, int uid)
        throws IOException {
      this.spec = spec;
      this.lease = lease;
      this.ws = ws;
      this.uid = uid;
      Path program =
          seccomp.program(
              cfg.launcher(),
              spec.limits().network() == io.quackrunner.limits.NetworkMode.NONE
                  ? SeccompPrograms.Mode.NONE
                  : SeccompPrograms.Mode.LOOPBACK);
      Path etcView =
          spec.runtime().image() == null ? etc.view(BwrapCommand.etcEntries(spec)) : null;
      List<String> cmd = BwrapCommand.build(cfg, lease.slot(), uid, spec, ws, program, etcView);
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().clear();
      byte[] secretArgs = BwrapCommand.secretArgs(spec);
      if (spec.interactive()) {
        pb.inheritIO();
      } else if (secretArgs.length == 0) {
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      }
      this.startedAt = Instant.now();
      this.startNanos = System.nanoTime();
      this.process = spawn(pb);
      if (!spec.interactive() && secretArgs.length > 0) {
        // bwrap reads them (--args 0) before it starts the command, which then sees stdin at EOF.
        try (var in = process.getOutputStream()) {
          in.write(secretArgs);
        } catch (IOException e) {
          // bwrap ended before reading them; await() reports why the sandbox did not start
        } finally {
          java.util.Arrays.fill(secretArgs, (byte) 0);
        }
      }
      spec.phases().lap("setup");
      if (spec.interactive()) {
        out = err = null;
        outThread = errThread = null;
      } else {
        OutputBudget budget =
            new OutputBudget(spec.limits().outputBytes(), () -> breach(LimitKind.OUTPUT));
        Redaction redaction = Redaction.of(spec.secrets());
        out =
            new LogCapture(
                LogStream.STDOUT,
                process.getInputStream(),
                spec.logDir().resolve("stdout.log"),
                budget,
                listener,
                redaction);
        err =
            new LogCapture(
                LogStream.STDERR,
                process.getErrorStream(),
                spec.logDir().resolve("stderr.log"),
                budget,
                listener,
                redaction);
        outThread = Thread.ofVirtual().name("stdout-" + spec.executionId()).start(out);
        errThread = Thread.ofVirtual().name("stderr-" + spec.executionId()).start(err);
      }
      watchdog = Thread.ofVirtual().name("watchdog-" + spec.executionId()).start(this::watch);
    }

    /** Returns the host uid the sandbox runs as. */
    public int sandboxUid() {
      return uid;
    }

    /** Kills the sandbox now; the outcome will have no breach and {@link #cancelled()} true. */
    public void cancel() {
      cancelled = true;
      lease.kill();
    }

    /** Returns whether {@link #cancel} was called. */
    public boolean cancelled() {
      return cancelled;
    }

    private void breach(LimitKind kind) {
      if (breach.compareAndSet(null, kind)) {
        lease.kill();
      }
    }

    /**
     * Kills the run as soon as the kernel counts an OOM kill or a refused fork, or the cgroup's
     * total CPU time (every process of the run, parallel and successive) passes the limit.
     */
    private void watch() {
      long cpuMs = spec.limits().cpuTimeMs();
      long cpuLimitNanos =
          cpuMs > Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE : cpuMs * 1_000_000L;
      try {
        while (process.isAlive()) {
          if (cancelled) {
            // A cancel can land before the launcher joined the cgroup; kill until it is gone.
            lease.kill();
          }
          CgroupUsage u = lease.slot().usage();
          if (u.oomKills() > 0) {
            breach(LimitKind.MEMORY);
          } else if (u.pidsMaxEvents() > 0) {
            breach(LimitKind.PIDS);
          } else if (u.cpuTimeNanos() > cpuLimitNanos) {
            breach(LimitKind.CPU_TIME);
          }
          Thread.sleep(WATCH_INTERVAL);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RunnerException e) {
        // the slot is being torn down; await() reads the final counters
      }
    }

    /**
     * Waits for the end (at most the wall-time limit), kills whatever is left, and reports.
     *
     * @throws RunnerException of kind EXECUTION_FAILED when the sandbox never started the command
     */
    public SandboxOutcome await() {
      try {
        if (!process.waitFor(spec.limits().wallTimeMs(), TimeUnit.MILLISECONDS)) {
          breach(LimitKind.WALL_TIME);
          process.waitFor();
        }
        spec.phases().lap("exec");
        lease.kill();
        if (outThread != null) {
          outThread.join();
          errThread.join();
        }
        if (!lease.slot().awaitEmpty(Duration.ofSeconds(10))) {
          throw new RunnerException(
              ErrorKind.EXECUTION_FAILED,
              "sandbox " + spec.executionId() + " left processes behind");
        }
        for (LogCapture capture : new LogCapture[] {out, err}) {
          if (capture != null && capture.failure() != null) {
            // The log is incomplete: no outcome may claim it holds the run's output.
            throw new RunnerException(
                ErrorKind.EXECUTION_FAILED,
                "cannot keep the "
                    + capture.result().stream().label()
                    + " log "
                    + capture.result().file()
                    + ": "
                    + capture.failure().getMessage());
          }
        }
        long elapsed = System.nanoTime() - startNanos;
        watchdog.interrupt();
        watchdog.join();
        // Monotonic duration: a wall-clock step during the run cannot reorder the timestamps.
        Instant finishedAt = startedAt.plusNanos(elapsed);
        CgroupUsage usage = lease.slot().usage();
        RunEnding end =
            RunEnding.decide(
                bwrapStatus(),
                breach.get(),
                cancelled,
                usage,
                spec.limits().cpuTimeMs(),
                this::fullDirectory,
                () -> lastLine(spec.logDir().resolve("stderr.log")) + exitOf(process));
        spec.phases().lap("teardown");
        return new SandboxOutcome(
            end.exitCode(),
            end.signal(),
            end.limit(),
            startedAt,
            finishedAt,
            usage,
            out == null ? null : out.result(),
            err == null ? null : err.result(),
            ws,
            uid);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        lease.kill();
        ws.close();
        throw new RunnerException(ErrorKind.EXECUTION_FAILED, "interrupted");
      } catch (RuntimeException e) {
        ws.close();
        throw e;
      } finally {
        // After every sandbox process is gone (or on failure): no connection outlives the run.
        closeEgress(spec);
        lease.close();
      }
    }

    private LimitKind fullDirectory() {
      if (Workspace.isFull(ws.out())) {
        return LimitKind.OUT_DIR;
      }
      if (Workspace.isFull(ws.tmp())) {
        return LimitKind.TMP_DIR;
      }
      return null;
    }

    /** Reads bubblewrap's {@code --json-status-fd} output. */
    private RunEnding.Status bwrapStatus() {
      Path f = ws.statusFile();
      if (!Files.isRegularFile(f)) {
        return RunEnding.Status.NONE;
      }
      try {
        return RunEnding.Status.parse(Files.readAllBytes(f));
      } catch (IOException e) {
        throw new RunnerException(ErrorKind.EXECUTION_FAILED, "unreadable sandbox status: " + e);
      }
    }
  }

  private static Process spawn(ProcessBuilder pb) throws IOException {
    try {
      return SPAWNER.submit(pb::start).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new RunnerException(
          ErrorKind.EXECUTION_FAILED, "cannot start the sandbox: " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunnerException(
          ErrorKind.EXECUTION_FAILED, "interrupted while starting the sandbox");
    }
  }

  /** The launcher's own ending, for an error that has nothing else to go on. */
  private static String exitOf(Process p) {
    int code = p.exitValue();
    return code > 128 && code <= 128 + 64
        ? " (launcher killed by signal " + (code - 128) + ")"
        : " (launcher exit " + code + ")";
  }

  private static String lastLine(Path log) {
    try {
      String s = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).strip();
      return s.isEmpty() ? "(no message)" : s.substring(s.lastIndexOf('\n') + 1);
    } catch (IOException e) {
      return "(no message)";
    }
  }
}
