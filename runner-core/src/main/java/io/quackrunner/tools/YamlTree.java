package io.quackrunner.tools;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A YAML document read into a JSON tree that remembers the line of every node, so a registry error
 * can name the line it is about.
 *
 * @param root the document as JSON
 * @param lines 1-based line of each node, keyed by JSON Pointer (RFC 6901)
 */
public record YamlTree(JsonNode root, Map<String, Integer> lines) {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /**
   * Parses one YAML document.
   *
   * @throws RunnerException of kind CONFIGURATION naming the source and line of a syntax error or a
   *     duplicate key
   */
  public static YamlTree parse(byte[] yaml, String source) {
    Map<String, Integer> lines = new HashMap<>();
    try (JsonParser p = new YAMLFactory().createParser(yaml)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new RunnerException(ErrorKind.CONFIGURATION, source + ":1: the file is empty");
      }
      JsonNode root = read(p, "", lines, source);
      return new YamlTree(root, lines);
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 1 : e.getLocation().getLineNr();
      throw new RunnerException(
          ErrorKind.CONFIGURATION, source + ":" + line + ": " + oneLine(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, source + ": cannot read: " + e);
    }
  }

  /** Keeps the words of a multi-line parser message, dropping its source excerpts and carets. */
  private static String oneLine(String m) {
    return String.join(
        "; ",
        m.lines()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("in 'reader'") && !l.matches("\\^+"))
            .filter(l -> !l.startsWith("^"))
            .toList());
  }

  /** Returns the line of the node at a JSON Pointer, or of its nearest ancestor. */
  public int line(String pointer) {
    String p = pointer;
    while (true) {
      Integer l = lines.get(p);
      if (l != null) {
        return l;
      }
      if (p.isEmpty()) {
        return 1;
      }
      p = p.substring(0, p.lastIndexOf('/'));
    }
  }

  private static JsonNode read(JsonParser p, String ptr, Map<String, Integer> lines, String src)
      throws IOException {
    lines.put(ptr, p.currentTokenLocation().getLineNr());
    switch (p.currentToken()) {
      case START_OBJECT -> {
        ObjectNode o = NODES.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          int line = p.currentTokenLocation().getLineNr();
          if (o.has(name)) {
            throw new RunnerException(
                ErrorKind.CONFIGURATION, src + ":" + line + ": duplicate key '" + name + "'");
          }
          p.nextToken();
          String child = ptr + "/" + name.replace("~", "~0").replace("/", "~1");
          o.set(name, read(p, child, lines, src));
          lines.put(child, line);
        }
        return o;
      }
      case START_ARRAY -> {
        ArrayNode a = NODES.arrayNode();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          a.add(read(p, ptr + "/" + i++, lines, src));
        }
        return a;
      }
      case VALUE_STRING -> {
        return NODES.textNode(p.getText());
      }
      case VALUE_NUMBER_INT -> {
        return NODES.numberNode(p.getLongValue());
      }
      case VALUE_NUMBER_FLOAT -> {
        return NODES.numberNode(p.getDecimalValue());
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return NODES.booleanNode(p.getBooleanValue());
      }
      case VALUE_NULL -> {
        return NODES.nullNode();
      }
      default ->
          throw new RunnerException(
              ErrorKind.CONFIGURATION,
              src
                  + ":"
                  + p.currentTokenLocation().getLineNr()
                  + ": unexpected "
                  + p.currentToken());
    }
  }
}
