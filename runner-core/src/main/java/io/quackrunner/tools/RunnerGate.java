package io.quackrunner.tools;

import io.quackrunner.errors.RunnerException;
import io.quackrunner.images.ImageStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The alignment gate between a tool registry and the runners this host has: every tool version
 * pinned to an image ({@code runtime: NAME@sha256:<hex>}) must find that image imported.
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
        if (at < 0) {
          continue;
        }
        try {
          store.find(v.runtime().substring(at + 1));
        } catch (RunnerException e) {
          out.add(
              "tool "
                  + t.name()
                  + " version "
                  + v.version()
                  + ": runner "
                  + v.runtime()
                  + " is not imported (runner image import FILE --name "
                  + v.runtime().substring(0, at)
                  + ")");
        }
      }
    }
    return out;
  }
}
