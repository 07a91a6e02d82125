package io.quackrunner.execution;

import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.sandbox.BubblewrapSandbox;
import io.quackrunner.sandbox.SandboxConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens the standard engine every front-end shares: the bubblewrap backend over {@code
 * <stateDir>/sandboxes}, runtime profiles from {@code <etcDir>/runtimes.json} and limits from
 * {@code <etcDir>/limits.properties} (each file optional: when absent, the built-in ones apply;
 * when present but bad, opening fails).
 */
public final class Engine {
  /** The default state directory when {@code RUNNER_STATE_DIR} is not set. */
  public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/quackrunner");

  private Engine() {}

  /**
   * Returns the state directory: {@code RUNNER_STATE_DIR} from {@code env} if set, else {@link
   * #DEFAULT_STATE_DIR}.
   */
  public static Path stateDir(java.util.Map<String, String> env) {
    String s = env.get("RUNNER_STATE_DIR");
    return s == null || s.isEmpty() ? DEFAULT_STATE_DIR : Path.of(s).toAbsolutePath().normalize();
  }

  /**
   * Opens an executor.
   *
   * @throws io.quackrunner.errors.RunnerException of kind ISOLATION_UNAVAILABLE when the sandbox
   *     cannot be used, CONFIGURATION when a configuration file is bad
   */
  public static Executor open(Path stateDir, Path etcDir) {
    Path runtimes = etcDir.resolve("runtimes.json");
    Path limits = etcDir.resolve("limits.properties");
    SandboxConfig cfg = SandboxConfig.standard(stateDir);
    return new Executor(
        BubblewrapSandbox.open(cfg),
        cfg,
        Files.exists(runtimes) ? RuntimeProfiles.load(runtimes) : RuntimeProfiles.builtIn(),
        Files.exists(limits) ? LimitsPolicy.load(limits) : LimitsPolicy.builtIn());
  }
}
