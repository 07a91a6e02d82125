package io.quackrunner.temporal.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a workflow asks QuackRunner to run: the {@code RunRequest} document of the HTTP API ({@code
 * POST /runs}, {@code /openapi.json}), field for field.
 *
 * <p>The worker reads it <b>strictly</b>, as {@code POST /runs} does: a member this type does not
 * know (e.g. one a newer client added) is kept in {@link #unknownFields()} and the worker refuses
 * the request with the {@code unknown-field} problem, instead of running something other than what
 * was asked (docs/TEMPORAL.md, "Payloads").
 *
 * <p>The Temporal worker derives the idempotency key itself (docs/TEMPORAL.md, "The trigger"), so
 * {@code idempotency_key} must stay null here; a request carrying one is refused as a bad request.
 *
 * @param tool the tool's name
 * @param version the tool's exact version
 * @param verb the verb
 * @param inputs input files, inline (base64) or by the SHA-256 of content already uploaded
 * @param params parameters, checked against the verb's JSON Schema
 * @param limits requested limits ({@code wall_time_ms}, {@code memory_bytes}, {@code wall_time:
 *     "30s"}, …; the API's {@code Limits}), or null for the tool's
 * @param env environment variables, each named in the tool's {@code allowed_env}
 * @param idempotencyKey must be null (the worker derives the key)
 * @param secrets the names of the tool's declared secrets the run receives, or null for all it
 *     declares (values come from the worker's tenant, never from the request)
 * @param trigger a signed trigger {@code {envelope, anchor?}} (docs/TRIGGERS.md) that authorizes
 *     the run and replaces the derived key as its trigger, or null
 * @param allowHosts {@code HOST:PORT} entries narrowing the tool's egress allow-list, or null for
 *     the tool's whole list (never wider; docs/SANDBOX.md, "Egress")
 * @param callback must be null: the activity's result carries the receipt (a receipt callback is
 *     for HTTP callers, docs/SERVER.md "Callbacks"); a request carrying one is refused
 * @param unknownFields members of the document this type does not define; the worker refuses a
 *     request that has any. Empty when built with {@link #of}
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
    @JsonProperty("idempotency_key") String idempotencyKey,
    @JsonProperty("secrets") List<String> secrets,
    @JsonProperty("trigger") Map<String, Object> trigger,
    @JsonProperty("allow_hosts") List<String> allowHosts,
    @JsonProperty("callback") String callback,
    @JsonAnySetter @JsonAnyGetter Map<String, Object> unknownFields) {

  /** Normalizes a null {@code unknownFields} to an empty map. */
  public RunRequest {
    unknownFields =
        Collections.unmodifiableMap(
            unknownFields == null ? new LinkedHashMap<>() : new LinkedHashMap<>(unknownFields));
  }

  /** Returns the members this type does not define, which the worker refuses (never null). */
  @Override
  @JsonAnyGetter
  public Map<String, Object> unknownFields() {
    return unknownFields;
  }

  /** Returns a request for {@code tool@version verb} with no inputs, parameters or limits. */
  public static RunRequest of(String tool, String version, String verb) {
    return new RunRequest(
        tool, version, verb, null, null, null, null, null, null, null, null, null, null);
  }

  /** Returns this request with one more inline input file of {@code content}. */
  public RunRequest withInput(String name, byte[] content) {
    List<Input> in = inputs == null ? new ArrayList<>() : new ArrayList<>(inputs);
    in.add(new Input(name, Base64.getEncoder().encodeToString(content), null, null));
    return copy(in, params, limits, env, secrets, trigger);
  }

  /** Returns this request with one more input file by the SHA-256 (hex) of uploaded content. */
  public RunRequest withStoredInput(String name, String sha256) {
    List<Input> in = inputs == null ? new ArrayList<>() : new ArrayList<>(inputs);
    in.add(new Input(name, null, sha256, null));
    return copy(in, params, limits, env, secrets, trigger);
  }

  /** Returns this request with one more parameter. */
  public RunRequest withParam(String name, Object value) {
    Map<String, Object> p = params == null ? new LinkedHashMap<>() : new LinkedHashMap<>(params);
    p.put(name, value);
    return copy(inputs, p, limits, env, secrets, trigger);
  }

  /** Returns this request with one more limit, e.g. {@code ("wall_time_ms", 30000)}. */
  public RunRequest withLimit(String name, Object value) {
    Map<String, Object> l = limits == null ? new LinkedHashMap<>() : new LinkedHashMap<>(limits);
    l.put(name, value);
    return copy(inputs, params, l, env, secrets, trigger);
  }

  /** Returns this request with one more environment variable. */
  public RunRequest withEnv(String name, String value) {
    Map<String, String> e = env == null ? new LinkedHashMap<>() : new LinkedHashMap<>(env);
    e.put(name, value);
    return copy(inputs, params, limits, e, secrets, trigger);
  }

  /** Returns this request receiving exactly the named secrets (an empty list: none). */
  public RunRequest withSecrets(List<String> names) {
    return copy(inputs, params, limits, env, List.copyOf(names), trigger);
  }

  /** Returns this request narrowing the tool's egress allow-list to {@code hosts}. */
  public RunRequest withAllowHosts(List<String> hosts) {
    return new RunRequest(
        tool,
        version,
        verb,
        inputs,
        params,
        limits,
        env,
        idempotencyKey,
        secrets,
        trigger,
        List.copyOf(hosts),
        callback,
        unknownFields);
  }

  /** Returns this request authorized by a signed trigger document ({@code {envelope, anchor?}}). */
  public RunRequest withTrigger(Map<String, Object> signedTrigger) {
    return copy(inputs, params, limits, env, secrets, signedTrigger);
  }

  private RunRequest copy(
      List<Input> in,
      Map<String, Object> p,
      Map<String, Object> l,
      Map<String, String> e,
      List<String> s,
      Map<String, Object> t) {
    return new RunRequest(
        tool,
        version,
        verb,
        in,
        p,
        l,
        e,
        idempotencyKey,
        s,
        t,
        allowHosts,
        callback,
        unknownFields);
  }

  /**
   * One input file (the API's {@code InputFile}): exactly one of {@code contentBase64} and {@code
   * sha256} is set. Read strictly like the request: unknown members land in {@link
   * #unknownFields()}.
   *
   * @param name the file name under {@code /workspace/in}
   * @param contentBase64 the content, base64 (RFC 4648 §4)
   * @param sha256 the lower-case hex SHA-256 of content already in the runner's content store
   * @param unknownFields members this type does not define; the worker refuses them
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Input(
      @JsonProperty("name") String name,
      @JsonProperty("content_base64") String contentBase64,
      @JsonProperty("sha256") String sha256,
      @JsonAnySetter @JsonAnyGetter Map<String, Object> unknownFields) {

    /** Normalizes a null {@code unknownFields} to an empty map. */
    public Input {
      unknownFields =
          Collections.unmodifiableMap(
              unknownFields == null ? new LinkedHashMap<>() : new LinkedHashMap<>(unknownFields));
    }

    /** Returns the members this type does not define (never null). */
    @Override
    @JsonAnyGetter
    public Map<String, Object> unknownFields() {
      return unknownFields;
    }
  }
}
