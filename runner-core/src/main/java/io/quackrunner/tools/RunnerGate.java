package io.quackrunner.tools;

import io.quackrunner.errors.RunnerException;
import io.quackrunner.images.ImageStore;
import io.quackrunner.runtime.RuntimeProfile;
import io.quackrunner.runtime.RuntimeProfiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The alignment gate between a tool registry and the runners this host has (docs/IMAGES.md "The
 * alignment gate"). Each problem is one line naming the tool, the version and the runner.
 */
public final class RunnerGate {
  private RunnerGate() {}

  /**
   * Returns one line per tool version whose pinned runner image is not in {@code store}, naming the
   * tool, the version and the runner; empty when every pin is satisfied.
   */
  public static List<String> missing(ToolRegistry registry, ImageStore store) {
    List<String> out = new ArrayList<>();
    for (Tool t : registry.tools()) {
      for (ToolVersion v : t.versions()) {
        int at = v.runtime().indexOf('@');
        if (at >= 0 && !has(store, v.runtime().substring(at + 1))) {
          out.add(
              where(t, v)
                  + " is not imported (runner image import FILE --name "
                  + v.runtime().substring(0, at)
                  + ")");
        }
      }
    }
    return out;
  }

  /**
   * The gate of {@code runner serve}: {@link #missing(ToolRegistry, ImageStore)}, and one line per
   * tool version whose unpinned runner has neither an image of its name in {@code store} nor its
   * runtime on the host (the profile's version command is not an executable file).
   */
  public static List<String> missing(
      ToolRegistry registry, ImageStore store, RuntimeProfiles profiles) {
    List<String> out = missing(registry, store);
    for (Tool t : registry.tools()) {
      for (ToolVersion v : t.versions()) {
        String r = v.runtime();
        if (r.indexOf('@') >= 0 || store.named(r) != null) {
          continue;
        }
        RuntimeProfile p = profiles.profile(r);
        if (p == null || !Files.isExecutable(Path.of(p.versionCommand().get(0)))) {
          out.add(
              where(t, v)
                  + " is not on this host: no image named "
                  + r
                  + " (runner image build "
                  + r
                  + ") and no "
                  + (p == null ? "runtime profile" : p.versionCommand().get(0)));
        }
      }
    }
    return out;
  }

  /**
   * The alignment half of {@code runner check}: one line per tool version whose runner has no
   * directory {@code runners/<runner-id>/} with a {@code smoke.sh}, or no imported image (of its
   * name, or the pinned one).
   */
  public static List<String> unaligned(ToolRegistry registry, ImageStore store, Path runners) {
    List<String> out = new ArrayList<>();
    for (Tool t : registry.tools()) {
      for (ToolVersion v : t.versions()) {
        String r = v.runtime();
        int at = r.indexOf('@');
        String name = at < 0 ? r : r.substring(0, at);
        if (!Files.isRegularFile(runners.resolve(name).resolve("smoke.sh"))) {
          out.add(where(t, v) + " has no runner directory " + runners.resolve(name));
        }
        if (at < 0 ? store.named(name) == null : !has(store, r.substring(at + 1))) {
          out.add(
              where(t, v)
                  + " has no imported image"
                  + (at < 0 ? " named " + name + " (runner image build " + name + ")" : ""));
        }
      }
    }
    return out;
  }

  /** Returns the runner ids (without pins) the registry references, sorted, each once. */
  public static List<String> referenced(ToolRegistry registry) {
    TreeSet<String> ids = new TreeSet<>();
    for (Tool t : registry.tools()) {
      for (ToolVersion v : t.versions()) {
        int at = v.runtime().indexOf('@');
        ids.add(at < 0 ? v.runtime() : v.runtime().substring(0, at));
      }
    }
    return List.copyOf(ids);
  }

  private static String where(Tool t, ToolVersion v) {
    return "tool " + t.name() + " version " + v.version() + ": runner " + v.runtime();
  }

  private static boolean has(ImageStore store, String digest) {
    try {
      store.find(digest);
      return true;
    } catch (RunnerException e) {
      return false;
    }
  }
}
