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

  /** Header fields of HTTP itself that the document does not list per response. */
  private static final Set<String> FRAMING =
      Set.of("date", "content-type", "content-length", "transfer-encoding", "connection", "vary");

  private final String defs;
  private final JsonNode doc;

  OpenApiCheck(String openapiJson) throws Exception {
    JsonNode doc = JSON.readTree(openapiJson);
    this.doc = doc;
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

  /**
   * Returns the header fields of a real response that its operation's response in the document does
   * not declare, and the declared required ones it lacks (empty when they agree).
   *
   * @param method the request method, lower case ({@code get}, {@code post}, …)
   * @param template the document's path template, e.g. {@code /runs/{id}}
   */
  Set<String> headerViolations(
      String method, String template, java.net.http.HttpResponse<?> response) {
    JsonNode op = doc.path("paths").path(template).path(method);
    if (op.isMissingNode()) {
      return Set.of("no operation " + method + " " + template);
    }
    String status = String.valueOf(response.statusCode());
    JsonNode r = resolve(op.path("responses").path(status));
    if (r.isMissingNode()) {
      return Set.of("status " + status + " is not declared for " + method + " " + template);
    }
    java.util.Map<String, JsonNode> declared = new java.util.TreeMap<>();
    r.path("headers")
        .fields()
        .forEachRemaining(
            e ->
                declared.put(e.getKey().toLowerCase(java.util.Locale.ROOT), resolve(e.getValue())));
    Set<String> out = new java.util.TreeSet<>();
    for (String h : response.headers().map().keySet()) {
      String name = h.toLowerCase(java.util.Locale.ROOT);
      if (!FRAMING.contains(name) && !name.startsWith(":") && !declared.containsKey(name)) {
        out.add(status + " " + method + " " + template + " sends undeclared " + h);
      }
    }
    declared.forEach(
        (name, h) -> {
          if (h.path("required").asBoolean(false)
              && response.headers().firstValue(name).isEmpty()) {
            out.add(status + " " + method + " " + template + " lacks required " + name);
          }
        });
    return out;
  }

  /** Returns the response headers the document declares for an operation's status. */
  Set<String> declaredHeaders(String method, String template, int status) {
    JsonNode r =
        resolve(
            doc.path("paths")
                .path(template)
                .path(method)
                .path("responses")
                .path(String.valueOf(status)));
    Set<String> out = new java.util.TreeSet<>();
    r.path("headers")
        .fieldNames()
        .forEachRemaining(n -> out.add(n.toLowerCase(java.util.Locale.ROOT)));
    return out;
  }

  /** Returns the request header parameters the document declares for an operation. */
  Set<String> requestHeaders(String method, String template) {
    Set<String> out = new java.util.TreeSet<>();
    for (JsonNode p : doc.path("paths").path(template).path(method).path("parameters")) {
      JsonNode x = resolve(p);
      if (x.path("in").asText().equals("header")) {
        out.add(x.path("name").asText());
      }
    }
    return out;
  }

  private JsonNode resolve(JsonNode n) {
    while (n.has("$ref")) {
      n = doc.at(n.get("$ref").asText().substring(1));
    }
    return n;
  }
}
