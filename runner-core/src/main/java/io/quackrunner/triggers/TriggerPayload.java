package io.quackrunner.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.receipts.Jcs;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Set;

/**
 * The signed statement of a trigger link (the UBL accepted link that causes one run): what it
 * allows to run, bound to one exact request.
 *
 * <p>Carried as the payload of a DSSE envelope of type {@value #PAYLOAD_TYPE}; JSON schema {@code
 * docs/trigger-payload.schema.json}; written as RFC 8785 canonical JSON. {@code request_sha256} is
 * the lower-case hex SHA-256 of the RFC 8785 form of the RunRequest without its {@code trigger}
 * (docs/TRIGGERS.md says which fields).
 *
 * @param linkId the caller's id of the link, 1 to 256 visible ASCII characters
 * @param tool the tool name
 * @param version the exact tool version
 * @param verb the verb
 * @param requestSha256 the hex SHA-256 binding the request
 * @param issuedAt when the link was issued; not valid before then (less the clock skew)
 * @param notAfter when the link stops being valid, or null for never
 */
public record TriggerPayload(
    String linkId,
    String tool,
    String version,
    String verb,
    String requestSha256,
    Instant issuedAt,
    Instant notAfter) {
  /** The DSSE payload type of a QuackRunner trigger. */
  public static final String PAYLOAD_TYPE = "application/vnd.quackrunner.trigger.v1+json";

  /** The {@code _type} of the payload. */
  public static final String TYPE = "https://quackrunner.io/trigger/v1";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIELDS =
      Set.of(
          "_type",
          "link_id",
          "tool",
          "version",
          "verb",
          "request_sha256",
          "issued_at",
          "not_after");

  /** Checks the fields. */
  public TriggerPayload {
    if (linkId == null || !linkId.matches("[\\x21-\\x7e]{1,256}")) {
      throw bad("link_id must be 1 to 256 visible ASCII characters");
    }
    if (tool == null || version == null || verb == null) {
      throw bad("tool, version and verb are required");
    }
    if (requestSha256 == null || !requestSha256.matches("[0-9a-f]{64}")) {
      throw bad("request_sha256 must be 64 lower-case hex digits");
    }
    if (issuedAt == null) {
      throw bad("issued_at is required");
    }
    if (notAfter != null && notAfter.isBefore(issuedAt)) {
      throw bad("not_after is before issued_at");
    }
  }

  /** Returns the payload as RFC 8785 canonical JSON (the bytes that are signed and logged). */
  public byte[] toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("_type", TYPE);
    n.put("link_id", linkId);
    n.put("tool", tool);
    n.put("version", version);
    n.put("verb", verb);
    n.put("request_sha256", requestSha256);
    n.put("issued_at", issuedAt.toString());
    if (notAfter != null) {
      n.put("not_after", notAfter.toString());
    }
    return Jcs.canonicalize(n);
  }

  /**
   * Parses a payload strictly: no unknown or missing fields, RFC 3339 UTC times.
   *
   * @throws RunnerException of kind INVALID_TRIGGER when it is malformed
   */
  public static TriggerPayload parse(byte[] json) {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (IOException e) {
      throw bad("the trigger payload is not JSON");
    }
    if (n == null || !n.isObject()) {
      throw bad("the trigger payload must be a JSON object");
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!FIELDS.contains(k)) {
        throw bad("unknown field '" + k + "' in the trigger payload");
      }
    }
    if (!TYPE.equals(text(n, "_type"))) {
      throw bad("the trigger payload's _type must be " + TYPE);
    }
    String notAfter = n.has("not_after") ? text(n, "not_after") : null;
    return new TriggerPayload(
        text(n, "link_id"),
        text(n, "tool"),
        text(n, "version"),
        text(n, "verb"),
        text(n, "request_sha256"),
        time(text(n, "issued_at"), "issued_at"),
        notAfter == null ? null : time(notAfter, "not_after"));
  }

  private static String text(JsonNode n, String k) {
    JsonNode v = n.get(k);
    if (v == null || !v.isTextual()) {
      throw bad("the trigger payload's " + k + " must be a string");
    }
    return v.asText();
  }

  private static Instant time(String s, String k) {
    if (!s.endsWith("Z")) {
      throw bad(k + " must be RFC 3339 UTC (…Z)");
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw bad(k + " is not an RFC 3339 time");
    }
  }

  private static RunnerException bad(String m) {
    return new InvalidTrigger(InvalidTrigger.Reason.MALFORMED, m);
  }
}
