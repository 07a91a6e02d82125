package io.quackrunner.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JSON Schema (draft 2020-12) for the MCP front-end: validates with the project's networknt
 * validator (the SDK's own validator needs networknt 2.x, which clashes with it), and cuts the
 * OpenAPI 3.1 component schemas (e.g. {@code RunResult}) out of {@code /openapi.json} as
 * self-contained schemas, so a tool's {@code outputSchema} is the API's shape, not a second one.
 */
final class McpSchemas implements JsonSchemaValidator {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  private static final JsonNode OPENAPI = openapi();
  private final Map<String, JsonSchema> compiled = new ConcurrentHashMap<>();

  private static JsonNode openapi() {
    try (InputStream in = McpSchemas.class.getResourceAsStream("openapi.json")) {
      return JSON.readTree(in);
    } catch (IOException | NullPointerException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "openapi.json is missing", e);
    }
  }

  /**
   * Returns the OpenAPI component schema {@code name} with every component it refers to under
   * {@code $defs} (references rewritten from {@code #/components/schemas/X} to {@code #/$defs/X}).
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> component(String name) {
    JsonNode all = OPENAPI.at("/components/schemas");
    Set<String> needed = new TreeSet<>();
    collect(all, all.get(name), needed);
    ObjectNode root = rewrite(all.get(name)).deepCopy();
    ObjectNode defs = root.putObject("$defs");
    for (String n : needed) {
      defs.set(n, rewrite(all.get(n)));
    }
    return JSON.convertValue(root, Map.class);
  }

  private static void collect(JsonNode all, JsonNode n, Set<String> out) {
    if (n == null) {
      return;
    }
    if (n.isObject() && n.has("$ref")) {
      String ref = n.get("$ref").asText();
      String name = ref.substring(ref.lastIndexOf('/') + 1);
      if (out.add(name)) {
        collect(all, all.get(name), out);
      }
    }
    for (JsonNode c : n) {
      collect(all, c, out);
    }
  }

  private static JsonNode rewrite(JsonNode n) {
    String text = n.toString().replace("#/components/schemas/", "#/$defs/");
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Returns the first violation of {@code instance} against {@code schema} as one line naming the
   * field (a JSON Pointer-like path), or null when it conforms.
   */
  String firstViolation(Map<String, Object> schema, Object instance) {
    JsonSchema s = compile(schema);
    Set<ValidationMessage> errors = s.validate(JSON.valueToTree(instance));
    if (errors.isEmpty()) {
      return null;
    }
    Iterator<ValidationMessage> it = errors.iterator();
    ValidationMessage m = it.next();
    return m.getMessage();
  }

  private JsonSchema compile(Map<String, Object> schema) {
    String key = JSON.valueToTree(schema).toString();
    return compiled.computeIfAbsent(key, k -> FACTORY.getSchema(JSON.valueToTree(schema)));
  }

  @Override
  public ValidationResponse validate(Map<String, Object> schema, Object structuredContent) {
    try {
      String v = firstViolation(schema, structuredContent);
      return v == null
          ? ValidationResponse.asValid(JSON.writeValueAsString(structuredContent))
          : ValidationResponse.asInvalid(v);
    } catch (IOException | RuntimeException e) {
      return ValidationResponse.asInvalid("cannot validate: " + e.getMessage());
    }
  }
}
