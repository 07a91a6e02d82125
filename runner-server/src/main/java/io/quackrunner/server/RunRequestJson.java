package io.quackrunner.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.service.InputRef;
import io.quackrunner.service.LimitsJson;
import io.quackrunner.service.RunRequest;
import io.quackrunner.store.ContentStore;
import io.quackrunner.triggers.SignedTrigger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the body of {@code POST /runs} strictly: unknown fields, wrong types and oversized inline
 * inputs are errors; inline inputs are stored in the content store and replaced by their digests.
 */
public final class RunRequestJson {
  private static final Set<String> FIELDS =
      Set.of(
          "tool",
          "version",
          "verb",
          "inputs",
          "params",
          "limits",
          "env",
          "idempotency_key",
          "trigger",
          "secrets",
          "callback",
          "allow_hosts");
  private static final Set<String> INPUT_FIELDS = Set.of("name", "content_base64", "sha256");

  private RunRequestJson() {}

  /**
   * Returns the hex SHA-256 a trigger must bind for a RunRequest body ({@link
   * RunRequest#bindingSha256}); inline inputs are hashed, not stored.
   *
   * @throws RunnerException of kind USAGE when the body is not a valid RunRequest
   */
  public static String bindingSha256(JsonNode body) {
    return parse(body, null, Long.MAX_VALUE / 2, null).bindingSha256();
  }

  static RunRequest parse(JsonNode n, ContentStore cas, long maxInlineBytes, String keyHeader) {
    if (!n.isObject()) {
      throw usage("the request must be a JSON object");
    }
    known(n, FIELDS, "");
    String tool = string(n, "tool", true);
    String version = string(n, "version", true);
    String verb = string(n, "verb", true);
    String key = string(n, "idempotency_key", false);
    if (key == null) {
      key = keyHeader;
    } else if (keyHeader != null && !keyHeader.equals(key)) {
      throw new RunnerException(
          ErrorKind.SCHEMA_VIOLATION, "Idempotency-Key header and idempotency_key differ");
    }
    List<InputRef> inputs = new ArrayList<>();
    JsonNode in = n.get("inputs");
    if (in != null && !in.isNull()) {
      if (!in.isArray()) {
        throw usage("inputs must be an array");
      }
      for (int i = 0; i < in.size(); i++) {
        inputs.add(input(in.get(i), "inputs[" + i + "]", cas, maxInlineBytes));
      }
    }
    Map<String, Object> params = object(n, "params");
    Map<String, Object> limits = object(n, "limits");
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode e = n.get("env");
    if (e != null && !e.isNull()) {
      if (!e.isObject()) {
        throw usage("env must be an object of strings");
      }
      for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!e.get(k).isTextual()) {
          throw usage("env." + k + " must be a string");
        }
        env.put(k, e.get(k).asText());
      }
    }
    List<String> secrets = null;
    JsonNode sn = n.get("secrets");
    if (sn != null && !sn.isNull()) {
      if (!sn.isArray()) {
        throw usage("secrets must be an array of secret names");
      }
      secrets = new ArrayList<>();
      for (int i = 0; i < sn.size(); i++) {
        if (!sn.get(i).isTextual()) {
          throw usage("secrets[" + i + "] must be a string");
        }
        secrets.add(sn.get(i).asText());
      }
    }
    String callback = string(n, "callback", false);
    List<String> allowHosts = null;
    JsonNode ah = n.get("allow_hosts");
    if (ah != null && !ah.isNull()) {
      if (!ah.isArray()) {
        throw usage("allow_hosts must be an array of HOST:PORT strings");
      }
      allowHosts = new ArrayList<>();
      for (int i = 0; i < ah.size(); i++) {
        if (!ah.get(i).isTextual()) {
          throw usage("allow_hosts[" + i + "] must be a string");
        }
        allowHosts.add(ah.get(i).asText());
      }
    }
    JsonNode t = n.get("trigger");
    SignedTrigger trigger = t == null || t.isNull() ? null : SignedTrigger.parse(t);
    return new RunRequest(
        tool,
        version,
        verb,
        inputs,
        params,
        LimitsJson.fromMap(limits),
        env,
        key,
        trigger,
        secrets,
        callback,
        null,
        allowHosts);
  }

  private static InputRef input(JsonNode n, String where, ContentStore cas, long max) {
    if (!n.isObject()) {
      throw usage(where + " must be an object");
    }
    known(n, INPUT_FIELDS, where + ".");
    String name = string(n, "name", true);
    String b64 = string(n, "content_base64", false);
    String sha = string(n, "sha256", false);
    if ((b64 == null) == (sha == null)) {
      throw usage(where + " needs exactly one of content_base64 and sha256");
    }
    if (b64 != null) {
      if (b64.length() > (max / 3 + 1) * 4 + 4) {
        throw new RunnerException(
            ErrorKind.TOO_LARGE, where + " is larger than the inline limit of " + max + " bytes");
      }
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(b64);
      } catch (IllegalArgumentException e) {
        throw usage(where + ".content_base64 is not base64: " + e.getMessage());
      }
      if (bytes.length > max) {
        throw new RunnerException(
            ErrorKind.TOO_LARGE, where + " is larger than the inline limit of " + max + " bytes");
      }
      sha = cas == null ? io.quackrunner.receipts.TriggerHashes.sha256(bytes) : cas.put(bytes);
    }
    return new InputRef(name, sha);
  }

  private static void known(JsonNode n, Set<String> allowed, String prefix) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw new RunnerException(
            ErrorKind.UNKNOWN_FIELD,
            "unknown field '"
                + prefix
                + k
                + "' (known: "
                + String.join(", ", allowed.stream().sorted().toList())
                + ")");
      }
    }
  }

  private static String string(JsonNode n, String field, boolean required) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw usage("missing field '" + field + "'");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw usage("field '" + field + "' must be a string");
    }
    return v.asText();
  }

  private static Map<String, Object> object(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw usage("field '" + field + "' must be an object");
    }
    return Http.JSON.convertValue(v, new TypeReference<Map<String, Object>>() {});
  }

  private static RunnerException usage(String m) {
    return new RunnerException(ErrorKind.SCHEMA_VIOLATION, m);
  }
}
