package io.quackrunner.service;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.store.ContentStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Lays out a run's input directory: its inputs from the content store and the tool's files. */
final class Inputs {
  private Inputs() {}

  /**
   * Creates {@code <runDir>/in} holding each input at its name and the tool's files under {@code
   * _tool/}; any earlier run directory content is removed first.
   */
  static Path materialize(Path runDir, RunPlanner.Plan plan, ContentStore cas) {
    Path in = runDir.resolve("in");
    try {
      if (Files.exists(runDir, LinkOption.NOFOLLOW_LINKS)) {
        io.quackrunner.sandbox.Workspace.deleteTree(runDir);
      }
      Files.createDirectories(in);
      for (InputRef i : plan.inputs()) {
        Path target = in.resolve(i.name()).normalize();
        if (!target.startsWith(in)) {
          throw new RunnerException(ErrorKind.SCHEMA_VIOLATION, "bad input name " + i.name());
        }
        Files.createDirectories(target.getParent());
        Files.copy(cas.path(i.sha256()), target);
      }
      Path files = plan.tool().version().files();
      if (files != null) {
        Path tool = in.resolve(RunPlanner.TOOL_DIR);
        try (Stream<Path> s = Files.walk(files)) {
          for (Path p : s.sorted().toList()) {
            Path t = tool.resolve(files.relativize(p).toString());
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
              Files.createDirectories(t);
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
              Files.copy(p, t, LinkOption.NOFOLLOW_LINKS);
            }
          }
        }
      }
      return in;
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.EXECUTION_FAILED, "cannot lay out the inputs: " + e);
    }
  }

  /** Deletes a run's input copy (the content store keeps the originals), never following links. */
  static void discard(Path in) {
    if (!Files.exists(in, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      io.quackrunner.sandbox.Workspace.deleteTree(in);
    } catch (RunnerException e) {
      JsonLog.warn("inputs.cleanup_failed", "dir", in.toString(), "detail", e.getMessage());
    }
  }
}
