package io.quackrunner.receipts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Signs, writes and strictly reads DSSE v1.0.2 envelopes (github.com/secure-systems-lab/dsse).
 *
 * <p>The signed bytes are PAE(type, body) = {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP
 * body}, LEN being the decimal <em>byte</em> length (not the character count). Envelopes are
 * written as RFC 8785 canonical JSON with standard, padded base64.
 */
public final class Dsse {
  private static final Set<String> ENVELOPE_FIELDS = Set.of("payloadType", "payload", "signatures");
  private static final Set<String> SIGNATURE_FIELDS = Set.of("keyid", "sig");

  private Dsse() {}

  /** Returns the pre-authentication encoding PAE(payloadType, payload) of DSSE v1.0.2. */
  public static byte[] pae(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(type.length + payload.length + 32);
    out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(type);
    out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(payload);
    return out.toByteArray();
  }

  /** Returns an envelope of {@code payload} with one signature by {@code key}. */
  public static DsseEnvelope sign(String payloadType, byte[] payload, SigningKey key) {
    byte[] sig = key.sign(pae(payloadType, payload));
    return new DsseEnvelope(payloadType, payload, List.of(new DsseSignature(key.keyId(), sig)));
  }

  /** Returns the envelope as RFC 8785 canonical JSON in UTF-8. */
  public static byte[] write(DsseEnvelope envelope) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("payloadType", envelope.payloadType());
    root.put("payload", Base64.getEncoder().encodeToString(envelope.payload()));
    var sigs = root.putArray("signatures");
    for (DsseSignature s : envelope.signatures()) {
      sigs.addObject()
          .put("keyid", s.keyid())
          .put("sig", Base64.getEncoder().encodeToString(s.sig()));
    }
    return Jcs.canonicalize(root);
  }

  /**
   * Reads an envelope strictly: exactly the fields payloadType, payload and signatures; each
   * signature exactly keyid and sig; at least one signature; standard padded base64; no duplicate
   * names.
   *
   * @throws RunnerException VERIFICATION_FAILED if the bytes are not such an envelope
   */
  public static DsseEnvelope parse(byte[] json) {
    JsonNode root = Jcs.parse(json);
    requireFields(root, ENVELOPE_FIELDS, "envelope");
    String payloadType = text(root, "payloadType");
    byte[] payload = base64(text(root, "payload"), "payload");
    JsonNode sigs = root.get("signatures");
    if (!sigs.isArray() || sigs.isEmpty()) {
      throw fail("envelope signatures must be a non-empty array");
    }
    List<DsseSignature> signatures = new ArrayList<>();
    for (JsonNode s : sigs) {
      requireFields(s, SIGNATURE_FIELDS, "signature");
      signatures.add(new DsseSignature(text(s, "keyid"), base64(text(s, "sig"), "sig")));
    }
    return new DsseEnvelope(payloadType, payload, signatures);
  }

  private static void requireFields(JsonNode node, Set<String> fields, String what) {
    if (!node.isObject()) {
      throw fail(what + " must be a JSON object");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!fields.contains(name)) {
        throw fail(what + " has unknown field '" + name + "'");
      }
    }
    for (String field : fields) {
      if (!node.has(field)) {
        throw fail(what + " lacks field '" + field + "'");
      }
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (!value.isTextual()) {
      throw fail("field '" + field + "' must be a string");
    }
    return value.textValue();
  }

  private static byte[] base64(String text, String field) {
    try {
      byte[] bytes = Base64.getDecoder().decode(text);
      if (Base64.getEncoder().encodeToString(bytes).equals(text)) {
        return bytes;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw fail("field '" + field + "' is not standard padded base64");
  }

  private static RunnerException fail(String message) {
    return new RunnerException(ErrorKind.VERIFICATION_FAILED, "bad DSSE envelope: " + message);
  }
}
