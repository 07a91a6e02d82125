package io.quackrunner.server.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server in a child JVM ({@code ServerMain}, as {@code runner serve} starts it) on a free
 * loopback port; its JSON service log goes to {@code log}.
 */
public final class ChildServer {
  /** The server process. */
  public final Process process;

  /** Where it listens. */
  public final URI uri;

  /** Its stderr (the JSON service log). */
  public final Path log;

  private ChildServer(Process process, URI uri, Path log) {
    this.process = process;
    this.uri = uri;
    this.log = log;
  }

  static ChildServer start(Path state, Path logDir, int concurrency, int queue)
      throws IOException, InterruptedException {
    return start(state, logDir, Scale.REGISTRY, concurrency, queue);
  }

  /** Starts {@code ServerMain} on port 0 with the given registry; returns once it listens. */
  public static ChildServer start(
      Path state, Path logDir, Path registry, int concurrency, int queue)
      throws IOException, InterruptedException {
    return start(state, logDir, registry, concurrency, queue, List.of());
  }

  /**
   * Starts {@code ServerMain} as {@link #start(Path, Path, Path, int, int)} does, with more options
   * (e.g. {@code --database URL --node-id ID --content-dir DIR}).
   */
  public static ChildServer start(
      Path state, Path logDir, Path registry, int concurrency, int queue, List<String> more)
      throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    String cp =
        System.getProperty("quackrunner.classes")
            + ":"
            + Files.readString(Path.of(System.getProperty("quackrunner.classpath.file"))).strip();
    Path log = logDir.resolve("server-" + System.nanoTime() + ".log");
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-Dquackrunner.libexec=" + System.getProperty("quackrunner.libexec"),
                "-cp",
                cp,
                "io.quackrunner.server.ServerMain",
                "--port",
                "0",
                "--state-dir",
                state.toString(),
                "--registry",
                registry.toString(),
                "--concurrency",
                Integer.toString(concurrency),
                "--queue",
                Integer.toString(queue)));
    cmd.addAll(more);
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("listening on ")) {
        Thread.ofVirtual().start(() -> drain(out));
        return new ChildServer(
            p, URI.create(line.substring("listening on ".length()).strip()), log);
      }
    }
    throw new IllegalStateException(
        "the server did not start (exit " + p.waitFor() + "): " + Files.readString(log));
  }

  private static void drain(BufferedReader r) {
    try {
      while (r.readLine() != null) {
        // keep the pipe empty
      }
    } catch (IOException ignored) {
      // the child is gone
    }
  }

  /** SIGKILL: no shutdown hook, no cleanup. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("server " + process.pid() + " survived SIGKILL");
    }
  }

  /** SIGTERM: the shutdown hook stops the server cleanly. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      kill9();
    }
  }
}
