package io.quackrunner.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Canonical JSON (object keys sorted, no whitespace) and SHA-256 helpers for trigger hashes. */
final class Canonical {
  static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private Canonical() {}

  /** Returns the canonical JSON text of a value. */
  static String json(Object value) {
    try {
      return JSON.writeValueAsString(sort(JSON.valueToTree(value)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode sort(JsonNode n) {
    if (n.isObject()) {
      List<String> names = new ArrayList<>();
      n.fieldNames().forEachRemaining(names::add);
      names.sort(null);
      ObjectNode o = JSON.createObjectNode();
      for (String k : names) {
        o.set(k, sort(n.get(k)));
      }
      return o;
    }
    if (n.isArray()) {
      var a = JSON.createArrayNode();
      n.forEach(x -> a.add(sort(x)));
      return a;
    }
    return n;
  }

  /** Returns the lower-case hex SHA-256 of a string's UTF-8 bytes. */
  static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
