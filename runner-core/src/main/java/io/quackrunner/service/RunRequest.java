package io.quackrunner.service;

import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.triggers.SignedTrigger;
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
 * @param idempotencyKey the caller's idempotency key, or null: then, without a trigger either, the
 *     request is a fresh trigger and runs every time it is sent
 * @param trigger the signed trigger (UBL accepted link) that authorizes the run, or null
 * @param secrets the names of the tool's declared secrets this run receives, or null for all of
 *     them (each must be declared; values come from the run's tenant, never from the request)
 * @param callback the URL the signed receipt is POSTed to when the run is terminal, or null (it
 *     must pass the operator's {@link io.quackrunner.callbacks.CallbackPolicy}; docs/SERVER.md,
 *     "Callbacks")
 * @param origin the front-end (and client) the request came through, or null when the caller did
 *     not say; not part of the request's identity (hash, idempotency, trigger binding)
 * @param allowHosts {@code HOST:PORT} entries narrowing the tool's egress allow-list, or null for
 *     the tool's whole list; never wider than the tool's (docs/SANDBOX.md, "Egress")
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
    SignedTrigger trigger,
    List<String> secrets,
    String callback,
    RunOrigin origin,
    List<String> allowHosts) {

  /** Creates a request that says nothing of its origin. */
  public RunRequest(
      String tool,
      String version,
      String verb,
      List<InputRef> inputs,
      Map<String, Object> params,
      LimitsRequest limits,
      Map<String, String> env,
      String idempotencyKey,
      SignedTrigger trigger,
      List<String> secrets,
      String callback) {
    this(
        tool,
        version,
        verb,
        inputs,
        params,
        limits,
        env,
        idempotencyKey,
        trigger,
        secrets,
        callback,
        null,
        null);
  }

  /** Creates a request without a callback. */
  public RunRequest(
      String tool,
      String version,
      String verb,
      List<InputRef> inputs,
      Map<String, Object> params,
      LimitsRequest limits,
      Map<String, String> env,
      String idempotencyKey,
      SignedTrigger trigger,
      List<String> secrets) {
    this(
        tool,
        version,
        verb,
        inputs,
        params,
        limits,
        env,
        idempotencyKey,
        trigger,
        secrets,
        (String) null);
  }

  /** Returns this request as coming through {@code o}. */
  public RunRequest withOrigin(RunOrigin o) {
    return new RunRequest(
        tool,
        version,
        verb,
        inputs,
        params,
        limits,
        env,
        idempotencyKey,
        trigger,
        secrets,
        callback,
        o,
        allowHosts);
  }

  /** Creates a request with a signed trigger (or null) that receives every declared secret. */
  public RunRequest(
      String tool,
      String version,
      String verb,
      List<InputRef> inputs,
      Map<String, Object> params,
      LimitsRequest limits,
      Map<String, String> env,
      String idempotencyKey,
      SignedTrigger trigger) {
    this(tool, version, verb, inputs, params, limits, env, idempotencyKey, trigger, null);
  }

  /** Creates a request without a signed trigger. */
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

  /**
   * Returns the hex SHA-256 a trigger must carry as {@code request_sha256} to bind this request: of
   * the RFC 8785 form of {@code {tool, version, verb, inputs: [{name, sha256}], params, limits,
   * env}} (limits as requested, absent ones omitted), with {@code callback} added when the request
   * has one (so a signed trigger also fixes where its receipt goes) and {@code allow_hosts} when
   * the request narrows the egress allow-list; the idempotency key and the trigger are not part of
   * it.
   */
  public String bindingSha256() {
    Map<String, Object> doc = new java.util.LinkedHashMap<>();
    doc.put("tool", tool);
    doc.put("version", version);
    doc.put("verb", verb);
    doc.put(
        "inputs",
        inputs.stream().map(i -> Map.of("name", i.name(), "sha256", i.sha256())).toList());
    doc.put("params", params);
    Map<String, Object> l = new java.util.TreeMap<>();
    LimitsJson.toMap(limits)
        .forEach(
            (k, v) -> {
              if (v != null) {
                l.put(k, v);
              }
            });
    doc.put("limits", l);
    doc.put("env", new java.util.TreeMap<>(env));
    if (callback != null) {
      doc.put("callback", callback);
    }
    if (allowHosts != null) {
      doc.put("allow_hosts", allowHosts);
    }
    byte[] jcs = io.quackrunner.receipts.Jcs.canonicalize(Canonical.JSON.valueToTree(doc));
    return io.quackrunner.receipts.TriggerHashes.sha256(jcs);
  }

  /** Normalizes absent collections to empty ones. */
  public RunRequest {
    secrets = secrets == null ? null : List.copyOf(secrets);
    allowHosts = allowHosts == null ? null : List.copyOf(allowHosts);
    inputs = inputs == null ? List.of() : List.copyOf(inputs);
    params =
        params == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
    limits = limits == null ? LimitsRequest.DEFAULTS : limits;
    env = env == null ? Map.of() : Map.copyOf(env);
  }
}
