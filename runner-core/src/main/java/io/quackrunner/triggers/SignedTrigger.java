package io.quackrunner.triggers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.ledger.Checkpoint;
import io.quackrunner.ledger.InclusionProof;
import io.quackrunner.receipts.Dsse;
import io.quackrunner.receipts.DsseEnvelope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Set;

/**
 * A trigger as a RunRequest carries it: the DSSE envelope of a {@link TriggerPayload} and optional
 * anchoring evidence.
 *
 * <p>JSON: {@code {"envelope": <DSSE envelope>, "anchor": {"checkpoint": "<signed note text>",
 * "inclusion_proof": {"leaf_index": n, "tree_size": n, "hashes": [base64, …]}}}}; {@code anchor} is
 * optional.
 *
 * @param envelope the signed envelope
 * @param anchor the anchoring evidence, or null
 */
public record SignedTrigger(DsseEnvelope envelope, TriggerAnchor anchor) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Reads a trigger strictly.
   *
   * @throws InvalidTrigger MALFORMED when a part is missing, unknown or malformed
   */
  public static SignedTrigger parse(JsonNode n) {
    if (n == null || !n.isObject()) {
      throw malformed("trigger must be an object with 'envelope' (and optionally 'anchor')");
    }
    known(n, Set.of("envelope", "anchor"), "trigger");
    DsseEnvelope env;
    try {
      env = Dsse.parse(JSON.writeValueAsBytes(n.path("envelope")));
    } catch (RunnerException | IOException e) {
      throw malformed("trigger.envelope is not a DSSE envelope: " + e.getMessage());
    }
    JsonNode a = n.get("anchor");
    if (a == null || a.isNull()) {
      return new SignedTrigger(env, null);
    }
    if (!a.isObject()) {
      throw malformed("trigger.anchor must be an object");
    }
    known(a, Set.of("checkpoint", "inclusion_proof"), "trigger.anchor");
    if (!a.path("checkpoint").isTextual() || !a.path("inclusion_proof").isObject()) {
      throw malformed("trigger.anchor needs 'checkpoint' (text) and 'inclusion_proof' (object)");
    }
    try {
      return new SignedTrigger(
          env,
          new TriggerAnchor(
              Checkpoint.parse(a.get("checkpoint").asText()),
              InclusionProof.parseJson(JSON.writeValueAsString(a.get("inclusion_proof")))));
    } catch (RunnerException | IOException e) {
      throw new InvalidTrigger(
          InvalidTrigger.Reason.BAD_CHECKPOINT, "malformed anchor: " + e.getMessage());
    }
  }

  /** Returns this trigger as JSON. */
  public ObjectNode toJson() {
    ObjectNode n = JSON.createObjectNode();
    try {
      n.set("envelope", JSON.readTree(Dsse.write(envelope)));
      if (anchor != null) {
        ObjectNode a = n.putObject("anchor");
        a.put("checkpoint", anchor.checkpoint().text());
        a.set("inclusion_proof", JSON.readTree(anchor.proof().toJson()));
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return n;
  }

  /** Returns this trigger as JSON text, UTF-8. */
  public byte[] toJsonBytes() {
    return toJson().toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void known(JsonNode n, Set<String> allowed, String where) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw malformed("unknown field '" + where + "." + k + "'");
      }
    }
  }

  private static InvalidTrigger malformed(String m) {
    return new InvalidTrigger(InvalidTrigger.Reason.MALFORMED, m);
  }
}
