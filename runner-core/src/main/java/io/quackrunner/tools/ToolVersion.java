package io.quackrunner.tools;

import io.quackrunner.limits.LimitsRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One version of a tool: how it runs, what it may be asked, and what it must leave behind.
 *
 * @param version the version string, compared exactly (never a range, never a fallback)
 * @param runtime the runtime profile id it runs on, e.g. {@code python-3.11}
 * @param files host directory of the tool's own files, copied read-only to {@code
 *     /workspace/in/_tool}, or null
 * @param entrypoint argv prefix; a run's argv is the entrypoint, the verb, then {@code
 *     --name=value} for each parameter in the order its schema declares them
 * @param verbs allowed verbs by name
 * @param outputs declared outputs: paths or globs (java.nio glob syntax) under out/ that must each
 *     match at least one artifact
 * @param manifest the manifest rule, or null when no manifest is required
 * @param limits this tool's default limits (unset fields take the server defaults)
 * @param env fixed environment variables of every run
 * @param allowedEnv names a request may set in its {@code env}
 * @param secrets the secrets of the run's tenant this version receives, and how (file or env)
 * @param digest {@code sha256:<hex>} over this definition and the content of {@code files}
 * @param network the egress allow-list and caps of every run ({@code network: {allow: [...]}}), or
 *     null when the tool has no egress; a request may only narrow it
 */
public record ToolVersion(
    String version,
    String runtime,
    Path files,
    List<String> entrypoint,
    Map<String, Verb> verbs,
    List<String> outputs,
    ManifestRule manifest,
    LimitsRequest limits,
    Map<String, String> env,
    List<String> allowedEnv,
    List<SecretSpec> secrets,
    String digest,
    io.quackrunner.egress.Egress network) {

  /** A tool version without egress. */
  public ToolVersion(
      String version,
      String runtime,
      Path files,
      List<String> entrypoint,
      Map<String, Verb> verbs,
      List<String> outputs,
      ManifestRule manifest,
      LimitsRequest limits,
      Map<String, String> env,
      List<String> allowedEnv,
      List<SecretSpec> secrets,
      String digest) {
    this(
        version,
        runtime,
        files,
        entrypoint,
        verbs,
        outputs,
        manifest,
        limits,
        env,
        allowedEnv,
        secrets,
        digest,
        null);
  }

  /** Copies the collections (the verb map keeps its order). */
  public ToolVersion {
    entrypoint = List.copyOf(entrypoint);
    verbs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(verbs));
    outputs = List.copyOf(outputs);
    env = Map.copyOf(env);
    allowedEnv = List.copyOf(allowedEnv);
    secrets = List.copyOf(secrets);
  }
}
