package io.quackrunner.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quackrunner.artifacts.Artifact;
import io.quackrunner.artifacts.ArtifactViolation;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks what a finished run left behind against its tool's declared outputs and manifest rule
 * (seed: "verifies artifact presence, verifies manifest emission").
 */
public final class OutputRules {
  private static final ObjectMapper JSON = new ObjectMapper();

  private OutputRules() {}

  /**
   * Returns the violations of a run's artifacts: each declared output (path or glob) that matches
   * no artifact, a required manifest that is missing, is not JSON or does not satisfy its schema.
   *
   * @param registry the registry holding the compiled manifest schema
   * @param tool the resolved tool of the run
   * @param artifacts the run's artifacts (paths relative to out/)
   * @param outDir the host directory holding the collected artifacts
   * @return the violations, empty when every rule holds
   */
  public static List<ArtifactViolation> check(
      ToolRegistry registry, ResolvedTool tool, List<Artifact> artifacts, Path outDir) {
    List<ArtifactViolation> found = new ArrayList<>();
    for (String declared : tool.version().outputs()) {
      PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + declared);
      boolean present =
          artifacts.stream()
              .anyMatch(a -> a.path().equals(declared) || m.matches(Path.of(a.path())));
      if (!present) {
        found.add(
            new ArtifactViolation(
                declared, "missing-output", "declared output '" + declared + "' was not produced"));
      }
    }
    ManifestRule rule = tool.version().manifest();
    if (rule != null) {
      boolean present = artifacts.stream().anyMatch(a -> a.path().equals(rule.path()));
      if (!present) {
        found.add(
            new ArtifactViolation(rule.path(), "manifest", "the required manifest is missing"));
      } else {
        try {
          JsonNode doc = JSON.readTree(Files.readAllBytes(outDir.resolve(rule.path())));
          String problem = registry.checkManifest(tool, doc);
          if (problem != null) {
            found.add(
                new ArtifactViolation(
                    rule.path(), "manifest", "the manifest does not match its schema: " + problem));
          }
        } catch (IOException e) {
          found.add(
              new ArtifactViolation(
                  rule.path(), "manifest", "the manifest is not JSON: " + firstLine(e)));
        }
      }
    }
    return found;
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
