package io.quackrunner.temporal.worker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The separate OS processes of the cross-process tests: the standalone Temporal test server ({@code
 * io.temporal.testserver.TestServer} on a loopback port) and {@code bin/runner temporal-worker}
 * reached through the plugin directory.
 */
final class Processes {
  static final Path HOME = Path.of(System.getProperty("quackrunner.home")).toAbsolutePath();

  private Processes() {}

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Starts the standalone test server (no time skipping) on {@code port}. */
  static Process testServer(int port, Path log) throws IOException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    String cp = Files.readString(Path.of(System.getProperty("quackrunner.classpath.file"))).strip();
    return new ProcessBuilder(
            java,
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            cp,
            "io.temporal.testserver.TestServer",
            Integer.toString(port))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /** Waits until something accepts TCP connections on the loopback port. */
  static void awaitListening(int port, java.time.Duration max) throws Exception {
    long end = System.nanoTime() + max.toNanos();
    while (true) {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
        return;
      } catch (IOException e) {
        if (System.nanoTime() > end) {
          throw new AssertionError("nothing listens on port " + port, e);
        }
        Thread.sleep(100);
      }
    }
  }

  /** A plugin directory holding only a link to the worker plugin, as bin/setup makes it. */
  static Path pluginDir() throws IOException {
    Path dir = Files.createTempDirectory("qr-plugins-");
    Files.createSymbolicLink(
        dir.resolve("temporal-worker"), HOME.resolve("runner-temporal/bin/temporal-worker"));
    return dir;
  }

  /**
   * Starts {@code bin/runner temporal-worker} and waits until it polls.
   *
   * @return the {@code bin/runner} process (its child is the worker's JVM)
   */
  static Process worker(Path plugins, int port, String queue, Path state, String identity)
      throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                HOME.resolve("bin/runner").toString(),
                "temporal-worker",
                "--target",
                "127.0.0.1:" + port,
                "--namespace",
                "default",
                "--task-queue",
                queue,
                "--state-dir",
                state.toString(),
                "--identity",
                identity,
                "--concurrency",
                "2",
                "--registry",
                StateDirs.REGISTRY.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("RUNNER_PLUGINS", plugins.toString());
    pb.redirectError(state.resolve("worker-" + identity + ".log").toFile());
    Process p = pb.start();
    CompletableFuture<String> ready =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String line = r.readLine();
                Thread.ofVirtual().start(() -> drain(r));
                return line;
              } catch (IOException e) {
                return null;
              }
            });
    String line = ready.get(90, TimeUnit.SECONDS);
    if (line == null || !line.startsWith("polling task queue")) {
      p.destroyForcibly();
      throw new AssertionError(
          "worker did not start: "
              + line
              + " / "
              + Files.readString(state.resolve("worker-" + identity + ".log")));
    }
    return p;
  }

  private static void drain(BufferedReader r) {
    try {
      while (r.readLine() != null) {
        // keep the pipe empty
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  /** Returns the worker's JVM: the plugin process that {@code bin/runner} started. */
  static ProcessHandle workerJvm(Process runner) {
    return runner.toHandle().children().findFirst().orElseThrow();
  }

  /** Sends SIGKILL to the worker's JVM and to {@code bin/runner}, and waits for both. */
  static void kill9(Process runner) throws Exception {
    ProcessHandle jvm = workerJvm(runner);
    new ProcessBuilder("kill", "-KILL", Long.toString(jvm.pid())).start().waitFor();
    jvm.onExit().get(30, TimeUnit.SECONDS);
    runner.destroyForcibly();
    runner.waitFor(30, TimeUnit.SECONDS);
  }

  /** Sends a signal (e.g. {@code STOP}, {@code CONT}) to a process. */
  static void signal(long pid, String sig) throws Exception {
    new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).start().waitFor();
  }

  /** Stops a worker with SIGTERM (graceful) and waits. */
  static int terminate(Process runner) throws Exception {
    runner.destroy();
    if (!runner.waitFor(60, TimeUnit.SECONDS)) {
      runner.destroyForcibly();
      throw new AssertionError("worker did not stop on SIGTERM");
    }
    return runner.exitValue();
  }
}
