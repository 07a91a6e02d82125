package io.quackrunner.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.receipts.ReceiptPredicate;
import io.quackrunner.triggers.SignedTrigger;
import io.quackrunner.triggers.VerifiedTrigger;
import java.io.IOException;

/**
 * The verified trigger of a run as stored in its record ({@code trigger_json}) and as its receipt
 * predicate's {@code trigger} member.
 */
final class TriggerRecords {
  private TriggerRecords() {}

  /** Returns the stored JSON of a verified trigger and the envelope it came in. */
  static String json(VerifiedTrigger v, SignedTrigger t) {
    ObjectNode n = Canonical.JSON.createObjectNode();
    n.put("link_hash", v.linkHash());
    n.put("link_id", v.linkId());
    n.put("signer_key_id", v.signerKeyId());
    n.set("envelope", t.toJson().get("envelope"));
    if (v.checkpointOrigin() != null) {
      n.putObject("checkpoint")
          .put("origin", v.checkpointOrigin())
          .put("size", v.checkpointSize())
          .put("root_hash", v.checkpointRootHash());
    } else {
      n.putNull("checkpoint");
    }
    return n.toString();
  }

  /** Returns the receipt predicate member of a stored trigger, or null when there is none. */
  static ReceiptPredicate.Trigger predicate(String json) {
    if (json == null) {
      return null;
    }
    try {
      JsonNode n = Canonical.JSON.readTree(json);
      JsonNode c = n.get("checkpoint");
      return new ReceiptPredicate.Trigger(
          n.get("link_hash").asText(),
          n.get("link_id").asText(),
          n.get("signer_key_id").asText(),
          n.get("envelope"),
          c == null || c.isNull()
              ? null
              : new ReceiptPredicate.Checkpoint(
                  c.get("origin").asText(), c.get("size").asLong(), c.get("root_hash").asText()));
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "cannot read a stored trigger: " + e, e);
    }
  }
}
