package io.quackrunner.service;

import io.quackrunner.limits.LimitsRequest;
import java.util.List;
import java.util.Map;

/**
 * What a caller asks to run (DESIGN glossary, "RunRequest"), with inputs already in the content
 * store.
 *
 * @param tool tool name
 * @param version exact tool version
 * @param verb verb
 * @param inputs input files by digest
 * @param params parameters: a JSON object as a map of JSON values (String, Number, Boolean, null)
 * @param limits requested limits; null fields take the tool's, then the server's defaults
 * @param env environment variables, each named in the tool's {@code allowed_env}
 * @param idempotencyKey the caller's idempotency key, or null to key on the request itself
 * @param secrets the names of the tool's declared secrets this run receives, or null for all of
 *     them (each must be declared; values come from the run's tenant, never from the request)
 */
public record RunRequest(
    String tool,
    String version,
    String verb,
    List<InputRef> inputs,
    Map<String, Object> params,
    LimitsRequest limits,
    Map<String, String> env,
    String idempotencyKey,
    List<String> secrets) {

  /** A request that receives every secret its tool version declares. */
  public RunRequest(
      String tool,
      String version,
      String verb,
      List<InputRef> inputs,
      Map<String, Object> params,
      LimitsRequest limits,
      Map<String, String> env,
      String idempotencyKey) {
    this(tool, version, verb, inputs, params, limits, env, idempotencyKey, null);
  }

  /** Normalizes absent collections to empty ones. */
  public RunRequest {
    secrets = secrets == null ? null : List.copyOf(secrets);
    inputs = inputs == null ? List.of() : List.copyOf(inputs);
    params =
        params == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
    limits = limits == null ? LimitsRequest.DEFAULTS : limits;
    env = env == null ? Map.of() : Map.copyOf(env);
  }
}
