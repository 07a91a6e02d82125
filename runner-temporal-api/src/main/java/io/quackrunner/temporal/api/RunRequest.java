package io.quackrunner.temporal.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a workflow asks QuackRunner to run: the {@code RunRequest} document of the HTTP API ({@code
 * POST /runs}, {@code /openapi.json}), field for field.
 *
 * <p>The Temporal worker derives the idempotency key itself (docs/TEMPORAL.md, "The trigger"), so
 * {@code idempotency_key} must stay null here; a request carrying one is refused as a bad request.
 *
 * @param tool the tool's name
 * @param version the tool's exact version
 * @param verb the verb
 * @param inputs input files, inline (base64) or by the SHA-256 of content already uploaded
 * @param params parameters, checked against the verb's JSON Schema
 * @param limits requested limits ({@code wall_time_ms}, {@code memory_bytes}, …), or null for the
 *     tool's
 * @param env environment variables, each named in the tool's {@code allowed_env}
 * @param idempotencyKey must be null (the worker derives the key)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunRequest(
    @JsonProperty("tool") String tool,
    @JsonProperty("version") String version,
    @JsonProperty("verb") String verb,
    @JsonProperty("inputs") List<Input> inputs,
    @JsonProperty("params") Map<String, Object> params,
    @JsonProperty("limits") Map<String, Object> limits,
    @JsonProperty("env") Map<String, String> env,
    @JsonProperty("idempotency_key") String idempotencyKey) {

  /** Returns a request for {@code tool@version verb} with no inputs, parameters or limits. */
  public static RunRequest of(String tool, String version, String verb) {
    return new RunRequest(tool, version, verb, null, null, null, null, null);
  }

  /** Returns this request with one more inline input file of {@code content}. */
  public RunRequest withInput(String name, byte[] content) {
    List<Input> in = inputs == null ? new ArrayList<>() : new ArrayList<>(inputs);
    in.add(new Input(name, Base64.getEncoder().encodeToString(content), null));
    return new RunRequest(tool, version, verb, in, params, limits, env, idempotencyKey);
  }

  /** Returns this request with one more parameter. */
  public RunRequest withParam(String name, Object value) {
    Map<String, Object> p = params == null ? new LinkedHashMap<>() : new LinkedHashMap<>(params);
    p.put(name, value);
    return new RunRequest(tool, version, verb, inputs, p, limits, env, idempotencyKey);
  }

  /** Returns this request with one more limit, e.g. {@code ("wall_time_ms", 30000)}. */
  public RunRequest withLimit(String name, Object value) {
    Map<String, Object> l = limits == null ? new LinkedHashMap<>() : new LinkedHashMap<>(limits);
    l.put(name, value);
    return new RunRequest(tool, version, verb, inputs, params, l, env, idempotencyKey);
  }

  /**
   * One input file: exactly one of {@code contentBase64} and {@code sha256} is set.
   *
   * @param name the file name under {@code /workspace/in}
   * @param contentBase64 the content, base64 (RFC 4648 §4)
   * @param sha256 the lower-case hex SHA-256 of content already in the runner's content store
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Input(
      @JsonProperty("name") String name,
      @JsonProperty("content_base64") String contentBase64,
      @JsonProperty("sha256") String sha256) {}
}
