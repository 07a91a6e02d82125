package io.quackrunner.tools;

/**
 * A tool, version and verb that all exist in the registry.
 *
 * @param tool the tool
 * @param version the exact version
 * @param verb the verb
 */
public record ResolvedTool(Tool tool, ToolVersion version, Verb verb) {

  /** Returns {@code name@version}. */
  public String id() {
    return tool.name() + "@" + version.version();
  }
}
