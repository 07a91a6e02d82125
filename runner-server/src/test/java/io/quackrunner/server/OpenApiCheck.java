package io.quackrunner.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.InputStream;
import java.util.Set;
import java.util.stream.Collectors;

/** Validates response bodies against the component schemas of the served openapi.json. */
final class OpenApiCheck {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String defs;

  OpenApiCheck(String openapiJson) throws Exception {
    JsonNode doc = JSON.readTree(openapiJson);
    defs =
        JSON.writeValueAsString(doc.at("/components/schemas"))
            .replace("#/components/schemas/", "#/$defs/");
  }

  static OpenApiCheck fromResource() throws Exception {
    try (InputStream in = Api.class.getResourceAsStream("openapi.json")) {
      return new OpenApiCheck(
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** Returns the violations of a body against a named component schema (empty when it conforms). */
  Set<String> violations(String schema, String body) throws Exception {
    String s =
        "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$defs\":"
            + defs
            + ",\"$ref\":\"#/$defs/"
            + schema
            + "\"}";
    JsonSchema js = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(s);
    return js.validate(JSON.readTree(body)).stream()
        .map(Object::toString)
        .collect(Collectors.toSet());
  }
}
