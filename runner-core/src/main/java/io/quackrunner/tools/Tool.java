package io.quackrunner.tools;

import java.util.List;

/**
 * A registered tool: a black-box program offered in one or more versions.
 *
 * @param name the tool's name, {@code [a-z][a-z0-9-]*}
 * @param description one line for people, possibly empty
 * @param versions its versions in registry order
 */
public record Tool(String name, String description, List<ToolVersion> versions) {

  /** Copies the list. */
  public Tool {
    versions = List.copyOf(versions);
  }
}
