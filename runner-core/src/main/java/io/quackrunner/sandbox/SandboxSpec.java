package io.quackrunner.sandbox;

import io.quackrunner.limits.Limits;
import io.quackrunner.runtime.ResolvedRuntime;
import io.quackrunner.secrets.SecretValue;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to run in one sandbox.
 *
 * @param executionId the run's unique id; also the sandbox id
 * @param argv the command and its arguments, resolved inside the sandbox against the runtime's PATH
 * @param runtime the resolved runtime profile
 * @param inputDir host directory copied read-only to {@code /workspace/in}, or null
 * @param env extra environment variables (already checked against the allow-list)
 * @param limits the limits of this run
 * @param logDir host directory where {@code stdout.log} and {@code stderr.log} are written
 * @param interactive a terminal session for a person: stdin/out/err inherited, no new session
 * @param phases where the sandbox records its setup, exec and teardown times
 * @param secrets the run's credentials: files under {@code /run/secrets/} or environment variables
 * @param egress the policy proxy of a run in the {@code egress} network mode, or null
 */
public record SandboxSpec(
    String executionId,
    List<String> argv,
    ResolvedRuntime runtime,
    Path inputDir,
    Map<String, String> env,
    Limits limits,
    Path logDir,
    boolean interactive,
    io.quackrunner.sandbox.PhaseTimes phases,
    List<SecretValue> secrets,
    io.quackrunner.egress.EgressGate egress) {

  /** Copies the collections. */
  public SandboxSpec {
    argv = List.copyOf(argv);
    env = Map.copyOf(env);
    secrets = secrets == null ? List.of() : List.copyOf(secrets);
  }

  /** A spec without egress. */
  public SandboxSpec(
      String executionId,
      List<String> argv,
      ResolvedRuntime runtime,
      Path inputDir,
      Map<String, String> env,
      Limits limits,
      Path logDir,
      boolean interactive,
      io.quackrunner.sandbox.PhaseTimes phases,
      List<SecretValue> secrets) {
    this(
        executionId,
        argv,
        runtime,
        inputDir,
        env,
        limits,
        logDir,
        interactive,
        phases,
        secrets,
        null);
  }

  /** A spec without secrets. */
  public SandboxSpec(
      String executionId,
      List<String> argv,
      ResolvedRuntime runtime,
      Path inputDir,
      Map<String, String> env,
      Limits limits,
      Path logDir,
      boolean interactive,
      io.quackrunner.sandbox.PhaseTimes phases) {
    this(executionId, argv, runtime, inputDir, env, limits, logDir, interactive, phases, List.of());
  }

  /** Returns the secrets delivered as files. */
  public List<SecretValue> fileSecrets() {
    return secrets.stream().filter(s -> s.delivery() == SecretValue.Delivery.FILE).toList();
  }
}
