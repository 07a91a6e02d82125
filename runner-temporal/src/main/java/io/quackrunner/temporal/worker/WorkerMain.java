package io.quackrunner.temporal.worker;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.Engine;
import io.quackrunner.service.Backend;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The entry point of {@code runner temporal-worker} (a runner plugin, {@code
 * runner-temporal/bin/temporal-worker}): {@code --target HOST:PORT --namespace NS --task-queue
 * QUEUE [--state-dir DIR] [--identity NAME] [--concurrency N] [--registry FILE] [--limits FILE]
 * [--tenant NAME] [--drain-seconds N]}.
 *
 * <p>Bad usage fails with one line on stderr and exit code 125; an unreachable Temporal with 69.
 * SIGTERM stops polling, lets running activities finish for {@code --drain-seconds} and exits (143,
 * 128 + SIGTERM, as any JVM the signal stopped).
 */
@Command(name = "temporal-worker")
public final class WorkerMain {
  @Option(names = "--target", required = true, paramLabel = "HOST:PORT")
  String target;

  @Option(names = "--namespace", required = true, paramLabel = "NS")
  String namespace;

  @Option(names = "--task-queue", required = true, paramLabel = "QUEUE")
  String taskQueue;

  @Option(names = "--state-dir", paramLabel = "DIR")
  Path stateDir;

  @Option(names = "--identity", paramLabel = "NAME")
  String identity;

  @Option(names = "--concurrency", paramLabel = "N")
  Integer concurrency;

  @Option(names = "--registry", paramLabel = "FILE")
  Path registry;

  @Option(names = "--limits", paramLabel = "FILE")
  Path limits;

  @Option(names = "--tenant", paramLabel = "NAME")
  String tenant = "temporal";

  @Option(names = "--drain-seconds", paramLabel = "N")
  int drainSeconds = 8;

  @Option(names = "--database", paramLabel = "URL")
  String database;

  @Option(names = "--migrate")
  boolean migrate;

  @Option(names = "--node-id", paramLabel = "ID")
  String nodeId;

  @Option(names = "--node-lease", paramLabel = "DURATION")
  String nodeLease;

  static final String USAGE =
      "usage: runner temporal-worker --target HOST:PORT --namespace NS --task-queue QUEUE"
          + " [--state-dir DIR] [--identity NAME] [--concurrency N] [--registry FILE]"
          + " [--limits FILE] [--tenant NAME] [--drain-seconds N]"
          + " [--database URL [--migrate] [--node-id ID] [--node-lease DURATION]]";

  private WorkerMain() {}

  /** Starts the worker and blocks until SIGTERM; exits non-zero on a bad start. */
  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    WorkerOptions o;
    try {
      o = parse(args);
    } catch (RunnerException e) {
      err.println("runner temporal-worker: " + e.getMessage());
      return e.kind().exitCode();
    }
    TemporalWorker worker;
    try {
      worker = TemporalWorker.start(o);
    } catch (RunnerException e) {
      err.println("runner temporal-worker: " + e.getMessage());
      return e.kind().exitCode();
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  worker.shutdown();
                  stopped.countDown();
                },
                "temporal-worker-shutdown"));
    out.println(
        "polling task queue "
            + o.taskQueue()
            + " of namespace "
            + o.namespace()
            + " at "
            + o.target());
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  static WorkerOptions parse(String[] args) {
    WorkerMain m = new WorkerMain();
    try {
      new CommandLine(m).parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new RunnerException(ErrorKind.USAGE, oneLine(e.getMessage()) + "; " + USAGE);
    }
    if (!m.target.matches("[^\\s:]+:[0-9]{1,5}")) {
      throw new RunnerException(ErrorKind.USAGE, "--target must be HOST:PORT, not " + m.target);
    }
    if (m.namespace.isBlank() || m.taskQueue.isBlank()) {
      throw new RunnerException(ErrorKind.USAGE, "--namespace and --task-queue must not be empty");
    }
    if (!m.tenant.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new RunnerException(ErrorKind.USAGE, "--tenant must match [A-Za-z0-9._-]{1,64}");
    }
    int n = m.concurrency == null ? Runtime.getRuntime().availableProcessors() : m.concurrency;
    if (n < 1 || n > 1024) {
      throw new RunnerException(ErrorKind.USAGE, "--concurrency needs 1 to 1024, not " + n);
    }
    if (m.drainSeconds < 0 || m.drainSeconds > 3600) {
      throw new RunnerException(ErrorKind.USAGE, "--drain-seconds needs 0 to 3600");
    }
    Path state = m.stateDir != null ? m.stateDir : Engine.stateDir(System.getenv());
    Path reg =
        m.registry != null
            ? m.registry
            : Path.of(System.getProperty("quackrunner.home", ".")).resolve("registry/tools.yaml");
    return new WorkerOptions(
        m.target,
        m.namespace,
        m.taskQueue,
        state,
        m.identity,
        n,
        reg,
        m.limits,
        m.tenant,
        Duration.ofSeconds(m.drainSeconds),
        Backend.Database.of(m.database, m.migrate, m.nodeId, m.nodeLease));
  }

  private static String oneLine(String s) {
    return s == null ? "bad arguments" : s.replaceAll("[\\r\\n]+", " ").strip();
  }
}
