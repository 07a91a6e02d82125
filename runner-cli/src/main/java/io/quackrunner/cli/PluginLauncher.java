package io.quackrunner.cli;

import io.quackrunner.errors.ErrorKind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a plugin as a child process with the caller's arguments, environment, working directory,
 * stdin, stdout and stderr, and returns its exit status unchanged.
 *
 * <p>A plugin killed by signal N yields 128+N (as the JDK reports it on Linux). If the runner
 * itself is terminated, the plugin gets SIGTERM, then SIGKILL after {@link #GRACE_SECONDS}.
 */
final class PluginLauncher {
  /** Exit code when the plugin file exists but cannot be started (EACCES, ENOEXEC, ...). */
  static final int NOT_STARTABLE = 126;

  /** Seconds a plugin has to exit after SIGTERM when the runner is terminated. */
  static final long GRACE_SECONDS = 10;

  private PluginLauncher() {}

  /** Runs {@code plugin} with {@code args} and returns its exit status. */
  static int run(Plugin plugin, List<String> args, CliContext context) {
    List<String> command = new ArrayList<>(args.size() + 1);
    command.add(plugin.path().toString());
    command.addAll(args);
    context.out().flush();
    Child child = new Child();
    // Registered before the start so that a SIGTERM at any moment reaches the plugin too.
    Thread stopper = new Thread(child::stop, "runner-plugin-stopper");
    Runtime.getRuntime().addShutdownHook(stopper);
    try {
      Process process;
      try {
        process = child.start(new ProcessBuilder(command).inheritIO());
      } catch (IOException e) {
        context
            .errors()
            .line("plugin '" + plugin.name() + "' could not be started: " + e.getMessage());
        return NOT_STARTABLE;
      }
      if (process == null) {
        // The runner is being terminated; the JVM's exit status wins over this one.
        return ErrorKind.INTERNAL.exitCode();
      }
      try {
        return process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop(process);
        return process.isAlive() ? ErrorKind.INTERNAL.exitCode() : process.exitValue();
      }
    } finally {
      removeHook(stopper);
    }
  }

  /** The plugin process, started unless the runner is already shutting down. */
  private static final class Child {
    private Process process;
    private boolean stopping;

    synchronized Process start(ProcessBuilder builder) throws IOException {
      if (stopping) {
        return null;
      }
      process = builder.start();
      return process;
    }

    void stop() {
      Process started;
      synchronized (this) {
        stopping = true;
        started = process;
      }
      if (started != null) {
        PluginLauncher.stop(started);
      }
    }
  }

  private static void stop(Process process) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The JVM is already exiting; the hook is running or has run.
    }
  }
}
