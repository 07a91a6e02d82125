package io.quackrunner.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tools this runner may execute, loaded from a declarative YAML file and validated as a whole
 * before the runner starts (docs in {@code registry/README.md}).
 *
 * <p>Lookups are exact: an unknown tool, version or verb is an error, never a fallback to another
 * one (DESIGN invariant 6).
 */
public final class ToolRegistry {
  private final Map<String, Tool> tools;
  private final Map<String, JsonSchema> paramSchemas;
  private final Map<String, JsonSchema> manifestSchemas;

  ToolRegistry(
      Map<String, Tool> tools,
      Map<String, JsonSchema> paramSchemas,
      Map<String, JsonSchema> manifestSchemas) {
    this.tools = tools;
    this.paramSchemas = paramSchemas;
    this.manifestSchemas = manifestSchemas;
  }

  /**
   * Returns a registry with no tools, for a process that runs only raw commands: every tool name is
   * unknown to it. Nothing is read.
   */
  public static ToolRegistry empty() {
    return new ToolRegistry(Map.of(), Map.of(), Map.of());
  }

  /**
   * Loads and validates a registry file; relative {@code files} directories resolve against the
   * file's directory.
   *
   * @param file the YAML registry
   * @param runtimeIds the runtime profile ids this runner offers
   * @throws RunnerException of kind CONFIGURATION whose message is {@code <file>:<line>: <reason>}
   */
  public static ToolRegistry load(Path file, Collection<String> runtimeIds) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "cannot read registry " + file + ": " + e);
    }
    Path base = file.toAbsolutePath().getParent();
    return new RegistryParser(YamlTree.parse(bytes, file.toString()), file.toString(), base)
        .parse(runtimeIds);
  }

  /** Returns the tools in registry order. */
  public List<Tool> tools() {
    return List.copyOf(tools.values());
  }

  /**
   * Resolves a tool, version and verb exactly.
   *
   * @throws RunnerException of kind UNKNOWN_TOOL naming what is unknown and what is known instead
   */
  public ResolvedTool resolve(String name, String version, String verb) {
    Tool t = name == null ? null : tools.get(name);
    if (t == null) {
      throw new RunnerException(
          ErrorKind.UNKNOWN_TOOL,
          "unknown tool '" + name + "' (known: " + String.join(", ", tools.keySet()) + ")");
    }
    ToolVersion v =
        t.versions().stream().filter(x -> x.version().equals(version)).findFirst().orElse(null);
    if (v == null) {
      throw new RunnerException(
          ErrorKind.UNKNOWN_TOOL,
          "unknown version '"
              + version
              + "' of tool "
              + name
              + " (known: "
              + String.join(", ", t.versions().stream().map(ToolVersion::version).toList())
              + ")");
    }
    Verb b = verb == null ? null : v.verbs().get(verb);
    if (b == null) {
      throw new RunnerException(
          ErrorKind.UNKNOWN_TOOL,
          "unknown verb '"
              + verb
              + "' of tool "
              + name
              + "@"
              + version
              + " (known: "
              + String.join(", ", v.verbs().keySet())
              + ")");
    }
    return new ResolvedTool(t, v, b);
  }

  /**
   * Checks a run's parameters against the verb's schema and builds the argv: entrypoint, verb, then
   * {@code --name=value} per parameter in the schema's property order.
   *
   * @param params a JSON object (null means {@code {}})
   * @throws RunnerException of kind SCHEMA_VIOLATION naming the first schema violation, or a string
   *     parameter holding a control character (newline, NUL, …)
   */
  public List<String> argv(ResolvedTool t, JsonNode params) {
    JsonNode p = params == null || params.isNull() ? new ObjectNode(null) : params;
    if (!p.isObject()) {
      throw new RunnerException(ErrorKind.SCHEMA_VIOLATION, "params must be a JSON object");
    }
    var errors = paramSchemas.get(key(t)).validate(p);
    if (!errors.isEmpty()) {
      throw new RunnerException(
          ErrorKind.SCHEMA_VIOLATION,
          "params do not match the schema of "
              + t.id()
              + " "
              + t.verb().name()
              + ": "
              + errors.iterator().next().getMessage());
    }
    List<String> argv = new ArrayList<>(t.version().entrypoint());
    argv.add(t.verb().name());
    List<String> order = new ArrayList<>();
    JsonNode props = t.verb().params().path("properties");
    props.fieldNames().forEachRemaining(order::add);
    for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
      String n = it.next();
      if (!order.contains(n)) {
        order.add(n);
      }
    }
    for (String name : order) {
      JsonNode v = p.get(name);
      if (v == null || v.isNull()) {
        continue;
      }
      if (!v.isValueNode()) {
        throw new RunnerException(
            ErrorKind.SCHEMA_VIOLATION,
            "parameter '" + name + "' must be a string, number or boolean");
      }
      String text = v.asText();
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c < 0x20 || c == 0x7f) {
          throw new RunnerException(
              ErrorKind.SCHEMA_VIOLATION,
              "parameter '"
                  + name
                  + "' contains a control character (U+"
                  + String.format("%04X", (int) c)
                  + ")");
        }
      }
      argv.add("--" + name + "=" + text);
    }
    return argv;
  }

  /**
   * Validates a manifest document against the tool's manifest schema.
   *
   * @return the first violation as one line, or null when it is valid
   */
  public String checkManifest(ResolvedTool t, JsonNode manifest) {
    JsonSchema s = manifestSchemas.get(t.id());
    if (s == null) {
      return null;
    }
    var errors = s.validate(manifest);
    return errors.isEmpty() ? null : errors.iterator().next().getMessage();
  }

  static String key(ResolvedTool t) {
    return t.id() + " " + t.verb().name();
  }

  static Map<String, Tool> ordered() {
    return new LinkedHashMap<>();
  }

  static Map<String, JsonSchema> schemas() {
    return new HashMap<>();
  }
}
