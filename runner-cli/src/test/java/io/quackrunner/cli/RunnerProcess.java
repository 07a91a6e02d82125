package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code bin/runner} as a process with its own etc and plugin directories, for the
 * contract integration tests.
 */
final class RunnerProcess {
  /** The repository root, set by failsafe. */
  static final Path HOME =
      Path.of(System.getProperty("quackrunner.home", "..")).toAbsolutePath().normalize();

  /** The launcher under test. */
  static final Path LAUNCHER = HOME.resolve("bin/runner");

  // A guard against a hung runner, not a speed assertion: a JVM start can take tens of seconds
  // on a 2-core machine under heavy load (one call hit 60 s at load 54).
  private static final long TIMEOUT_SECONDS = 300;

  private final Path work;
  private final Path etc;
  private final Path plugins;
  private final Map<String, String> env = new HashMap<>();
  private Path launcher = LAUNCHER;
  private String stdin = "";
  private long timeoutSeconds = TIMEOUT_SECONDS;

  /**
   * Creates a runner whose RUNNER_ETC and RUNNER_PLUGINS are empty directories under {@code work}.
   */
  RunnerProcess(Path work) {
    this.work = work;
    this.etc = mkdirs(work.resolve("etc"));
    this.plugins = mkdirs(work.resolve("plugins"));
    env.putAll(System.getenv());
    for (String inherited :
        List.of(
            "RUNNER_JAVA",
            "RUNNER_DEBUG",
            "JAVA_TOOL_OPTIONS",
            "_JAVA_OPTIONS",
            "JDK_JAVA_OPTIONS",
            "CLASSPATH")) {
      env.remove(inherited);
    }
    env.put("RUNNER_ETC", etc.toString());
    env.put("RUNNER_PLUGINS", plugins.toString());
  }

  /**
   * Creates a runner with its own state directory {@code work/state} (RUNNER_STATE_DIR), for tests
   * that run sandboxes; {@code work} is made traversable (0711) for the sandbox uids.
   */
  static RunnerProcess withState(Path work) {
    try {
      Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
      RunnerProcess r = new RunnerProcess(work);
      r.env("RUNNER_STATE_DIR", Files.createDirectories(work.resolve("state")).toString());
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns the state directory a {@link #withState} runner uses. */
  Path state() {
    return Path.of(env.get("RUNNER_STATE_DIR"));
  }

  Path etc() {
    return etc;
  }

  Path plugins() {
    return plugins;
  }

  /** Sets ({@code value} non-null) or removes an environment variable of the runner process. */
  RunnerProcess env(String name, String value) {
    if (value == null) {
      env.remove(name);
    } else {
      env.put(name, value);
    }
    return this;
  }

  RunnerProcess launcher(Path launcher) {
    this.launcher = launcher;
    return this;
  }

  /** Sets how long {@link #run} waits (default 60 s), e.g. for an image build. */
  RunnerProcess timeout(long seconds) {
    this.timeoutSeconds = seconds;
    return this;
  }

  RunnerProcess stdin(String stdin) {
    this.stdin = stdin;
    return this;
  }

  /** Writes {@code etc/NAME} with {@code content}. */
  Path etcFile(String name, String content) {
    return write(etc.resolve(name), content, "rw-r--r--");
  }

  /** Writes the identity file every good image has. */
  void goodIdentity() {
    etcFile("image.env", "RUNNER_IMAGE=runner-base\nRUNNER_DOMAIN=base\nRUNNER_ROLE=runtime\n");
  }

  /** Writes an executable {@code /bin/sh} plugin with the given script body. */
  Path plugin(String name, String body) {
    return write(plugins.resolve(name), "#!/bin/sh\n" + body + "\n", "rwxr-xr-x");
  }

  /** A file a plugin script can create to prove it ran. */
  Path marker(String name) {
    return work.resolve("marker-" + name);
  }

  /** Runs the launcher with {@code args} and waits for it. */
  Result run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(launcher.toString());
    command.addAll(List.of(args));
    try {
      Path in = Files.writeString(Files.createTempFile(work, "stdin", ""), stdin);
      Path out = Files.createTempFile(work, "stdout", "");
      Path err = Files.createTempFile(work, "stderr", "");
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(work.toFile())
              .redirectInput(in.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      pb.environment().clear();
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError("runner " + List.of(args) + " did not finish in time");
      }
      return new Result(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Runs {@code runner serve --port 0 --registry REGISTRY} on this runner's state directory and
   * asserts it refuses to start: exit 125 and one line {@code runner serve: ...} containing {@code
   * fragment}.
   */
  void serveRefuses(Path registry, String fragment) {
    Result r =
        run(
            "serve",
            "--port",
            "0",
            "--registry",
            registry.toString(),
            "--state-dir",
            state().toString());
    assertThat(r.exitCode()).as(r.stderr()).isEqualTo(125);
    assertThat(r.stderr().lines())
        .singleElement()
        .satisfies(l -> assertThat(l).startsWith("runner serve: ").contains(fragment));
  }

  /** Starts the launcher with {@code args}, stdin empty, stdout and stderr discarded. */
  Process start(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(launcher.toString());
    command.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().clear();
    pb.environment().putAll(env);
    return pb.start();
  }

  static Path write(Path file, String content, String permissions) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path mkdirs(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What one run of the launcher left: exit code, stdout and stderr (UTF-8). */
  record Result(int exitCode, String stdout, String stderr) {
    /** Asserts success and an empty stderr. */
    Result succeeds() {
      assertThat(exitCode).as("exit code; stderr: %s", stderr).isZero();
      assertThat(stderr).as("stderr").isEmpty();
      return this;
    }

    /**
     * Asserts exit code {@code code}, nothing on stdout and exactly one {@code runner: } line on
     * stderr containing {@code fragment}.
     */
    Result failsWithOneLine(int code, String fragment) {
      assertThat(exitCode).as("exit code; stderr: %s", stderr).isEqualTo(code);
      assertThat(stdout).as("stdout").isEmpty();
      assertThat(stderr).as("stderr").matches("runner: [^\n]*\n").contains(fragment);
      return this;
    }

    List<String> stdoutLines() {
      return stdout.lines().toList();
    }
  }
}
