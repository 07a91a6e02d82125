package io.quackrunner.cli;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * What every command of one CLI invocation shares: the runner etc directory, the plugin directory,
 * stdout and the error reporter.
 *
 * @param etcDir the directory holding {@code image.env}, {@code runtime.env} and {@code tools.env}
 * @param plugins the plugin directory
 * @param out standard output, UTF-8
 * @param errors the one-line error reporter on standard error
 */
record CliContext(Path etcDir, PluginDirectory plugins, PrintWriter out, ErrorReporter errors) {
  /** The etc directory of the Runner Platform ARCHITECTURE v0.2.0. */
  static final Path DEFAULT_ETC = Path.of("/etc/runner");

  /** The plugin directory of the Runner Platform CONTRACT v0.2.0. */
  static final Path DEFAULT_PLUGINS = Path.of("/usr/local/lib/runner.d");

  /**
   * Resolves the directories from {@code RUNNER_ETC} and {@code RUNNER_PLUGINS} in {@code env},
   * else the defaults.
   *
   * @throws RunnerException {@link ErrorKind#USAGE} if a variable is set but empty
   */
  static CliContext fromEnvironment(
      Map<String, String> env, PrintWriter out, ErrorReporter errors) {
    return new CliContext(
        directory(env, "RUNNER_ETC", DEFAULT_ETC),
        new PluginDirectory(directory(env, "RUNNER_PLUGINS", DEFAULT_PLUGINS)),
        out,
        errors);
  }

  private static Path directory(Map<String, String> env, String variable, Path fallback) {
    String value = env.get(variable);
    if (value == null) {
      return fallback;
    }
    if (value.isEmpty()) {
      throw new RunnerException(ErrorKind.USAGE, variable + " is set but empty");
    }
    return Path.of(value).toAbsolutePath().normalize();
  }
}
