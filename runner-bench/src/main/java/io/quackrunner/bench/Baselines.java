package io.quackrunner.bench;

import io.quackrunner.execution.ExecRequest;
import io.quackrunner.execution.Executor;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.logs.LogListener;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The three ways of running a command that the latency benchmarks compare, each timed in
 * nanoseconds of the monotonic clock: plain fork-exec, bare bubblewrap, and the whole engine.
 */
public final class Baselines {
  private Baselines() {}

  /**
   * Returns the argv of bare bubblewrap with the same namespaces, non-root uid drop ({@code
   * setpriv}) and read-only root as the runner's sandbox, running {@code cmd}.
   */
  public static List<String> bareBwrap(List<String> cmd) {
    List<String> c =
        new ArrayList<>(
            List.of(
                "/usr/bin/setpriv",
                "--reuid=969999",
                "--regid=969999",
                "--clear-groups",
                "--",
                "/usr/bin/bwrap",
                "--unshare-user",
                "--unshare-ipc",
                "--unshare-pid",
                "--unshare-uts",
                "--unshare-cgroup",
                "--unshare-net",
                "--uid",
                "1000",
                "--gid",
                "1000",
                "--cap-drop",
                "ALL",
                "--die-with-parent",
                "--new-session",
                "--ro-bind",
                "/usr",
                "/usr",
                "--symlink",
                "usr/bin",
                "/bin",
                "--symlink",
                "usr/lib",
                "/lib",
                "--symlink",
                "usr/lib64",
                "/lib64",
                "--proc",
                "/proc",
                "--dev",
                "/dev",
                "--tmpfs",
                "/tmp",
                "--remount-ro",
                "/",
                "--"));
    c.addAll(cmd);
    return c;
  }

  /**
   * Forks and execs {@code cmd} (output discarded) and returns the nanoseconds until it exited.
   *
   * @throws IllegalStateException when it exits non-zero
   */
  public static long forkExec(List<String> cmd) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(cmd)
            .redirectInput(new File("/dev/null"))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    int rc = p.waitFor();
    long dt = System.nanoTime() - t0;
    if (rc != 0) {
      throw new IllegalStateException(cmd + " exited " + rc);
    }
    return dt;
  }

  /**
   * Runs {@code argv} through the whole engine (sandbox, collection, reports) with an out directory
   * under {@code stateDir} and returns the nanoseconds it took.
   *
   * @throws IllegalStateException when the run does not exit 0
   */
  public static long engine(Executor executor, Path stateDir, List<String> argv) {
    return engine(executor, stateDir, null, argv);
  }

  /** Like {@link #engine(Executor, Path, List)} on a runtime (null: system), e.g. an image's. */
  public static long engine(Executor executor, Path stateDir, String runtime, List<String> argv) {
    long t0 = System.nanoTime();
    var r =
        executor.execute(
            new ExecRequest(
                null,
                argv,
                runtime,
                null,
                stateDir.resolve("out-" + UUID.randomUUID()),
                Map.of(),
                LimitsRequest.DEFAULTS),
            LogListener.NONE);
    long dt = System.nanoTime() - t0;
    if (r.exitCode() == null || r.exitCode() != 0) {
      throw new IllegalStateException("executor run failed: " + r.status());
    }
    return dt;
  }

  /** Returns {@code du -sh DIR}'s first field (disk use), or "?" when du fails. */
  public static String du(Path dir) {
    try {
      Process p = new ProcessBuilder("du", "-sh", dir.toString()).redirectErrorStream(true).start();
      String out =
          new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      return p.waitFor() == 0 ? out.split("\\s+")[0] : "?";
    } catch (java.io.IOException | InterruptedException e) {
      return "?";
    }
  }
}
