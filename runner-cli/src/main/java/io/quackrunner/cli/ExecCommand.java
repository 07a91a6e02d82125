package io.quackrunner.cli;

import io.quackrunner.egress.AllowList;
import io.quackrunner.egress.Egress;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.Engine;
import io.quackrunner.execution.ExecRequest;
import io.quackrunner.execution.ExecutionResult;
import io.quackrunner.execution.Executor;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.limits.NetworkMode;
import io.quackrunner.limits.Units;
import io.quackrunner.logs.LogStream;
import io.quackrunner.sandbox.SandboxConfig;
import io.quackrunner.service.Backend;
import io.quackrunner.service.CommandRun;
import io.quackrunner.service.JsonLog;
import io.quackrunner.service.LedgerReceiptIssuer;
import io.quackrunner.service.RunOrigin;
import io.quackrunner.service.RunService;
import io.quackrunner.service.ServiceConfig;
import io.quackrunner.store.ContentStore;
import io.quackrunner.store.RunStore;
import io.quackrunner.tools.ToolRegistry;
import io.quackrunner.triggers.SignedTrigger;
import io.quackrunner.triggers.TriggerVerifier;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code runner exec}: runs one command in a sandbox, streams its stdout and stderr live, writes
 * artifacts, {@code reports/} and {@code sha256sums.txt} to the out directory, and exits with the
 * command's code (124 timeout, 128+N signal or limit, 126 not executable, 127 not found, 125 the
 * runner's own error; docs/EXIT-CODES.md).
 */
@Command(
    name = "exec",
    description = "Execute a system command explicitly",
    synopsisHeading = "Usage: ",
    customSynopsis =
        "runner exec [--runtime ID] [--in DIR] [--out-dir DIR] [--timeout T] [--memory B]"
            + " [--pids N] [--network none|loopback|host] [--allow-host HOST:PORT]..."
            + " [--env K=V]... [--idempotency-key KEY | --trigger FILE] [--print-binding]"
            + " -- CMD [ARG...]")
public final class ExecCommand implements Callable<Integer> {
  @ParentCommand RunnerCommand runner;

  @Option(names = "--runtime", paramLabel = "ID", description = "runtime profile (default: system)")
  String runtime;

  @Option(
      names = "--in",
      paramLabel = "DIR",
      description = "directory copied read-only to /workspace/in")
  Path in;

  @Option(
      names = "--out-dir",
      paramLabel = "DIR",
      description = "where artifacts and reports go (must be empty)")
  Path outDir;

  @Option(names = "--timeout", paramLabel = "T", description = "wall time, e.g. 30s, 500ms")
  String timeout;

  @Option(names = "--cpu-time", paramLabel = "T", description = "CPU time, e.g. 10s")
  String cpuTime;

  @Option(names = "--memory", paramLabel = "B", description = "memory, e.g. 512m")
  String memory;

  @Option(names = "--pids", paramLabel = "N", description = "processes and threads")
  Long pids;

  @Option(names = "--output-limit", paramLabel = "B", description = "stdout+stderr bytes")
  String outputLimit;

  @Option(names = "--file-size", paramLabel = "B", description = "largest single file")
  String fileSize;

  @Option(names = "--out-size", paramLabel = "B", description = "total bytes in out/")
  String outSize;

  @Option(names = "--tmp-size", paramLabel = "B", description = "total bytes in /tmp")
  String tmpSize;

  @Option(
      names = "--network",
      paramLabel = "MODE",
      description = "none (default), loopback, egress (with --allow-host) or host")
  String network;

  @Option(
      names = "--allow-host",
      paramLabel = "HOST:PORT",
      description =
          "reach HOST:PORT (or *.DOMAIN:PORT) through the egress proxy; network egress (repeatable)")
  List<String> allowHosts = new ArrayList<>();

  @Option(names = "--env", paramLabel = "K=V", description = "environment variable for the command")
  List<String> env = new ArrayList<>();

  @Option(
      names = "--idempotency-key",
      paramLabel = "KEY",
      description = "runs with the same key execute at most once")
  String idempotencyKey;

  @Option(
      names = "--trigger",
      paramLabel = "FILE",
      description = "a signed trigger for this command (runner trigger sign; see --print-binding)")
  Path trigger;

  @Option(
      names = "--print-binding",
      description = "print what a trigger must bind for this command (JSON) and execute nothing")
  boolean printBinding;

  @picocli.CommandLine.Mixin DatabaseOptions db = new DatabaseOptions();

  /** The CLI acts for the local host's one tenant. */
  static final String TENANT = "local";

  @Parameters(paramLabel = "CMD", arity = "1..*", description = "the command and its arguments")
  List<String> command;

  @Override
  public Integer call() {
    CliContext ctx = runner.context();
    Path state = Engine.stateDir(System.getenv());
    Backend.Database database = db.database();
    Executor executor = Engine.open(state, ctx.etcDir());
    String id = Executor.newExecutionId();
    Path out = outDir != null ? outDir.toAbsolutePath() : state.resolve("runs").resolve(id);
    ExecRequest req =
        new ExecRequest(
            id,
            command,
            runtime,
            in,
            out,
            environment(),
            limits(),
            List.of(),
            allowHosts.isEmpty() ? null : Egress.of(AllowList.parse(allowHosts, ErrorKind.USAGE)));
    OutputStream stdout = new FileOutputStream(FileDescriptor.out);
    OutputStream stderr = new FileOutputStream(FileDescriptor.err);
    CommandRun o;
    SignedTrigger signed = trigger == null ? null : signedTrigger(trigger);
    // The command's stderr and one-line errors are all runner exec writes to stderr
    // (docs/CLI.md): the service's JSON event log has no reader here. Errors still reach the
    // caller as exceptions.
    JsonLog.redirect(new PrintStream(OutputStream.nullOutputStream()));
    try (Backend backend = Backend.open(state, database, 4, "exec");
        RunStore store = backend.runStores().get();
        RunService runs =
            new RunService(
                new ServiceConfig(state, 1, 0),
                executor,
                SandboxConfig.standard(state).workRoot(),
                ToolRegistry.empty(),
                store,
                new ContentStore(state.resolve("cas")),
                new LedgerReceiptIssuer(backend.receiptLog()),
                backend.nodes())) {
      if (printBinding) {
        TriggerVerifier.Bound b = runs.binding(req);
        var n = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        n.put("tool", b.tool()).put("version", b.version()).put("verb", b.verb());
        n.put("request_sha256", b.requestSha256());
        ctx.out().println(n.toString());
        ctx.out().flush();
        return 0;
      }
      o =
          runs.exec(
              TENANT,
              req,
              idempotencyKey,
              signed,
              RunOrigin.CLI,
              (stream, buf, off, len) ->
                  write(stream == LogStream.STDOUT ? stdout : stderr, buf, off, len));
    }
    if (o.replayed()) {
      replay(o.outDir(), stdout, stderr);
      ctx.errors()
          .line(
              "this trigger already ran as run "
                  + o.record().id()
                  + " ("
                  + o.record().status()
                  + "); its result is returned and nothing was executed"
                  + (o.outDir() == null ? "" : " (out dir " + o.outDir() + ")"));
    } else {
      ExecutionResult r = o.result();
      if (r.status() != RunStatus.SUCCEEDED && r.status() != RunStatus.FAILED
          || r.errorKind() == ErrorKind.ARTIFACT_VIOLATION) {
        ctx.errors().line(summary(r));
      }
    }
    return o.cliExitCode();
  }

  private static SignedTrigger signedTrigger(Path file) {
    try {
      return SignedTrigger.parse(
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(TriggerCommand.read(file)));
    } catch (java.io.IOException e) {
      throw new RunnerException(ErrorKind.USAGE, file + " is not JSON: " + e.getMessage());
    }
  }

  private static void write(OutputStream o, byte[] buf, int off, int len) {
    try {
      o.write(buf, off, len);
      o.flush();
    } catch (java.io.IOException e) {
      // a closed terminal must not stop the run; the log file keeps everything
    }
  }

  /** Prints the stored logs of the run that executed the trigger. */
  private static void replay(Path outDir, OutputStream stdout, OutputStream stderr) {
    if (outDir == null) {
      return;
    }
    for (var s : new Object[][] {{"stdout.log", stdout}, {"stderr.log", stderr}}) {
      Path log = outDir.resolve("reports").resolve((String) s[0]);
      try {
        if (java.nio.file.Files.isRegularFile(log, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          byte[] b = java.nio.file.Files.readAllBytes(log);
          write((OutputStream) s[1], b, 0, b.length);
        }
      } catch (java.io.IOException e) {
        // the log is gone; the record and receipt still stand
      }
    }
  }

  static String summary(ExecutionResult r) {
    String usage = " (peak memory " + r.peakMemoryBytes() + " bytes, cpu " + r.cpuTimeMs() + " ms)";
    return switch (r.status()) {
      case TIMED_OUT -> "timed out after " + r.limits().wallTimeMs() + " ms" + usage;
      case LIMIT_EXCEEDED -> "limit exceeded: " + r.limitExceeded().label() + usage;
      case CANCELLED -> "cancelled";
      default -> "artifact violation: " + r.failureReason() + " (out dir " + r.outDir() + ")";
    };
  }

  private Map<String, String> environment() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String kv : env) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new RunnerException(ErrorKind.USAGE, "--env wants K=V, not '" + kv + "'");
      }
      if (m.put(kv.substring(0, eq), kv.substring(eq + 1)) != null) {
        throw new RunnerException(ErrorKind.USAGE, "--env " + kv.substring(0, eq) + " given twice");
      }
    }
    return m;
  }

  private LimitsRequest limits() {
    return new LimitsRequest(
        timeout == null ? null : Units.parseDurationMs(timeout),
        cpuTime == null ? null : Units.parseDurationMs(cpuTime),
        memory == null ? null : Units.parseBytes(memory),
        pids,
        outputLimit == null ? null : Units.parseBytes(outputLimit),
        fileSize == null ? null : Units.parseBytes(fileSize),
        outSize == null ? null : Units.parseBytes(outSize),
        tmpSize == null ? null : Units.parseBytes(tmpSize),
        network == null ? null : NetworkMode.parse(network));
  }
}
