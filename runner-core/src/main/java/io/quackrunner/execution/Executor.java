package io.quackrunner.execution;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.quackrunner.artifacts.ArtifactCollector;
import io.quackrunner.artifacts.Collection;
import io.quackrunner.artifacts.Sha256Sums;
import io.quackrunner.egress.EgressPolicy;
import io.quackrunner.egress.EgressProxy;
import io.quackrunner.egress.EgressReport;
import io.quackrunner.egress.EgressResolver;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.images.ImageRef;
import io.quackrunner.images.ImageStore;
import io.quackrunner.limits.LimitKind;
import io.quackrunner.limits.Limits;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.limits.NetworkMode;
import io.quackrunner.logs.LogListener;
import io.quackrunner.runtime.EnvironmentFingerprint;
import io.quackrunner.runtime.ResolvedRuntime;
import io.quackrunner.runtime.RunnerMeta;
import io.quackrunner.runtime.RuntimeProfile;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.sandbox.BubblewrapSandbox;
import io.quackrunner.sandbox.HostProbe;
import io.quackrunner.sandbox.PhaseTimes;
import io.quackrunner.sandbox.SandboxConfig;
import io.quackrunner.sandbox.SandboxOutcome;
import io.quackrunner.sandbox.SandboxSpec;
import io.quackrunner.secrets.SecretValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Executes one command in a sandbox and turns what happened into an {@link ExecutionResult}:
 * resolves limits and the runtime, runs the sandbox, collects artifacts, and writes {@code
 * reports/runner.meta.json}, the logs and {@code sha256sums.txt} into the out directory.
 */
public final class Executor {
  /** Top-level names in the out directory that belong to the runner, not the tool. */
  public static final Set<String> RESERVED = Set.of("reports", Sha256Sums.FILE);

  /** The egress log of a run in the egress network mode, in its out directory. */
  public static final String EGRESS_LOG = "reports/egress.jsonl";

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Set<String> FIXED_ENV =
      Set.of("OUT_DIR", "IN_DIR", "HOME", "TMPDIR", "RUNNER_EXECUTION_ID");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One line per JSON value (the egress log's JSON Lines). */
  private static final ObjectMapper LINE_JSON = new ObjectMapper();

  private final BubblewrapSandbox sandbox;
  private final SandboxConfig config;
  private final RuntimeProfiles runtimes;
  private final LimitsPolicy policy;
  private final Map<String, String> digests = new ConcurrentHashMap<>();

  /** Creates an executor over an opened sandbox backend. */
  public Executor(
      BubblewrapSandbox sandbox,
      SandboxConfig config,
      RuntimeProfiles runtimes,
      LimitsPolicy policy) {
    this.sandbox = sandbox;
    this.config = config;
    this.policy = policy;
    // The image store lives beside the sandboxes' work root: <state>/images.
    this.runtimes =
        runtimes.withImages(ImageStore.open(config.workRoot().getParent()), this::probeImage);
  }

  /**
   * Runs a profile's version command in a sandbox on an image, with the default limits and no
   * network, and returns its stdout and stderr; the version is what the image's binary reports.
   */
  private String probeImage(RuntimeProfile profile, ImageRef image) {
    String id = "probe-" + newExecutionId();
    Path logs = config.workRoot().getParent().resolve("probe-logs").resolve(id);
    SandboxSpec spec =
        new SandboxSpec(
            id,
            profile.versionCommand(),
            new ResolvedRuntime(profile, "unknown", image),
            null,
            Map.of(),
            policy.resolve(LimitsRequest.DEFAULTS),
            logs,
            false,
            new PhaseTimes());
    try {
      SandboxOutcome o = sandbox.run(spec, LogListener.NONE);
      o.workspace().close();
      String out =
          Files.readString(o.stdout().file(), StandardCharsets.UTF_8)
              + Files.readString(o.stderr().file(), StandardCharsets.UTF_8);
      return out;
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.NOT_FOUND, "runtime " + profile.id() + ": cannot probe " + image.reference());
    } finally {
      try (var files = Files.walk(logs)) {
        for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      } catch (IOException e) {
        // a probe's two small logs left behind are harmless
      }
    }
  }

  /**
   * Unmounts and deletes the sandbox workspace a crashed process left for {@code executionId}; does
   * nothing when there is none.
   */
  public void discardWorkspace(String executionId) {
    io.quackrunner.sandbox.Workspace.discard(config.workRoot(), executionId);
  }

  /** Returns the limits policy. */
  public LimitsPolicy policy() {
    return policy;
  }

  /** Returns a new execution id (a random UUID). */
  public static String newExecutionId() {
    return UUID.randomUUID().toString();
  }

  /**
   * Validates a request without running it: limits, runtime, environment and argv.
   *
   * @throws RunnerException of kind USAGE or NOT_FOUND on the first problem
   */
  public Prepared prepare(ExecRequest req) {
    if (req.argv().isEmpty()) {
      throw new RunnerException(ErrorKind.USAGE, "no command given");
    }
    for (String a : req.argv()) {
      if (a.indexOf('\0') >= 0) {
        throw new RunnerException(ErrorKind.USAGE, "argument contains a NUL byte");
      }
    }
    for (Map.Entry<String, String> e : req.env().entrySet()) {
      if (!ENV_NAME.matcher(e.getKey()).matches()) {
        throw new RunnerException(
            ErrorKind.USAGE, "bad environment variable name '" + e.getKey() + "'");
      }
      if (FIXED_ENV.contains(e.getKey())) {
        throw new RunnerException(
            ErrorKind.USAGE, "environment variable " + e.getKey() + " is set by the runner");
      }
      if (e.getValue().indexOf('\0') >= 0) {
        throw new RunnerException(
            ErrorKind.USAGE, "environment variable " + e.getKey() + " contains a NUL byte");
      }
    }
    Set<String> files = new java.util.HashSet<>();
    for (SecretValue s : req.secrets()) {
      if (s.delivery() == SecretValue.Delivery.ENV) {
        if (!ENV_NAME.matcher(s.target()).matches()
            || FIXED_ENV.contains(s.target())
            || req.env().containsKey(s.target())) {
          throw new RunnerException(
              ErrorKind.USAGE,
              "secret " + s.name() + " cannot be the environment variable " + s.target());
        }
        for (byte b : s.value()) {
          if (b == 0) {
            throw new RunnerException(
                ErrorKind.USAGE,
                "secret " + s.name() + " holds a NUL byte and cannot be an environment variable");
          }
        }
      } else if (!ENV_NAME.matcher(s.target()).matches() || !files.add(s.target())) {
        throw new RunnerException(
            ErrorKind.USAGE, "secret " + s.name() + " has a bad or repeated file name");
      }
    }
    Limits limits = policy.resolve(egressLimits(req));
    if (limits.network() == NetworkMode.EGRESS && req.egress() == null) {
      throw new RunnerException(
          ErrorKind.USAGE,
          "network egress needs an allow-list (--allow-host HOST:PORT, or network.allow in the"
              + " tool's registry entry)");
    }
    ResolvedRuntime runtime =
        runtimes.resolve(req.runtimeId() == null ? RuntimeProfiles.DEFAULT_ID : req.runtimeId());
    String id = req.executionId() == null ? newExecutionId() : req.executionId();
    return new Prepared(id, req, limits, runtime);
  }

  /**
   * Returns the request's limits, with the network {@code egress} when it has an allow-list.
   *
   * @throws RunnerException of kind USAGE when it asks for another network beside an allow-list
   */
  private static LimitsRequest egressLimits(ExecRequest req) {
    LimitsRequest l = req.limits() == null ? LimitsRequest.DEFAULTS : req.limits();
    if (req.egress() == null) {
      return l;
    }
    if (l.network() != null && l.network() != NetworkMode.EGRESS) {
      throw new RunnerException(
          ErrorKind.USAGE,
          "network "
              + l.network().label()
              + " and an allow-list exclude each other (an allow-list means network egress)");
    }
    return new LimitsRequest(
        l.wallTimeMs(),
        l.cpuTimeMs(),
        l.memoryBytes(),
        l.pids(),
        l.outputBytes(),
        l.fileSizeBytes(),
        l.outDirBytes(),
        l.tmpDirBytes(),
        NetworkMode.EGRESS);
  }

  /**
   * A validated request.
   *
   * @param executionId the run's id
   * @param request the request
   * @param limits resolved limits
   * @param runtime resolved runtime
   */
  public record Prepared(
      String executionId, ExecRequest request, Limits limits, ResolvedRuntime runtime) {}

  /** Validates and runs a request; see {@link #execute(Prepared, LogListener)}. */
  public ExecutionResult execute(ExecRequest req, LogListener listener) {
    return execute(prepare(req), listener);
  }

  /**
   * Runs a prepared request to the end and writes its out directory.
   *
   * @throws RunnerException of kind USAGE when the out directory is not empty, EXECUTION_FAILED
   *     when the sandbox cannot run
   */
  public ExecutionResult execute(Prepared p, LogListener listener) {
    return execute(p, listener, new RunControl());
  }

  /**
   * Runs a prepared request to the end under a {@link RunControl} that may cancel it.
   *
   * @throws RunnerException of kind USAGE when the out directory is not empty, EXECUTION_FAILED
   *     when the sandbox cannot run
   */
  public ExecutionResult execute(Prepared p, LogListener listener, RunControl control) {
    ExecRequest req = p.request();
    PhaseTimes phases = new PhaseTimes();
    Path outDir = prepareOutDir(req.outDir());
    Path reports = outDir.resolve("reports");
    EgressProxy proxy =
        p.limits().network() == NetworkMode.EGRESS
            ? new EgressProxy(new EgressPolicy(req.egress(), EgressResolver.configured()))
            : null;
    SandboxSpec spec =
        new SandboxSpec(
            p.executionId(),
            req.argv(),
            p.runtime(),
            req.inputDir(),
            req.env(),
            p.limits(),
            reports,
            false,
            phases,
            req.secrets(),
            proxy);
    // Hashed before the run starts: the receipt says which lock file the tool ran with.
    io.quackrunner.runtime.LockFile lock =
        io.quackrunner.runtime.LockFile.find(p.runtime().profile().type(), req.inputDir());
    BubblewrapSandbox.Execution running = sandbox.start(spec, listener);
    control.attach(running);
    SandboxOutcome o = running.await();
    Collection collected;
    try (var ws = o.workspace()) {
      collected =
          ArtifactCollector.collect(
              ws.out(), outDir, RESERVED, ArtifactCollector.Caps.of(p.limits()));
    }
    phases.lap("collect");
    ExecutionResult result =
        result(
            p,
            o,
            collected,
            outDir,
            control.cancelled(),
            phases,
            proxy == null ? null : proxy.policy().report(),
            lock);
    writeReports(result, p);
    phases.lap("reports");
    return result;
  }

  /**
   * Starts an interactive shell for a person in a sandbox, stdin/stdout/stderr inherited, and
   * returns its exit code. Nothing is collected; the workspace is discarded.
   */
  public int shell(String runtimeId, List<String> argv, LimitsRequest limits, Path stateDir) {
    Prepared p = prepare(new ExecRequest(null, argv, runtimeId, null, stateDir, Map.of(), limits));
    SandboxSpec spec =
        new SandboxSpec(
            p.executionId(),
            argv,
            p.runtime(),
            null,
            Map.of(),
            p.limits(),
            stateDir.resolve("shell-logs").resolve(p.executionId()),
            true,
            new PhaseTimes());
    SandboxOutcome o = sandbox.run(spec, LogListener.NONE);
    o.workspace().close();
    return o.exitCode() == null ? 128 + (o.signal() == null ? 9 : o.signal()) : o.exitCode();
  }

  private static Path prepareOutDir(Path outDir) {
    try {
      if (Files.exists(outDir, LinkOption.NOFOLLOW_LINKS)) {
        if (!Files.isDirectory(outDir, LinkOption.NOFOLLOW_LINKS)) {
          throw new RunnerException(ErrorKind.USAGE, "out dir " + outDir + " is not a directory");
        }
        try (var s = Files.list(outDir)) {
          if (s.findAny().isPresent()) {
            throw new RunnerException(
                ErrorKind.USAGE, "out dir " + outDir + " is not empty (nothing is overwritten)");
          }
        }
      }
      Files.createDirectories(outDir.resolve("reports"));
      return outDir.toRealPath();
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.USAGE, "cannot create out dir " + outDir + ": " + e);
    }
  }

  private ExecutionResult result(
      Prepared p,
      SandboxOutcome o,
      Collection c,
      Path outDir,
      boolean cancelled,
      PhaseTimes phases,
      EgressReport egress,
      io.quackrunner.runtime.LockFile lock) {
    RunStatus status;
    ErrorKind kind = null;
    String reason = null;
    if (cancelled) {
      // A cancellation is the caller's decision, not a runner error: CANCELLED, no error kind.
      status = RunStatus.CANCELLED;
    } else if (o.breached() == LimitKind.WALL_TIME) {
      status = RunStatus.TIMED_OUT;
      kind = ErrorKind.EXECUTION_FAILED;
      reason = "wall time limit of " + p.limits().wallTimeMs() + " ms exceeded";
    } else if (o.breached() != null) {
      status = RunStatus.LIMIT_EXCEEDED;
      kind = ErrorKind.EXECUTION_FAILED;
      reason = o.breached().label() + " limit exceeded";
    } else if (o.exitCode() != null && o.exitCode() != 0) {
      status = RunStatus.FAILED;
      kind = ErrorKind.EXECUTION_FAILED;
      reason = "exit code " + o.exitCode();
    } else if (!c.violations().isEmpty()) {
      status = RunStatus.FAILED;
      kind = ErrorKind.ARTIFACT_VIOLATION;
      // A cap is named first: it explains why later files are missing.
      var v =
          c.violations().stream()
              .filter(x -> x.kind().endsWith("-cap"))
              .findFirst()
              .orElse(c.violations().get(0));
      reason = v.path() + ": " + v.kind() + " (" + v.detail() + ")";
    } else if (o.exitCode() == null) {
      // Killed by a signal no limit explains: the run was stopped from outside.
      status = RunStatus.CANCELLED;
    } else {
      status = RunStatus.SUCCEEDED;
    }
    ResolvedRuntime rt = p.runtime();
    EnvironmentFingerprint fp =
        new EnvironmentFingerprint(
            "linux", HostProbe.arch(), rt.profile().type(), rt.version(), rfc3339(Instant.now()));
    SandboxIdentity sid =
        new SandboxIdentity(
            "bubblewrap",
            sandbox.version(),
            true,
            sandboxDigest(rt),
            sandbox.cgroupMode().name().toLowerCase(java.util.Locale.ROOT),
            o.sandboxUid(),
            rt.imageLabel(),
            rt.containerDigest());
    return new ExecutionResult(
        p.executionId(),
        status,
        o.exitCode(),
        o.signal(),
        o.breached(),
        kind,
        reason,
        o.startedAt(),
        o.finishedAt(),
        o.wallTimeMs(),
        o.usage().cpuTimeNanos() / 1_000_000,
        o.usage().peakMemoryBytes(),
        o.stdout(),
        o.stderr(),
        c.artifacts(),
        c.violations(),
        p.limits(),
        fp,
        sid,
        p.request().argv(),
        outDir,
        phases,
        egress,
        lock);
  }

  /** Returns an RFC 3339 UTC timestamp with microsecond precision. */
  public static String rfc3339(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.MICROS));
  }

  /**
   * Returns {@code sha256:<hex>} over the sandbox definition: backend and version, the launcher
   * binary's SHA-256, the runtime profile id, type and version, and the image's manifest digest
   * when the runtime is image-backed.
   */
  String sandboxDigest(ResolvedRuntime rt) {
    return digests.computeIfAbsent(
        rt.profile().id() + (rt.image() == null ? "" : "@" + rt.image().digest()),
        id -> {
          try {
            Map<String, Object> def = new LinkedHashMap<>();
            def.put("backend", "bubblewrap");
            def.put("backend_version", sandbox.version());
            def.put("launcher_sha256", Sha256Sums.hash(config.launcher()));
            def.put("runtime_id", rt.profile().id());
            def.put("runtime_type", rt.profile().type());
            def.put("runtime_version", rt.version());
            def.put("path", rt.profile().path());
            def.put("binds", rt.profile().binds());
            if (rt.image() != null) {
              def.put("image", rt.image().digest().toString());
            }
            byte[] bytes = new ObjectMapper().writeValueAsBytes(def);
            return "sha256:"
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
          } catch (Exception e) {
            throw new RunnerException(ErrorKind.INTERNAL, "cannot compute sandbox digest: " + e, e);
          }
        });
  }

  private static void writeReports(ExecutionResult r, Prepared p) {
    RunnerMeta meta =
        new RunnerMeta(
            p.runtime().profile().id(),
            r.sandbox().containerDigest(),
            r.fingerprint(),
            "/workspace",
            rfc3339(r.startedAt()),
            r.executionId(),
            r.sandbox().backend(),
            r.sandbox().version(),
            r.sandbox().isolated(),
            r.sandbox().image(),
            r.egress() == null ? null : io.quackrunner.egress.EgressSummary.of(r.egress()),
            r.lockFile());
    try {
      Files.write(
          r.outDir().resolve("reports/runner.meta.json"),
          (JSON.writeValueAsString(meta) + "\n").getBytes(StandardCharsets.UTF_8));
      List<String> reports =
          new java.util.ArrayList<>(
              List.of("reports/runner.meta.json", "reports/stdout.log", "reports/stderr.log"));
      if (r.egress() != null) {
        // Every attempt, allowed or refused, one JSON object per line (the run's egress log).
        StringBuilder lines = new StringBuilder();
        for (var a : r.egress().attempts()) {
          lines.append(LINE_JSON.writeValueAsString(a)).append('\n');
        }
        Files.writeString(r.outDir().resolve(EGRESS_LOG), lines.toString());
        reports.add(EGRESS_LOG);
      }
      Sha256Sums.write(r.outDir(), r.artifacts(), reports);
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.EXECUTION_FAILED, "cannot write reports: " + e);
    }
  }
}
