package io.quackrunner.execution;

import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.secrets.SecretValue;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One command to execute in a sandbox.
 *
 * @param executionId the run's unique id, or null to generate one
 * @param argv command and arguments, resolved inside the sandbox
 * @param runtimeId runtime profile id, or null for {@code system}
 * @param inputDir host directory copied to {@code /workspace/in}, or null
 * @param outDir host directory that receives artifacts, {@code reports/} and {@code
 *     sha256sums.txt}; must not exist or be empty
 * @param env extra environment variables for the sandbox
 * @param limits requested limits (null fields take the configured defaults)
 * @param secrets credentials for this run only, as files under {@code /run/secrets/} or environment
 *     variables; their values are redacted from the stored and streamed logs
 * @param egress where the run may connect through the egress proxy, or null for no egress (then the
 *     network is whatever {@code limits} says)
 */
public record ExecRequest(
    String executionId,
    List<String> argv,
    String runtimeId,
    Path inputDir,
    Path outDir,
    Map<String, String> env,
    LimitsRequest limits,
    List<SecretValue> secrets,
    io.quackrunner.egress.Egress egress) {

  /** Copies the collections. */
  public ExecRequest {
    argv = List.copyOf(argv);
    env = Map.copyOf(env);
    secrets = secrets == null ? List.of() : List.copyOf(secrets);
  }

  /** A request without egress. */
  public ExecRequest(
      String executionId,
      List<String> argv,
      String runtimeId,
      Path inputDir,
      Path outDir,
      Map<String, String> env,
      LimitsRequest limits,
      List<SecretValue> secrets) {
    this(executionId, argv, runtimeId, inputDir, outDir, env, limits, secrets, null);
  }

  /** A request without secrets. */
  public ExecRequest(
      String executionId,
      List<String> argv,
      String runtimeId,
      Path inputDir,
      Path outDir,
      Map<String, String> env,
      LimitsRequest limits) {
    this(executionId, argv, runtimeId, inputDir, outDir, env, limits, List.of(), null);
  }
}
