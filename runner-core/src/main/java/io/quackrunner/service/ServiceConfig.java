package io.quackrunner.service;

import java.nio.file.Path;

/**
 * How a {@link RunService} stores and schedules runs.
 *
 * @param stateDir the state directory: {@code runs.db}, {@code cas/}, {@code runs/<id>/}, {@code
 *     sandboxes/}, {@code secrets/}
 * @param concurrency runs executed at once by this process, at least 1
 * @param queueCapacity runs accepted but waiting, at least 0; beyond it submissions are refused
 *     with {@link io.quackrunner.errors.ErrorKind#BUSY}
 * @param contentDir the content directory shared by the nodes of one database ({@code
 *     --content-dir}, e.g. an NFS mount): the content store at {@code <contentDir>/sha256/} and the
 *     runs' directories (logs, artifacts, reports) at {@code <contentDir>/runs/<id>/}; null for the
 *     state directory's own {@code cas/} and {@code runs/} (docs/STORAGE.md, "Nodes")
 */
public record ServiceConfig(Path stateDir, int concurrency, int queueCapacity, Path contentDir) {

  /** Returns a configuration without a shared content directory. */
  public ServiceConfig(Path stateDir, int concurrency, int queueCapacity) {
    this(stateDir, concurrency, queueCapacity, null);
  }

  /** Returns the defaults for a state dir: one run per CPU core, a queue of 64. */
  public static ServiceConfig defaults(Path stateDir) {
    return new ServiceConfig(stateDir, Runtime.getRuntime().availableProcessors(), 64);
  }

  /** Returns the root of the content store: {@code contentDir}, or {@code <stateDir>/cas}. */
  public Path contentRoot() {
    return contentDir == null ? stateDir.resolve("cas") : contentDir;
  }

  /** Returns the parent of the runs' directories: {@code <contentDir or stateDir>/runs}. */
  public Path runsRoot() {
    return (contentDir == null ? stateDir : contentDir).resolve("runs");
  }
}
