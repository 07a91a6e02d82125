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
 */
public record ServiceConfig(Path stateDir, int concurrency, int queueCapacity) {

  /** Returns the defaults for a state dir: one run per CPU core, a queue of 64. */
  public static ServiceConfig defaults(Path stateDir) {
    return new ServiceConfig(stateDir, Runtime.getRuntime().availableProcessors(), 64);
  }
}
