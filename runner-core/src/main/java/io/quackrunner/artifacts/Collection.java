package io.quackrunner.artifacts;

import java.util.List;

/**
 * What {@link ArtifactCollector} found: the artifacts, sorted by path, and the violations.
 *
 * @param artifacts regular files copied out, sorted by path
 * @param violations entries refused, sorted by path
 */
public record Collection(List<Artifact> artifacts, List<ArtifactViolation> violations) {}
