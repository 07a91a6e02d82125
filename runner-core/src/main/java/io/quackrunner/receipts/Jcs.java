package io.quackrunner.receipts;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Serializes JSON in the RFC 8785 JSON Canonicalization Scheme (JCS), as UTF-8 bytes.
 *
 * <p>Object members are sorted by the UTF-16 code units of their names (RFC 8785 §3.2.3), numbers
 * are IEEE 754 doubles printed as ECMAScript does (§3.2.2.3), strings use the minimal escapes of
 * §3.2.2.2, and there is no whitespace. Input must be I-JSON (RFC 7493): duplicate member names,
 * lone surrogates, NaN and infinities are refused with {@link ErrorKind#VERIFICATION_FAILED}.
 */
public final class Jcs {
  private static final JsonMapper STRICT =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .build();

  private Jcs() {}

  /**
   * Parses {@code json} (UTF-8) strictly and returns its canonical form.
   *
   * @throws RunnerException VERIFICATION_FAILED if the input is not one well-formed I-JSON value
   */
  public static byte[] canonicalize(byte[] json) {
    return canonicalize(parse(json));
  }

  /**
   * Returns the canonical UTF-8 form of {@code node}.
   *
   * @throws RunnerException VERIFICATION_FAILED for binary or POJO nodes, NaN, infinities or lone
   *     surrogates, which have no I-JSON form
   */
  public static byte[] canonicalize(JsonNode node) {
    StringBuilder out = new StringBuilder();
    write(node, out);
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Parses one JSON value from UTF-8 bytes, refusing duplicate names and trailing content.
   *
   * @throws RunnerException VERIFICATION_FAILED if the bytes are not one well-formed JSON value
   */
  static JsonNode parse(byte[] json) {
    try (JsonParser parser = STRICT.createParser(json)) {
      JsonNode node = STRICT.readTree(parser);
      if (node == null || node.isMissingNode()) {
        throw new RunnerException(ErrorKind.VERIFICATION_FAILED, "not JSON: empty input");
      }
      return node;
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.VERIFICATION_FAILED, "not I-JSON: " + firstLine(e.getMessage()), e);
    }
  }

  private static void write(JsonNode node, StringBuilder out) {
    switch (node.getNodeType()) {
      case OBJECT -> writeObject(node, out);
      case ARRAY -> {
        out.append('[');
        for (int i = 0; i < node.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          write(node.get(i), out);
        }
        out.append(']');
      }
      case STRING -> writeString(node.textValue(), out);
      case NUMBER -> out.append(Es6Numbers.format(node.doubleValue()));
      case BOOLEAN -> out.append(node.booleanValue());
      case NULL -> out.append("null");
      default ->
          throw new RunnerException(
              ErrorKind.VERIFICATION_FAILED, "not I-JSON: a " + node.getNodeType() + " node");
    }
  }

  private static void writeObject(JsonNode node, StringBuilder out) {
    List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.properties());
    // String.compareTo orders by UTF-16 code units, exactly as RFC 8785 §3.2.3 asks.
    members.sort(Map.Entry.comparingByKey());
    out.append('{');
    boolean first = true;
    for (Map.Entry<String, JsonNode> member : members) {
      if (!first) {
        out.append(',');
      }
      first = false;
      writeString(member.getKey(), out);
      out.append(':');
      write(member.getValue(), out);
    }
    out.append('}');
  }

  private static void writeString(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else if (Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            throw new RunnerException(
                ErrorKind.VERIFICATION_FAILED,
                "not I-JSON: lone surrogate U+" + Integer.toHexString(c).toUpperCase());
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable JSON";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
