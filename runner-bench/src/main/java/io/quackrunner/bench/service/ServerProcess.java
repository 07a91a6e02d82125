package io.quackrunner.bench.service;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A gateway server in a child JVM ({@code io.quackrunner.server.ServerMain}, what {@code runner
 * serve} runs) on a free loopback port, so its RSS and CPU time can be read from {@code /proc}.
 */
final class ServerProcess implements AutoCloseable {
  /** Clock ticks per second of {@code /proc/PID/stat} (USER_HZ; 100 on Linux x86-64). */
  private static final double TICKS = 100.0;

  final Process process;
  final URI uri;

  private ServerProcess(Process process, URI uri) {
    this.process = process;
    this.uri = uri;
  }

  static ServerProcess start(BenchTools t, int concurrency, int queue) throws IOException {
    return start(t, concurrency, queue, List.of());
  }

  /** Starts the server with more options, e.g. {@code --database URL --node-id ID}. */
  static ServerProcess start(BenchTools t, int concurrency, int queue, List<String> more)
      throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
    // BENCH_SERVER_JVM_OPTS: extra JVM options for the server, e.g. a JFR recording to profile it.
    String extra = System.getenv("BENCH_SERVER_JVM_OPTS");
    if (extra != null && !extra.isBlank()) {
      cmd.addAll(List.of(extra.strip().split("\\s+")));
    }
    cmd.addAll(
        List.of(
            "-Dquackrunner.libexec=" + System.getProperty("quackrunner.libexec", ""),
            "-cp",
            System.getProperty("java.class.path"),
            "io.quackrunner.server.ServerMain",
            "--port",
            "0",
            "--state-dir",
            t.state.toString(),
            "--registry",
            t.registry.toString(),
            "--concurrency",
            Integer.toString(concurrency),
            "--queue",
            Integer.toString(queue)));
    cmd.addAll(more);
    Path log = t.state.resolve("server-" + System.nanoTime() + ".log");
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("listening on ")) {
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    while (out.readLine() != null) {
                      // keep the pipe empty
                    }
                  } catch (IOException ignored) {
                    // gone
                  }
                });
        return new ServerProcess(p, URI.create(line.substring(13).strip()));
      }
    }
    throw new IOException("the server did not start: " + Files.readString(log));
  }

  /** Returns VmRSS in KiB. */
  long rssKib() throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
      if (l.startsWith("VmRSS:")) {
        return Long.parseLong(l.substring(6).strip().split("\\s+")[0]);
      }
    }
    return -1;
  }

  /**
   * Returns CPU seconds used so far: [0] the server JVM itself (utime + stime), [1] its waited-for
   * children, i.e. the sandboxes (cutime + cstime).
   */
  double[] cpuSeconds() throws IOException {
    String[] f = fields(Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat")));
    return new double[] {
      (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS,
      (Long.parseLong(f[13]) + Long.parseLong(f[14])) / TICKS
    };
  }

  /**
   * Returns CPU seconds (utime + stime) of each live thread of the server JVM, summed by thread
   * group: the thread's name ({@code /proc/PID/task/TID/comm}, at most 15 bytes) with its digits
   * removed, so {@code run-worker-3} and {@code run-worker-12} count as {@code run-worker-}.
   * Threads that ended are not in it; compare the sum with {@link #cpuSeconds()}.
   */
  Map<String, Double> threadCpuSeconds() throws IOException {
    Map<String, Double> sum = new TreeMap<>();
    Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
    try (var dirs = Files.list(tasks)) {
      for (Path task : (Iterable<Path>) dirs::iterator) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (NoSuchFileException gone) {
          continue; // the thread ended between the listing and the read
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] f = fields(stat);
        double secs = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
        sum.merge(name.replaceAll("[0-9]+", ""), secs, Double::sum);
      }
    }
    return sum;
  }

  /**
   * Returns the fields of a {@code /proc/PID/stat} line after "pid (comm) ": state is [0], utime
   * [11], stime [12], cutime [13], cstime [14] (proc(5)).
   */
  private static String[] fields(String stat) {
    return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
