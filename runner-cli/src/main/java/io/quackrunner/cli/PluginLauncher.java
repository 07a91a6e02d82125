package io.quackrunner.cli;

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
    Process process;
    try {
      process = new ProcessBuilder(command).inheritIO().start();
    } catch (IOException e) {
      context
          .errors()
          .line("plugin '" + plugin.name() + "' could not be started: " + e.getMessage());
      return NOT_STARTABLE;
    }
    Thread stopper = new Thread(() -> stop(process), "runner-plugin-stopper");
    Runtime.getRuntime().addShutdownHook(stopper);
    try {
      return process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop(process);
      return process.exitValue();
    } finally {
      removeHook(stopper);
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
