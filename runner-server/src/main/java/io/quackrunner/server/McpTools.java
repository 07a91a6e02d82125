package io.quackrunner.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.logs.LogStream;
import io.quackrunner.receipts.CheckResult;
import io.quackrunner.receipts.LedgerEvidence;
import io.quackrunner.receipts.ReceiptLog;
import io.quackrunner.receipts.ReceiptVerifier;
import io.quackrunner.receipts.VerificationReport;
import io.quackrunner.service.LogFollower;
import io.quackrunner.service.RunOrigin;
import io.quackrunner.service.RunRequest;
import io.quackrunner.service.RunService;
import io.quackrunner.store.RunRecord;
import io.quackrunner.tools.Tool;
import io.quackrunner.tools.ToolVersion;
import io.quackrunner.tools.Verb;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The MCP tools of QuackRunner (docs/MCP.md): the read tools every session has, and one run tool
 * per registered {@code tool@version} verb for sessions allowed to execute. Each translates its
 * arguments to a {@link RunService} call and its answer to a {@code CallToolResult} whose {@code
 * structuredContent} follows the tool's {@code outputSchema} (the API's {@code RunResult} for
 * runs), with the same JSON as text.
 */
final class McpTools {
  /** Largest log tail a {@code get_logs} call or a log resource returns, bytes. */
  static final int MAX_LOG_BYTES = 1 << 20;

  /** How long a run tool waits for its run to end before it returns the run as it is, ms. */
  static final long MAX_WAIT_MS = 15 * 60 * 1000L;

  private static final Set<ErrorKind> CALLER_ERRORS =
      Set.of(
          ErrorKind.USAGE,
          ErrorKind.SCHEMA_VIOLATION,
          ErrorKind.UNKNOWN_FIELD,
          ErrorKind.UNKNOWN_TOOL,
          ErrorKind.TOO_LARGE,
          ErrorKind.BAD_JSON,
          ErrorKind.IDEMPOTENCY_KEY_REUSED,
          ErrorKind.INVALID_TRIGGER,
          ErrorKind.NOT_FOUND,
          ErrorKind.FORBIDDEN,
          ErrorKind.CONFLICT);

  private final RunService service;
  private final ReceiptLog receipts;
  private final LedgerAccess ledger;
  private final Function<McpSyncServerExchange, String> tenantOf;
  private final long maxInputBytes;
  private final McpSchemas schemas = new McpSchemas();
  private final Map<String, Object> runResultSchema = McpSchemas.component("RunResult");

  /**
   * @param service the engine
   * @param receipts the state directory's receipt log (keys and ledger), or null
   * @param ledger the ledger's checkpoint and proofs, or null
   * @param tenantOf the tenant a session acts for
   * @param maxInputBytes the largest inline input, bytes (the HTTP API's cap)
   */
  McpTools(
      RunService service,
      ReceiptLog receipts,
      LedgerAccess ledger,
      Function<McpSyncServerExchange, String> tenantOf,
      long maxInputBytes) {
    this.service = service;
    this.receipts = receipts;
    this.ledger = ledger;
    this.tenantOf = tenantOf;
    this.maxInputBytes = maxInputBytes;
  }

  McpSchemas schemas() {
    return schemas;
  }

  RunService service() {
    return service;
  }

  /** A run tool's target: which registered tool version and verb it runs. */
  record Target(String tool, String version, Verb verb, String description) {}

  /**
   * Returns the run tools' names and targets: {@code <tool>.<verb>} for a tool's last-listed
   * version, {@code <tool>.<verb>.v<version>} for each earlier one (MCP tool names allow only
   * {@code [A-Za-z0-9_.-]}).
   */
  Map<String, Target> targets() {
    Map<String, Target> out = new LinkedHashMap<>();
    for (Tool t : service.registry().tools()) {
      List<ToolVersion> versions = t.versions();
      for (int i = 0; i < versions.size(); i++) {
        ToolVersion v = versions.get(i);
        boolean newest = i == versions.size() - 1;
        for (Verb b : v.verbs().values()) {
          String name =
              t.name()
                  + "."
                  + b.name()
                  + (newest ? "" : ".v" + v.version().replaceAll("[^A-Za-z0-9_.-]", "_"));
          String d =
              (b.description().isEmpty() ? t.description() : b.description())
                  + " ("
                  + t.name()
                  + "@"
                  + v.version()
                  + " verb "
                  + b.name()
                  + ", run in QuackRunner's sandbox; returns the RunResult and its receipt)";
          out.put(name, new Target(t.name(), v.version(), b, d));
        }
      }
    }
    return out;
  }

  // ---- run tools ----

  List<SyncToolSpecification> runTools() {
    List<SyncToolSpecification> out = new ArrayList<>();
    targets()
        .forEach(
            (name, target) -> {
              Map<String, Object> input = inputSchema(target.verb());
              McpSchema.Tool tool =
                  McpSchema.Tool.builder()
                      .name(name)
                      .description(target.description())
                      .inputSchema(input)
                      .outputSchema(runResultSchema)
                      .annotations(
                          new McpSchema.ToolAnnotations(
                              "Run " + target.tool() + " " + target.verb().name(),
                              false,
                              false,
                              false,
                              false,
                              null))
                      .build();
              out.add(
                  SyncToolSpecification.builder()
                      .tool(tool)
                      .callHandler((ex, req) -> run(ex, req, target, input))
                      .build());
            });
    return out;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> inputSchema(Verb verb) {
    Map<String, Object> params = McpSchemas.JSON.convertValue(verb.params(), Map.class);
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("type", "object");
    input.put("additionalProperties", false);
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("type", "object");
    item.put("additionalProperties", false);
    item.put("required", List.of("name"));
    item.put(
        "properties",
        Map.of(
            "name", Map.of("type", "string", "minLength", 1),
            "content_base64",
                Map.of("type", "string", "description", "the file's bytes, standard base64"),
            "sha256",
                Map.of(
                    "type",
                    "string",
                    "pattern",
                    "^[0-9a-f]{64}$",
                    "description",
                    "a digest from POST /inputs")));
    item.put(
        "oneOf",
        List.of(
            Map.of("required", List.of("content_base64")), Map.of("required", List.of("sha256"))));
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("params", params);
    props.put(
        "inputs",
        Map.of(
            "type",
            "array",
            "items",
            item,
            "description",
            "files placed read-only in the sandbox's in/ directory"));
    props.put(
        "limits",
        Map.of(
            "type",
            "object",
            "description",
            "requested limits, as RunRequest.limits of /openapi.json (e.g. wall_time_ms)"));
    props.put(
        "idempotency_key",
        Map.of(
            "type",
            "string",
            "minLength",
            1,
            "maxLength",
            256,
            "description",
            "the same key and request return the first run and never execute twice"));
    input.put("properties", props);
    JsonNode required = verb.params().get("required");
    if (required != null && required.size() > 0) {
      input.put("required", List.of("params"));
    }
    return input;
  }

  private CallToolResult run(
      McpSyncServerExchange ex, CallToolRequest req, Target target, Map<String, Object> schema) {
    String tenant = tenantOf.apply(ex);
    Map<String, Object> args = req.arguments() == null ? Map.of() : req.arguments();
    String violation = schemas.firstViolation(schema, args);
    if (violation != null) {
      throw invalid("arguments of " + req.name() + ": " + violation, ErrorKind.SCHEMA_VIOLATION);
    }
    ObjectNode body = McpSchemas.JSON.createObjectNode();
    body.put("tool", target.tool());
    body.put("version", target.version());
    body.put("verb", target.verb().name());
    body.set(
        "params",
        args.containsKey("params")
            ? McpSchemas.JSON.valueToTree(args.get("params"))
            : McpSchemas.JSON.createObjectNode());
    for (String k : List.of("inputs", "limits", "idempotency_key")) {
      if (args.containsKey(k)) {
        body.set(k, McpSchemas.JSON.valueToTree(args.get(k)));
      }
    }
    RunRecord r;
    try {
      RunRequest rr = RunRequestJson.parse(body, service.content(), maxInputBytes, null);
      McpSchema.Implementation client = ex.getClientInfo();
      RunOrigin origin =
          new RunOrigin(
              "mcp",
              client == null ? null : client.name(),
              client == null ? null : client.version());
      r = service.submit(tenant, rr.withOrigin(origin)).record();
      r = awaitWithProgress(ex, req, tenant, r);
    } catch (RunnerException e) {
      throw error(e);
    }
    Map<String, Object> result = RunJson.result(service, r);
    return CallToolResult.builder()
        .content(runContent(r, result))
        .structuredContent(result)
        .isError(
            r.status().isTerminal() && r.status() != io.quackrunner.execution.RunStatus.SUCCEEDED)
        .build();
  }

  /**
   * Waits for a run to end, sending {@code notifications/progress} when the caller gave a {@code
   * progressToken}: one each time the phase ({@code queued}, {@code running}, {@code signing},
   * {@code done}) or the output byte count changes, starting with the phase the run was accepted
   * in, with a progress value that grows by one each time and a message {@code phase=<p>
   * output_bytes=<n>}.
   */
  private RunRecord awaitWithProgress(
      McpSyncServerExchange ex, CallToolRequest req, String tenant, RunRecord r) {
    Object token = req.meta() == null ? null : req.meta().get("progressToken");
    String id = r.id();
    AtomicLong bytes = new AtomicLong();
    LogFollower counter =
        new LogFollower() {
          @Override
          public void chunk(LogStream stream, long offset, byte[] data) {
            bytes.addAndGet(data.length);
          }

          @Override
          public void end() {}
        };
    boolean following = token != null && service.follow(id, counter);
    CompletableFuture<RunRecord> done = service.completion(id);
    long deadline = System.currentTimeMillis() + MAX_WAIT_MS;
    double progress = 0;
    String last = null;
    if (token != null) {
      // The phase the run was accepted in comes first, however fast the run then is.
      last = "phase=" + phase(r) + " output_bytes=0";
      progress = 1;
      ex.progressNotification(new McpSchema.ProgressNotification(token, progress, null, last));
    }
    try {
      while (true) {
        RunRecord now;
        try {
          now = done.get(200, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          now = service.get(tenant, id);
          if (done.isDone()) {
            now = done.join(); // it ended while being read: report the end, not the older read
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return service.get(tenant, id);
        } catch (java.util.concurrent.ExecutionException e) {
          throw new RunnerException(ErrorKind.INTERNAL, "waiting for run " + id + ": " + e);
        }
        long out = following ? bytes.get() : outputBytes(now);
        String msg = "phase=" + phase(now) + " output_bytes=" + out;
        if (token != null && !msg.equals(last)) {
          progress += 1;
          ex.progressNotification(new McpSchema.ProgressNotification(token, progress, null, msg));
          last = msg;
        }
        // The completion future completes once the receipt is recorded, after the status.
        if (done.isDone() || System.currentTimeMillis() > deadline) {
          return now;
        }
      }
    } finally {
      if (following) {
        service.unfollow(id, counter);
      }
    }
  }

  private long outputBytes(RunRecord r) {
    long n = 0;
    for (LogStream s : LogStream.values()) {
      try {
        Path f = service.logFile(r.id(), s);
        if (Files.exists(f)) {
          n += Files.size(f);
        }
      } catch (IOException | RunnerException e) {
        // not written yet
      }
    }
    return n;
  }

  private String phase(RunRecord r) {
    return switch (r.status()) {
      case QUEUED -> "queued";
      case RUNNING -> "running";
      default -> r.receiptJson() == null && service.issuesReceipts() ? "signing" : "done";
    };
  }

  private List<McpSchema.Content> runContent(RunRecord r, Map<String, Object> result) {
    List<McpSchema.Content> c = new ArrayList<>();
    c.add(new McpSchema.TextContent(json(result)));
    c.addAll(McpResources.links(service, r));
    return c;
  }

  // ---- read tools ----

  List<SyncToolSpecification> readTools() {
    List<SyncToolSpecification> out = new ArrayList<>();
    Map<String, Object> runId = Map.of("type", "string", "description", "the run's id");
    out.add(
        read(
            "get_run",
            "Returns one run of your tenant as the API's RunResult (status, exit code, timings,"
                + " usage, artifacts with SHA-256, log and receipt references).",
            object(Map.of("run_id", runId), List.of("run_id")),
            runResultSchema,
            (ex, a) -> {
              RunRecord r = service.get(tenantOf.apply(ex), str(a, "run_id"));
              Map<String, Object> m = RunJson.result(service, r);
              return result(m, McpResources.links(service, r));
            }));
    out.add(
        read(
            "list_runs",
            "Lists your tenant's most recent runs, newest first, as RunResults.",
            object(
                Map.of("limit", Map.of("type", "integer", "minimum", 1, "maximum", 1000)),
                List.of()),
            object(
                Map.of("runs", Map.of("type", "array", "items", Map.of("type", "object"))),
                List.of("runs")),
            (ex, a) -> {
              int limit = a.get("limit") instanceof Number n ? n.intValue() : 50;
              List<Object> runs =
                  service.list(tenantOf.apply(ex), limit).stream()
                      .map(r -> (Object) RunJson.result(service, r))
                      .toList();
              return result(Map.of("runs", runs), List.of());
            }));
    out.add(
        read(
            "get_logs",
            "Returns the tail of a run's stored stdout or stderr (at most max_bytes, default"
                + " 16384, at most 1048576), as UTF-8 text.",
            object(
                Map.of(
                    "run_id",
                    runId,
                    "stream",
                    Map.of("enum", List.of("stdout", "stderr")),
                    "max_bytes",
                    Map.of("type", "integer", "minimum", 1, "maximum", MAX_LOG_BYTES)),
                List.of("run_id")),
            object(
                Map.of(
                    "run_id", Map.of("type", "string"),
                    "stream", Map.of("enum", List.of("stdout", "stderr")),
                    "size", Map.of("type", "integer"),
                    "offset", Map.of("type", "integer"),
                    "truncated", Map.of("type", "boolean"),
                    "text", Map.of("type", "string")),
                List.of("run_id", "stream", "size", "offset", "truncated", "text")),
            (ex, a) -> {
              RunRecord r = service.get(tenantOf.apply(ex), str(a, "run_id"));
              String stream = a.get("stream") == null ? "stdout" : a.get("stream").toString();
              int max = a.get("max_bytes") instanceof Number n ? n.intValue() : 16384;
              Map<String, Object> tail = logTail(service, r.id(), stream, max);
              return result(tail, List.of());
            }));
    out.add(
        read(
            "list_artifacts",
            "Lists a run's artifacts (path, size, SHA-256, media type) with a resource link to"
                + " read each.",
            object(Map.of("run_id", runId), List.of("run_id")),
            object(
                Map.of("artifacts", Map.of("type", "array", "items", Map.of("type", "object"))),
                List.of("artifacts")),
            (ex, a) -> {
              RunRecord r = service.get(tenantOf.apply(ex), str(a, "run_id"));
              Map<String, Object> m = RunJson.result(service, r);
              return result(
                  Map.of("artifacts", m.get("artifacts")), McpResources.links(service, r));
            }));
    out.add(
        read(
            "get_receipt",
            "Returns a run's signed receipt: the DSSE envelope of its in-toto statement, and its"
                + " ledger index.",
            object(Map.of("run_id", runId), List.of("run_id")),
            object(
                Map.of(
                    "run_id", Map.of("type", "string"),
                    "ledger_index", Map.of("type", "integer"),
                    "envelope", Map.of("type", "object")),
                List.of("run_id", "ledger_index", "envelope")),
            (ex, a) -> {
              RunRecord r = receiptOf(tenantOf.apply(ex), str(a, "run_id"));
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("run_id", r.id());
              m.put("ledger_index", r.ledgerIndex());
              m.put("envelope", parse(r.receiptJson()));
              return result(m, List.of());
            }));
    out.add(
        read(
            "verify_receipt",
            "Verifies a run's receipt as `runner verify --ledger` does: signature, canonical form,"
                + " statement, artifact hashes and ledger inclusion, each as a named check.",
            object(Map.of("run_id", runId), List.of("run_id")),
            object(
                Map.of(
                    "run_id", Map.of("type", "string"),
                    "ok", Map.of("type", "boolean"),
                    "checks", Map.of("type", "array", "items", Map.of("type", "object"))),
                List.of("run_id", "ok", "checks")),
            (ex, a) -> result(verify(tenantOf.apply(ex), str(a, "run_id")), List.of())));
    out.add(
        read(
            "ledger_checkpoint",
            "Returns the ledger's latest signed checkpoint (C2SP tlog-checkpoint signed note).",
            object(Map.of(), List.of()),
            object(Map.of("checkpoint", Map.of("type", "string")), List.of("checkpoint")),
            (ex, a) -> result(Map.of("checkpoint", ledger().checkpoint()), List.of())));
    out.add(
        read(
            "inclusion_proof",
            "Returns the RFC 9162 inclusion proof of ledger entry index in the tree of size"
                + " tree_size, as GET /ledger/proof/inclusion does.",
            object(
                Map.of(
                    "index", Map.of("type", "integer", "minimum", 0),
                    "tree_size", Map.of("type", "integer", "minimum", 1)),
                List.of("index", "tree_size")),
            Map.of("type", "object"),
            (ex, a) ->
                result(
                    McpSchemas.JSON.convertValue(
                        ledger()
                            .inclusion(
                                ((Number) a.get("index")).longValue(),
                                ((Number) a.get("tree_size")).longValue()),
                        Map.class),
                    List.of())));
    return out;
  }

  private LedgerAccess ledger() {
    if (ledger == null) {
      throw new RunnerException(ErrorKind.UNAVAILABLE, "this runner has no receipt ledger");
    }
    return ledger;
  }

  private RunRecord receiptOf(String tenant, String id) {
    RunRecord r = service.get(tenant, id);
    if (r.receiptJson() == null) {
      throw new RunnerException(
          ErrorKind.NOT_FOUND,
          r.status().isTerminal()
              ? "run " + id + " has no receipt"
              : "run " + id + " has not ended; its receipt is issued when it does");
    }
    return r;
  }

  private Map<String, Object> verify(String tenant, String id) {
    RunRecord r = receiptOf(tenant, id);
    if (receipts == null) {
      throw new RunnerException(ErrorKind.UNAVAILABLE, "this runner has no receipt ledger");
    }
    byte[] envelope = r.receiptJson().getBytes(StandardCharsets.UTF_8);
    LedgerEvidence evidence = LedgerEvidence.from(receipts.ledger(), envelope, null);
    VerificationReport report =
        new ReceiptVerifier(
                io.quackrunner.service.KeyListing.verifierKeys(
                    receipts.keys(), service.nodes().nodeStore()))
            .verify(envelope, service.outDir(id), evidence);
    List<Object> checks = new ArrayList<>();
    for (CheckResult c : report.results()) {
      checks.add(
          Map.of(
              "check",
              c.check().name().toLowerCase(java.util.Locale.ROOT),
              "outcome",
              c.outcome().name().toLowerCase(java.util.Locale.ROOT),
              "reason",
              c.reason()));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", id);
    m.put("ok", report.ok());
    m.put("checks", checks);
    return m;
  }

  /**
   * Returns the tail of a stored log as {@code {run_id, stream, size, offset, truncated, text}}.
   */
  static Map<String, Object> logTail(RunService service, String id, String stream, int max) {
    LogStream s =
        switch (stream) {
          case "stdout" -> LogStream.STDOUT;
          case "stderr" -> LogStream.STDERR;
          default ->
              throw new RunnerException(
                  ErrorKind.SCHEMA_VIOLATION, "stream must be stdout or stderr, not " + stream);
        };
    Path f = service.logFile(id, s);
    byte[] data = new byte[0];
    long size = 0;
    if (Files.exists(f)) {
      try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
        size = raf.length();
        int n = (int) Math.min(size, Math.min(max, MAX_LOG_BYTES));
        data = new byte[n];
        raf.seek(size - n);
        raf.readFully(data);
      } catch (IOException e) {
        throw new RunnerException(ErrorKind.INTERNAL, "cannot read the log of run " + id);
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_id", id);
    m.put("stream", stream);
    m.put("size", size);
    m.put("offset", size - data.length);
    m.put("truncated", data.length < size);
    m.put("text", new String(data, StandardCharsets.UTF_8));
    return m;
  }

  private interface Handler {
    CallToolResult apply(McpSyncServerExchange ex, Map<String, Object> args);
  }

  private SyncToolSpecification read(
      String name,
      String description,
      Map<String, Object> input,
      Map<String, Object> output,
      Handler h) {
    McpSchema.Tool tool =
        McpSchema.Tool.builder()
            .name(name)
            .description(description)
            .inputSchema(input)
            .outputSchema(output)
            .annotations(new McpSchema.ToolAnnotations(null, true, false, true, false, null))
            .build();
    return SyncToolSpecification.builder()
        .tool(tool)
        .callHandler(
            (ex, req) -> {
              Map<String, Object> args = req.arguments() == null ? Map.of() : req.arguments();
              String violation = schemas.firstViolation(input, args);
              if (violation != null) {
                throw invalid(
                    "arguments of " + name + ": " + violation, ErrorKind.SCHEMA_VIOLATION);
              }
              try {
                return h.apply(ex, args);
              } catch (RunnerException e) {
                throw error(e);
              }
            })
        .build();
  }

  private static Map<String, Object> object(Map<String, Object> props, List<String> required) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "object");
    m.put("properties", props);
    m.put("required", required);
    m.put("additionalProperties", false);
    return m;
  }

  private static CallToolResult result(Map<String, Object> m, List<McpSchema.Content> links) {
    List<McpSchema.Content> c = new ArrayList<>();
    c.add(new McpSchema.TextContent(json(m)));
    c.addAll(links);
    return CallToolResult.builder().content(c).structuredContent(m).isError(false).build();
  }

  private static String str(Map<String, Object> a, String k) {
    return String.valueOf(a.get(k));
  }

  static String json(Object o) {
    try {
      return McpSchemas.JSON.writeValueAsString(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Object parse(String json) {
    try {
      return McpSchemas.JSON.readValue(json, Map.class);
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "a stored receipt is not JSON");
    }
  }

  /**
   * Maps a runner error to an MCP error: a caller's mistake (bad or unknown field, too large, not
   * found, key reused) is {@code -32602} invalid params, anything else {@code -32603}; the data
   * carries the error kind's slug and its problem type.
   */
  static McpError error(RunnerException e) {
    int code =
        CALLER_ERRORS.contains(e.kind())
            ? McpSchema.ErrorCodes.INVALID_PARAMS
            : McpSchema.ErrorCodes.INTERNAL_ERROR;
    return McpError.builder(code)
        .message(e.getMessage())
        .data(Map.of("kind", e.kind().slug(), "title", e.kind().title()))
        .build();
  }

  static McpError invalid(String message, ErrorKind kind) {
    return error(new RunnerException(kind, message));
  }
}
