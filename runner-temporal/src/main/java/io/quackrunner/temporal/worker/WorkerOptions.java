package io.quackrunner.temporal.worker;

import io.quackrunner.service.Backend;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How a {@link TemporalWorker} reaches Temporal and where it keeps its state.
 *
 * @param target the Temporal frontend, {@code HOST:PORT}
 * @param namespace the Temporal namespace
 * @param taskQueue the activity task queue polled
 * @param stateDir the QuackRunner state directory (run store, content, ledger)
 * @param identity the worker identity Temporal shows, or null for the SDK's {@code pid@host}
 * @param concurrency activities, and runs, executed at once
 * @param registry the tool registry YAML file
 * @param limits a limits policy properties file, or null for the built-in policy
 * @param tenant the tenant the worker's runs belong to
 * @param drain how long running activities may go on after SIGTERM before they are left to recovery
 * @param database where runs and the ledger live: the state directory's SQLite files ({@link
 *     Backend.Database#EMBEDDED}) or a shared PostgreSQL database (docs/STORAGE.md)
 */
public record WorkerOptions(
    String target,
    String namespace,
    String taskQueue,
    Path stateDir,
    String identity,
    int concurrency,
    Path registry,
    Path limits,
    String tenant,
    Duration drain,
    Backend.Database database) {}
