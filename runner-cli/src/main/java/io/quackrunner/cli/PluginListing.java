package io.quackrunner.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Set;

/** Prints the plugin section shared by {@code runner help} and {@code runner info}. */
final class PluginListing {
  private PluginListing() {}

  /**
   * Prints a {@code Plugins (DIR):} heading and one indented line per plugin, marking those a core
   * command in {@code coreNames} shadows.
   */
  static void print(PrintWriter out, PluginDirectory plugins, Set<String> coreNames) {
    if (!plugins.exists()) {
      out.println("Plugins (" + plugins.dir() + "): none, the directory does not exist");
      return;
    }
    List<Plugin> found = plugins.list();
    if (found.isEmpty()) {
      out.println("Plugins (" + plugins.dir() + "): none");
      return;
    }
    out.println("Plugins (" + plugins.dir() + "):");
    int width = found.stream().mapToInt(p -> p.name().length()).max().orElse(0);
    for (Plugin plugin : found) {
      String name = String.format("  %-" + width + "s", plugin.name());
      out.println(
          coreNames.contains(plugin.name())
              ? name + "  (shadowed by the core command; never run)"
              : name.stripTrailing());
    }
  }
}
