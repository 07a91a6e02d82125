package io.quackrunner.images;

import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.Map;
import java.util.TreeMap;

/**
 * An OCI content descriptor (image-spec v1.1 "Descriptors"): what a blob is, its digest and its
 * size in bytes.
 *
 * @param mediaType e.g. {@code application/vnd.oci.image.layer.v1.tar+gzip}
 * @param digest the blob's SHA-256
 * @param size the blob's length in bytes, at least 0
 * @param annotations the descriptor's annotations (e.g. {@code org.opencontainers.image.ref.name})
 */
public record Descriptor(
    String mediaType, Digest digest, long size, Map<String, String> annotations) {

  /** Copies the annotations. */
  public Descriptor {
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  /**
   * Reads a descriptor from its JSON object.
   *
   * @param where a JSON pointer-like location used in error messages
   * @throws RunnerException of kind VERIFICATION_FAILED when a field is missing or malformed
   */
  public static Descriptor of(JsonNode n, String where) {
    if (n == null || !n.isObject()) {
      throw bad(where + " is not a descriptor object");
    }
    JsonNode mt = n.get("mediaType");
    JsonNode dg = n.get("digest");
    JsonNode sz = n.get("size");
    if (mt == null || !mt.isTextual() || dg == null || !dg.isTextual()) {
      throw bad(where + " needs mediaType and digest strings");
    }
    if (sz == null || !sz.isIntegralNumber() || !sz.canConvertToLong() || sz.asLong() < 0) {
      throw bad(where + ".size is not a non-negative integer");
    }
    Map<String, String> ann = new TreeMap<>();
    JsonNode a = n.get("annotations");
    if (a != null && a.isObject()) {
      a.fields().forEachRemaining(e -> ann.put(e.getKey(), e.getValue().asText()));
    }
    return new Descriptor(mt.asText(), Digest.parse(dg.asText()), sz.asLong(), ann);
  }

  static RunnerException bad(String msg) {
    return new RunnerException(ErrorKind.VERIFICATION_FAILED, msg);
  }
}
